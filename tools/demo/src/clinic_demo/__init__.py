"""The demo clinic `make up` seeds through the public HTTP API, and development tokens for it."""

from clinic_demo.api import ApiError, Endpoints, Unreachable
from clinic_demo.clinic import DEMO, DEMO_TENANT_ID, DemoClinic
from clinic_demo.report import DemoIds, Report
from clinic_demo.seed import seed
from clinic_demo.tokens import Refused, demo_token, development_settings

__all__ = [
    "DEMO",
    "DEMO_TENANT_ID",
    "ApiError",
    "DemoClinic",
    "DemoIds",
    "Endpoints",
    "Refused",
    "Report",
    "Unreachable",
    "demo_token",
    "development_settings",
    "seed",
]
