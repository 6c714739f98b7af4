"""HTTP routes of the schedules service, assembled in one list."""

from fastapi import APIRouter

ROUTERS: list[APIRouter] = []
