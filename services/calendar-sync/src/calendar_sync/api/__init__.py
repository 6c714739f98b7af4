"""HTTP routes of the calendar-sync service, assembled in one list."""

from fastapi import APIRouter

ROUTERS: list[APIRouter] = []
