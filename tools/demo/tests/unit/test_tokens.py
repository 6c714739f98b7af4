"""Development tokens of the demo roles: the claims each role needs, and never in production."""

from __future__ import annotations

from uuid import uuid4

import pytest

from clinic_demo import DEMO, DemoIds, Refused, demo_token, development_settings
from clinic_demo.cli import main
from clinic_platform.auth.tokens import TokenVerifier
from clinic_platform.settings import ServiceSettings


def ids() -> DemoIds:
    return DemoIds(
        location_id=uuid4(),
        practitioners={"chen": uuid4(), "lin": uuid4()},
        patients={"alice": uuid4()},
    )


def test_every_demo_role_gets_a_token_the_services_accept_in_the_demo_tenant() -> None:
    known = ids()
    verifier = TokenVerifier(ServiceSettings())
    for person in DEMO.roles:
        principal = verifier.verify(demo_token(DEMO, person.role, development_settings(), known))
        assert principal.tenant_id == DEMO.tenant_id
        assert principal.roles == frozenset({person.role})
        assert principal.subject == person.subject
    assert {r.role for r in DEMO.roles} == {
        "admin",
        "clinic_manager",
        "receptionist",
        "practitioner",
        "patient",
        "ai_agent",
    }


def test_the_practitioner_token_is_dr_chens_and_the_patient_token_is_alices() -> None:
    known = ids()
    verifier = TokenVerifier(ServiceSettings())
    doctor = verifier.verify(demo_token(DEMO, "practitioner", development_settings(), known))
    patient = verifier.verify(demo_token(DEMO, "patient", development_settings(), known))
    assert doctor.practitioner_id == known.practitioners["chen"]
    assert patient.patient_id == known.patients["alice"]


def test_tokens_naming_a_record_need_the_seeded_ids() -> None:
    with pytest.raises(ValueError, match="ids"):
        demo_token(DEMO, "patient", development_settings())


def test_tokens_and_seeding_are_refused_in_production(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CLINIC_ENVIRONMENT", "production")
    monkeypatch.setenv("CLINIC_JWT_SECRET", "a-real-production-secret-0123456789abcdef")
    with pytest.raises(Refused, match="production"):
        development_settings()
    for command in (["token", "--role", "admin"], ["token"], ["seed"]):
        assert main(command) == 2
        assert "refused" in capsys.readouterr().err


def test_a_services_own_production_environment_is_refused_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BOOKING_ENVIRONMENT", "Production")
    with pytest.raises(Refused, match="BOOKING_ENVIRONMENT=production"):
        development_settings()
