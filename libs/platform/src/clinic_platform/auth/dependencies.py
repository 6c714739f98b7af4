"""FastAPI dependencies: the caller's principal, and permission gates on routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.params import Depends as DependsParam
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from clinic_platform.auth.principal import Principal
from clinic_platform.auth.tokens import InvalidToken, TokenVerifier, VerifierUnavailable
from clinic_platform.errors import Forbidden, ServiceUnavailable, Unauthorized

# auto_error=False: we answer with our own problem document instead of FastAPI's 403.
_bearer = HTTPBearer(auto_error=False, description="A JWT issued by the clinic's identity provider")


async def get_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller named by the `Authorization: Bearer` token, or a 401 problem."""
    if credentials is None:
        raise Unauthorized("Send an 'Authorization: Bearer <token>' header.")
    verifier: TokenVerifier = request.app.state.token_verifier
    try:
        if verifier.may_block:  # a JWKS fetch must not stall the event loop
            return await run_in_threadpool(verifier.verify, credentials.credentials)
        return verifier.verify(credentials.credentials)
    except InvalidToken as exc:
        raise _invalid_token(str(exc)) from None
    except VerifierUnavailable as exc:
        raise ServiceUnavailable(str(exc)) from None


def _invalid_token(detail: str) -> Unauthorized:
    error = Unauthorized(detail, code="invalid_token")
    # RFC 6750: tell the client the token itself is the problem, so it re-authenticates.
    error.headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
    return error


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def require(*permissions: str) -> DependsParam:
    """A dependency that yields the principal only when it holds every one of `permissions`."""

    async def check(principal: CurrentPrincipal) -> Principal:
        missing = [p for p in permissions if not principal.can(p)]
        if missing:
            raise _forbidden(missing)
        return principal

    return DependsParam(check)


def require_any(*permissions: str) -> DependsParam:
    """A dependency that yields the principal when it holds at least one of `permissions`."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if not any(principal.can(p) for p in permissions):
            raise _forbidden(list(permissions), any_of=True)
        return principal

    return DependsParam(check)


def _forbidden(missing: list[str], *, any_of: bool = False) -> Forbidden:
    names = " or ".join(missing) if any_of else ", ".join(missing)
    return Forbidden(
        f"This action needs the permission {names}.",
        code="missing_permission",
        extra={"missing_permissions": [str(p) for p in missing]},
    )
