"""Bearer-token authentication and role-based permissions."""

from clinic_platform.auth.dependencies import CurrentPrincipal, get_principal, require, require_any
from clinic_platform.auth.permissions import ROLE_PERMISSIONS, Permission, permissions_for
from clinic_platform.auth.principal import Principal
from clinic_platform.auth.tokens import InvalidToken, TokenVerifier, issue_token

__all__ = [
    "ROLE_PERMISSIONS",
    "CurrentPrincipal",
    "InvalidToken",
    "Permission",
    "Principal",
    "TokenVerifier",
    "get_principal",
    "issue_token",
    "permissions_for",
    "require",
    "require_any",
]
