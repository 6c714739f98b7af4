"""The gateway's token verifier: the verdicts nginx gets, and the cache that spares the work."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from uuid import UUID, uuid4

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from clinic_platform.auth import Principal, TokenVerifier, issue_token
from clinic_platform.gateway import VerdictCache, VerifierApp, VerifierSettings, bearer_token
from clinic_platform.gateway.verifier import create_verifier_app

SECRET = "gateway-unit-test-secret-0123456789abcdef"
SETTINGS = VerifierSettings(environment="test", jwt_secret=SECRET)  # type: ignore[arg-type]


class CountingVerifier(TokenVerifier):
    """The platform's verifier, counting how often it really verifies."""

    calls = 0

    def verify(self, token: str) -> Principal:
        self.calls += 1
        return super().verify(token)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def make_app(
    settings: VerifierSettings = SETTINGS, clock: Clock | None = None
) -> tuple[VerifierApp, CountingVerifier]:
    verifier = CountingVerifier(settings)
    cache = VerdictCache(
        verifier, ttl_s=settings.cache_ttl_s, max_entries=3, clock=clock or Clock()
    )
    return VerifierApp(cache), verifier


def a_token(tenant: UUID | None = None, ttl: timedelta = timedelta(minutes=5)) -> str:
    return issue_token(
        SETTINGS, subject="u-1", tenant_id=tenant or uuid4(), roles=["admin"], ttl=ttl
    )


async def ask(app: VerifierApp, authorization: str | None) -> httpx.Response:
    headers = {"Authorization": authorization} if authorization is not None else {}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://v") as c:
        return await c.get("/verify", headers=headers)


async def test_a_valid_token_is_let_through_with_its_tenant() -> None:
    tenant = uuid4()
    answer = await ask(make_app()[0], f"Bearer {a_token(tenant)}")
    assert answer.status_code == 204
    assert answer.headers["x-auth-tenant"] == str(tenant)
    assert answer.headers["x-auth-cache"] == "miss"
    assert "x-auth-code" not in answer.headers


@pytest.mark.parametrize(
    ("token", "detail"),
    [
        (a_token(ttl=timedelta(minutes=-5)), "the token has expired"),
        (
            issue_token(
                VerifierSettings(
                    environment="test", jwt_secret="another-secret-0123456789abcdef-0123"
                ),  # type: ignore[arg-type]
                subject="u",
                tenant_id=uuid4(),
                roles=["admin"],
            ),
            "the token is malformed or its signature is invalid",
        ),
        (
            jwt.encode({"sub": "u", "exp": 4_102_444_800}, SECRET, algorithm="HS256"),
            "the token lacks the 'tenant_id' claim",
        ),
        ("not-a-jwt", "the token is malformed or its signature is invalid"),
    ],
    ids=["expired", "wrong-signature", "missing-tenant", "garbage"],
)
async def test_an_invalid_token_gets_401_naming_the_problem(token: str, detail: str) -> None:
    answer = await ask(make_app()[0], f"Bearer {token}")
    assert answer.status_code == 401
    assert answer.headers["x-auth-code"] == "invalid_token"
    assert answer.headers["x-auth-detail"] == detail
    assert answer.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert "x-auth-tenant" not in answer.headers


@pytest.mark.parametrize("authorization", [None, "", "Basic dXNlcjpwYXNz", "Bearer", "Bearer a b"])
async def test_a_missing_or_non_bearer_header_is_refused_without_verifying(
    authorization: str | None,
) -> None:
    app, verifier = make_app()
    answer = await ask(app, authorization)
    assert answer.status_code == 401
    assert answer.headers["x-auth-code"] == "unauthorized"
    assert answer.headers["www-authenticate"] == "Bearer"
    assert verifier.calls == 0


def test_the_bearer_scheme_is_case_insensitive() -> None:
    assert bearer_token("bearer abc") == bearer_token("BEARER abc") == "abc"


async def test_a_repeated_token_is_answered_from_the_cache() -> None:
    app, verifier = make_app()
    token = f"Bearer {a_token()}"
    answers = [await ask(app, token) for _ in range(3)]
    assert [a.headers["x-auth-cache"] for a in answers] == ["miss", "hit", "hit"]
    assert {a.status_code for a in answers} == {204}
    assert verifier.calls == 1


async def test_refusals_are_cached_too() -> None:
    app, verifier = make_app()
    expired = f"Bearer {a_token(ttl=timedelta(minutes=-5))}"
    answers = [await ask(app, expired) for _ in range(2)]
    assert [a.status_code for a in answers] == [401, 401]
    assert answers[1].headers["x-auth-cache"] == "hit"
    assert verifier.calls == 1


async def test_a_cached_verdict_is_forgotten_after_the_ttl() -> None:
    clock = Clock()
    app, verifier = make_app(clock=clock)
    token = f"Bearer {a_token()}"
    await ask(app, token)
    clock.now += SETTINGS.cache_ttl_s - 0.01
    assert (await ask(app, token)).headers["x-auth-cache"] == "hit"
    clock.now += 0.02
    assert (await ask(app, token)).headers["x-auth-cache"] == "miss"
    assert verifier.calls == 2


def test_a_verdict_is_never_kept_past_the_tokens_expiry() -> None:
    verdicts = VerdictCache(TokenVerifier(SETTINGS), ttl_s=5.0, max_entries=10)
    soon = datetime.now(UTC) + timedelta(seconds=2)
    token = jwt.encode(
        {"sub": "u", "tenant_id": str(uuid4()), "exp": soon}, SECRET, algorithm="HS256"
    )
    verdict, ttl_s = verdicts.judge(token)
    assert verdict.status == 204
    assert 0 < ttl_s <= 2.0
    # Expired a moment ago but inside the verifier's clock-skew leeway: let through, not kept.
    just_expired = jwt.encode(
        {"sub": "u", "tenant_id": str(uuid4()), "exp": datetime.now(UTC) - timedelta(seconds=3)},
        SECRET,
        algorithm="HS256",
    )
    verdict, ttl_s = verdicts.judge(just_expired)
    assert verdict.status == 204
    assert ttl_s <= 0


async def test_the_least_recently_used_verdict_goes_first_when_the_cache_is_full() -> None:
    app, _ = make_app()  # room for 3
    tokens = [f"Bearer {a_token()}" for _ in range(4)]
    for token in tokens[:3]:
        await ask(app, token)
    await ask(app, tokens[0])  # now the most recently used
    await ask(app, tokens[3])  # evicts tokens[1]
    assert (await ask(app, tokens[0])).headers["x-auth-cache"] == "hit"
    assert (await ask(app, tokens[1])).headers["x-auth-cache"] == "miss"


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def jwks_url(rsa_key: rsa.RSAPrivateKey) -> Iterator[str]:
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(rsa_key.public_key(), as_dict=True)
    body = json.dumps({"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]}).encode()

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
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/jwks.json"
    server.shutdown()
    server.server_close()


async def test_rs256_tokens_are_judged_with_keys_from_the_jwks_url(
    rsa_key: rsa.RSAPrivateKey, jwks_url: str
) -> None:
    settings = VerifierSettings(environment="test", jwt_algorithm="RS256", jwks_url=jwks_url)
    app = create_verifier_app(settings)
    tenant = uuid4()
    claims = {"sub": "u", "tenant_id": str(tenant), "exp": datetime.now(UTC) + timedelta(minutes=5)}
    token = jwt.encode(claims, rsa_key, algorithm="RS256", headers={"kid": "k1"})
    answer = await ask(app, f"Bearer {token}")
    assert (answer.status_code, answer.headers["x-auth-tenant"]) == (204, str(tenant))
    forged = jwt.encode(claims, SECRET, algorithm="HS256", headers={"kid": "k1"})
    assert (await ask(app, f"Bearer {forged}")).status_code == 401


async def test_unreachable_signing_keys_give_503_and_are_not_cached(
    rsa_key: rsa.RSAPrivateKey,
) -> None:
    dead = "http://127.0.0.1:9/jwks.json"  # the discard port: nothing listens there
    settings = VerifierSettings(environment="test", jwt_algorithm="RS256", jwks_url=dead)
    app, verifier = make_app(settings)
    claims = {
        "sub": "u",
        "tenant_id": str(uuid4()),
        "exp": datetime.now(UTC) + timedelta(minutes=5),
    }
    token = f"Bearer {jwt.encode(claims, rsa_key, algorithm='RS256', headers={'kid': 'k1'})}"
    answers = [await ask(app, token) for _ in range(2)]
    assert [a.status_code for a in answers] == [503, 503]
    assert answers[0].headers["x-auth-code"] == "authentication_unavailable"
    assert [a.headers["x-auth-cache"] for a in answers] == ["miss", "miss"]
    assert verifier.calls == 2


async def test_the_detail_never_holds_characters_that_would_break_json() -> None:
    from clinic_platform.gateway.verdicts import refused

    detail = refused('a "quoted" \\ back\nslash é').detail
    assert detail == "a quoted  backslash "


async def test_the_health_probe_answers_and_other_paths_are_404() -> None:
    app = make_app()[0]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://v") as c:
        assert (await c.get("/healthz")).json() == {"status": "ok"}
        assert (await c.get("/other")).status_code == 404


def test_the_development_secret_is_refused_outside_development() -> None:
    with pytest.raises(ValueError, match="outside development"):
        VerifierSettings(environment="production")
