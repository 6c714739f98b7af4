"""HTTP routes of the notifications service, assembled in one list."""

from fastapi import APIRouter

ROUTERS: list[APIRouter] = []
