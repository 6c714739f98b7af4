"""Development tokens for the demo clinic's people, one per role; refused in production.

They are signed with the development HS256 secret the services of `make up` verify with (or
`CLINIC_JWT_SECRET` when set). Real tokens come from the identity provider.
"""

from __future__ import annotations

import os
from datetime import timedelta

from pydantic import ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from clinic_demo.clinic import DemoClinic, RoleSeed
from clinic_demo.report import DemoIds
from clinic_platform.auth import issue_token
from clinic_platform.settings import ServiceSettings

TOKEN_TTL = timedelta(hours=12)


class Refused(Exception):
    """Demo tokens and seeding are for development only."""


class _Environment(BaseSettings):
    """Only the environment, read as the settings of every service read it."""

    model_config = SettingsConfigDict(env_prefix="CLINIC_", extra="ignore")
    environment: str = "development"


def development_settings() -> ServiceSettings:
    """The settings tokens are signed with; `Refused` when the environment is production:
    `CLINIC_ENVIRONMENT`, or any service's own (`BOOKING_ENVIRONMENT`, …)."""
    said = {"CLINIC_ENVIRONMENT": _Environment().environment}
    said |= {name: value for name, value in os.environ.items() if name.endswith("_ENVIRONMENT")}
    production = sorted(name for name, value in said.items() if _is_production(value))
    if production:
        raise Refused(
            f"{production[0]}=production: demo tokens and the demo clinic are for development "
            "only; real tokens come from the identity provider"
        )
    try:
        return ServiceSettings()
    except ValidationError as exc:
        raise Refused(
            f"the CLINIC_* settings are not usable for development tokens: {exc}"
        ) from exc


def _is_production(value: str) -> bool:
    return value.strip().lower() == "production"


def needs_ids(seed: RoleSeed) -> bool:
    """Whether the token names a seeded record (so its id must be looked up first)."""
    return seed.practitioner is not None or seed.patient is not None


def demo_token(
    clinic: DemoClinic, role: str, settings: ServiceSettings, ids: DemoIds | None = None
) -> str:
    """A token for the demo person holding `role` in the demo tenant."""
    seed = clinic.role(role)
    if needs_ids(seed) and ids is None:
        raise ValueError(f"the {role} token names a seeded record: pass the demo's ids")
    practitioner_id = ids.practitioners[seed.practitioner] if ids and seed.practitioner else None
    patient_id = ids.patients[seed.patient] if ids and seed.patient else None
    return issue_token(
        settings,
        subject=seed.subject,
        tenant_id=clinic.tenant_id,
        roles=[seed.role],
        practitioner_id=practitioner_id,
        patient_id=patient_id,
        ttl=TOKEN_TTL,
    )
