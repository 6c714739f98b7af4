"""Tokens round-trip through HS256 and RS256 (a real JWKS over HTTP); bad ones are refused."""

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from uuid import uuid4

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import ValidationError

from clinic_platform.auth import InvalidToken, TokenVerifier, issue_token
from clinic_platform.auth.tokens import VerifierUnavailable
from clinic_platform.settings import ServiceSettings

KID = "test-key-1"
TEST_SECRET = "unit-test-secret-not-for-production-0123"


def hs_settings(**overrides: object) -> ServiceSettings:
    values: dict[str, object] = {"environment": "test", "jwt_secret": TEST_SECRET, **overrides}
    return ServiceSettings(**values)  # type: ignore[arg-type]


def test_an_hs256_token_round_trips_into_a_principal() -> None:
    settings = hs_settings()
    tenant, practitioner = uuid4(), uuid4()
    token = issue_token(
        settings,
        subject="u-1",
        tenant_id=tenant,
        roles=["practitioner"],
        practitioner_id=practitioner,
    )
    principal = TokenVerifier(settings).verify(token)
    assert principal.subject == "u-1"
    assert principal.tenant_id == tenant
    assert principal.roles == {"practitioner"}
    assert principal.practitioner_id == practitioner
    assert principal.patient_id is None


def test_an_expired_token_is_refused() -> None:
    settings = hs_settings()
    token = issue_token(
        settings, subject="u", tenant_id=uuid4(), roles=[], ttl=timedelta(minutes=-5)
    )
    with pytest.raises(InvalidToken, match="expired"):
        TokenVerifier(settings).verify(token)


def test_a_token_signed_with_another_secret_is_refused() -> None:
    other = hs_settings(jwt_secret="another-secret-of-sufficient-length-0123456789")
    token = issue_token(other, subject="u", tenant_id=uuid4(), roles=["admin"])
    with pytest.raises(InvalidToken, match="signature"):
        TokenVerifier(hs_settings()).verify(token)


def test_a_token_without_a_tenant_is_refused() -> None:
    claims = {"sub": "u", "exp": datetime.now(UTC) + timedelta(minutes=5), "roles": []}
    token = jwt.encode(claims, TEST_SECRET, algorithm="HS256")
    with pytest.raises(InvalidToken, match="tenant_id"):
        TokenVerifier(hs_settings()).verify(token)


def test_a_token_without_an_expiry_is_refused() -> None:
    claims = {"sub": "u", "tenant_id": str(uuid4()), "roles": []}
    token = jwt.encode(claims, TEST_SECRET, algorithm="HS256")
    with pytest.raises(InvalidToken, match="exp"):
        TokenVerifier(hs_settings()).verify(token)


def test_garbage_is_refused_without_echoing_it() -> None:
    with pytest.raises(InvalidToken) as caught:
        TokenVerifier(hs_settings()).verify("not.a.jwt-secret-looking-thing")
    assert "secret-looking" not in str(caught.value)


def test_issuer_and_audience_are_checked_when_configured() -> None:
    issuer = hs_settings(jwt_issuer="https://id.example", jwt_audience="clinic")
    token = issue_token(issuer, subject="u", tenant_id=uuid4(), roles=[])
    assert TokenVerifier(issuer).verify(token).subject == "u"
    elsewhere = hs_settings(jwt_issuer="https://id.example", jwt_audience="billing")
    with pytest.raises(InvalidToken, match="audience"):
        TokenVerifier(elsewhere).verify(token)


def test_tokens_cannot_be_issued_in_production() -> None:
    production = ServiceSettings(
        environment="production", jwt_secret="a-real-production-secret-xyz"
    )
    with pytest.raises(RuntimeError, match="production"):
        issue_token(production, subject="u", tenant_id=uuid4(), roles=["admin"])


def test_settings_refuse_the_development_secret_in_production() -> None:
    with pytest.raises(ValidationError, match="development secret"):
        ServiceSettings(environment="production")


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def jwks_url(rsa_key: rsa.RSAPrivateKey) -> Iterator[str]:
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(rsa_key.public_key(), as_dict=True)
    body = json.dumps({"keys": [{**jwk, "kid": KID, "use": "sig", "alg": "RS256"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"
    server.shutdown()
    server.server_close()


def rs256_token(key: rsa.RSAPrivateKey, **claims: object) -> str:
    payload = {"sub": "u-rs", "exp": datetime.now(UTC) + timedelta(minutes=5), **claims}
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": KID})


def test_an_rs256_token_is_verified_with_a_key_fetched_from_the_jwks_url(
    rsa_key: rsa.RSAPrivateKey, jwks_url: str
) -> None:
    settings = ServiceSettings(environment="test", jwt_algorithm="RS256", jwks_url=jwks_url)
    tenant = uuid4()
    token = rs256_token(rsa_key, tenant_id=str(tenant), roles=["receptionist"])
    principal = TokenVerifier(settings).verify(token)
    assert (principal.subject, principal.tenant_id, principal.roles) == (
        "u-rs",
        tenant,
        frozenset({"receptionist"}),
    )


def test_an_rs256_token_signed_by_an_unknown_key_is_refused(jwks_url: str) -> None:
    settings = ServiceSettings(environment="test", jwt_algorithm="RS256", jwks_url=jwks_url)
    intruder = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = rs256_token(intruder, tenant_id=str(uuid4()), roles=["admin"])
    with pytest.raises(InvalidToken):
        TokenVerifier(settings).verify(token)


def test_an_hs256_token_is_refused_by_an_rs256_verifier(jwks_url: str) -> None:
    settings = ServiceSettings(environment="test", jwt_algorithm="RS256", jwks_url=jwks_url)
    token = issue_token(hs_settings(), subject="u", tenant_id=uuid4(), roles=["admin"])
    with pytest.raises(InvalidToken):
        TokenVerifier(settings).verify(token)


def test_an_unreachable_jwks_url_makes_the_verifier_unavailable(
    rsa_key: rsa.RSAPrivateKey,
) -> None:
    dead = "http://127.0.0.1:9/jwks.json"  # the discard port: nothing listens there
    settings = ServiceSettings(environment="test", jwt_algorithm="RS256", jwks_url=dead)
    with pytest.raises(VerifierUnavailable):
        TokenVerifier(settings).verify(rs256_token(rsa_key, tenant_id=str(uuid4())))


def test_settings_refuse_the_development_secret_in_test_environments_too() -> None:
    with pytest.raises(ValueError, match="outside development"):
        ServiceSettings(environment="test")
