"""Google's error responses: the Calendar API's JSON error and OAuth 2.0's token errors."""

from __future__ import annotations

from typing import Any

# google.rpc canonical codes that Google's front end puts in "status" for these HTTP codes.
_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    412: "FAILED_PRECONDITION",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


class GoogleApiError(Exception):
    """An error the Calendar API answers, as ``{"error": {code, message, errors, status}}``."""

    def __init__(
        self,
        code: int,
        reason: str,
        message: str,
        *,
        domain: str = "global",
        location: str | None = None,
        location_type: str | None = None,
        headers: dict[str, str] | None = None,
        top_message: str | None = None,
    ) -> None:
        super().__init__(f"{code} {reason}: {message}")
        self.code = code
        self.reason = reason
        self.message = message
        self.domain = domain
        self.location = location
        self.location_type = location_type
        self.headers = headers or {}
        self.top_message = top_message or message

    def body(self) -> dict[str, Any]:
        detail: dict[str, Any] = {
            "domain": self.domain,
            "reason": self.reason,
            "message": self.message,
        }
        if self.location:
            detail["location"] = self.location
            detail["locationType"] = self.location_type or "parameter"
        error: dict[str, Any] = {
            "code": self.code,
            "message": self.top_message,
            "errors": [detail],
        }
        status = _STATUS.get(self.code)
        if status:  # 410 has no canonical code; Google sends none there
            error["status"] = status
        return {"error": error}


def bad_request(message: str, reason: str = "invalid", **kw: Any) -> GoogleApiError:
    return GoogleApiError(400, reason, message, **kw)


def not_found() -> GoogleApiError:
    return GoogleApiError(404, "notFound", "Not Found")


def required(message: str) -> GoogleApiError:
    return GoogleApiError(400, "required", message)


def invalid_parameter(name: str, value: str, why: str) -> GoogleApiError:
    return GoogleApiError(
        400,
        "invalidParameter",
        f"Invalid value '{value}' for {name}: {why}",
        location=name,
        location_type="parameter",
    )


def unauthenticated(*, missing: bool) -> GoogleApiError:
    explain = (
        "Expected OAuth 2 access token, login cookie or other valid authentication credential. "
        "See https://developers.google.com/identity/sign-in/web/devconsole-project."
    )
    if missing:
        return GoogleApiError(
            401,
            "required",
            "Login Required.",
            location="Authorization",
            location_type="header",
            top_message="Request is missing required authentication credential. " + explain,
            headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'},
        )
    return GoogleApiError(
        401,
        "authError",
        "Invalid Credentials",
        location="Authorization",
        location_type="header",
        top_message="Request had invalid authentication credentials. " + explain,
        headers={
            "WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"'
        },
    )


def insufficient_scopes() -> GoogleApiError:
    return GoogleApiError(
        403,
        "insufficientPermissions",
        "Insufficient Permission",
        top_message="Request had insufficient authentication scopes.",
        headers={
            "WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", '
            'error="insufficient_scope"'
        },
    )


class OAuthError(Exception):
    """An error of the token or revoke endpoint: ``{"error", "error_description"}``."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(f"{status} {error}: {description}")
        self.status = status
        self.error = error
        self.description = description

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}
