"""HTTP routes of the schedules service, assembled in one list."""

from fastapi import APIRouter

from schedules.api import analytics, availability
from schedules.api.rules import RULES_ROUTERS

ROUTERS: list[APIRouter] = [analytics.router, availability.router, *RULES_ROUTERS]
