"""HTTP routes of the booking service, assembled in one list."""

from fastapi import APIRouter

ROUTERS: list[APIRouter] = []
