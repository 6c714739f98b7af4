"""The rules API: clinic hours and holidays, weekly schedules, exceptions, leave, forced blocks."""

from fastapi import APIRouter

from schedules.api.rules import blocks, clinic_hours, exceptions, holidays, leave, weekly

RULES_ROUTERS: list[APIRouter] = [
    clinic_hours.router,
    holidays.router,
    weekly.router,
    exceptions.router,
    leave.router,
    blocks.router,
]
