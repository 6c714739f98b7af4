"""HTTP routes of the notifications service, assembled in one list."""

from fastapi import APIRouter

from notifications.api import deliveries, settings, templates

ROUTERS: list[APIRouter] = [deliveries.router, templates.router, settings.router]
