"""Bearer JWTs: verify them (HS256 secret or RS256 via JWKS) and issue them for development."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from uuid import UUID

import jwt

from clinic_platform.auth.principal import Principal
from clinic_platform.settings import ServiceSettings

_LEEWAY = timedelta(seconds=10)  # tolerate small clock skew between issuer and service
_JWKS_TIMEOUT_S = 3.0
_JWKS_LIFESPAN_S = 300.0


class InvalidToken(Exception):
    """The token is missing a claim, expired, forged or malformed; the message is safe to show."""


class VerifierUnavailable(Exception):
    """The key set could not be fetched, so no token can be judged right now."""


class TokenVerifier:
    """Verifies bearer tokens against the settings' algorithm, key, issuer and audience."""

    def __init__(self, settings: ServiceSettings) -> None:
        self.algorithm = settings.jwt_algorithm
        self._secret = settings.jwt_secret.get_secret_value()
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience
        self._jwks: jwt.PyJWKClient | None = None
        if self.algorithm == "RS256":
            if not settings.jwks_url:
                raise ValueError("jwks_url: required when jwt_algorithm is RS256")
            self._jwks = jwt.PyJWKClient(
                settings.jwks_url,
                cache_keys=True,
                lifespan=_JWKS_LIFESPAN_S,
                timeout=_JWKS_TIMEOUT_S,
            )

    @property
    def may_block(self) -> bool:
        """Whether verifying may fetch keys over the network (so run it off the event loop)."""
        return self._jwks is not None

    def verify(self, token: str) -> Principal:
        """The principal the token speaks for, or `InvalidToken`."""
        try:
            claims = jwt.decode(
                token,
                key=self._key(token),
                algorithms=[self.algorithm],  # one algorithm only: no alg-confusion attacks
                issuer=self._issuer,
                audience=self._audience,
                leeway=_LEEWAY,
                options={
                    "require": ["exp", "sub"],
                    "verify_aud": self._audience is not None,
                    "verify_iss": self._issuer is not None,
                },
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidToken("the token has expired") from exc
        except jwt.MissingRequiredClaimError as exc:
            raise InvalidToken(f"the token lacks the {exc.claim!r} claim") from exc
        except (jwt.InvalidAudienceError, jwt.InvalidIssuerError) as exc:
            raise InvalidToken("the token is for another audience or issuer") from exc
        except jwt.PyJWTError as exc:
            raise InvalidToken("the token is malformed or its signature is invalid") from exc
        return _principal(claims)

    def _key(self, token: str) -> str | jwt.PyJWK:
        if self._jwks is None:
            return self._secret
        try:
            return self._jwks.get_signing_key_from_jwt(token)
        except jwt.PyJWKClientConnectionError as exc:
            raise VerifierUnavailable("the signing keys cannot be fetched") from exc
        except jwt.PyJWTError as exc:
            raise InvalidToken("the token's signing key is unknown") from exc


def _principal(claims: Mapping[str, object]) -> Principal:
    roles = claims.get("roles", [])
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise InvalidToken("the 'roles' claim must be a list of strings")
    tenant_id = _uuid_claim(claims, "tenant_id")
    if tenant_id is None:
        raise InvalidToken("the token lacks the 'tenant_id' claim")
    return Principal(
        subject=str(claims["sub"]),
        tenant_id=tenant_id,
        roles=frozenset(roles),
        practitioner_id=_uuid_claim(claims, "practitioner_id"),
        patient_id=_uuid_claim(claims, "patient_id"),
    )


def _uuid_claim(claims: Mapping[str, object], name: str) -> UUID | None:
    value = claims.get(name)
    if value is None:
        return None
    try:
        return UUID(str(value))
    except ValueError as exc:
        raise InvalidToken(f"the {name!r} claim is not a UUID") from exc


def issue_token(
    settings: ServiceSettings,
    *,
    subject: str,
    tenant_id: UUID,
    roles: Iterable[str],
    practitioner_id: UUID | None = None,
    patient_id: UUID | None = None,
    ttl: timedelta = timedelta(hours=1),
) -> str:
    """An HS256 token for development and tests; real tokens come from the identity provider."""
    if settings.environment == "production":
        raise RuntimeError("issue_token is for development and tests, not production")
    if settings.jwt_algorithm != "HS256":
        raise RuntimeError("issue_token signs HS256 tokens only")
    now = datetime.now(UTC)
    claims: dict[str, object] = {
        "sub": subject,
        "tenant_id": str(tenant_id),
        "roles": sorted(roles),
        "iat": now,
        "exp": now + ttl,
    }
    optional = {
        "practitioner_id": practitioner_id and str(practitioner_id),
        "patient_id": patient_id and str(patient_id),
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
    }
    claims.update({k: v for k, v in optional.items() if v is not None})
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm="HS256")
