"""The edge: the token verifier behind the gateway's `auth_request`, and the gateway's config.

nginx (deploy/gateway) stays the gateway; this package is the part of it written in Python, so
tokens are judged by the same `TokenVerifier` (HS256 or RS256 with JWKS) the services use.
"""

from clinic_platform.gateway.nginx import TemplateError, render_gateway, render_text
from clinic_platform.gateway.settings import NginxSettings, VerifierSettings
from clinic_platform.gateway.verdicts import Verdict, VerdictCache, bearer_token
from clinic_platform.gateway.verifier import VerifierApp, create_verifier_app

__all__ = [
    "NginxSettings",
    "TemplateError",
    "Verdict",
    "VerdictCache",
    "VerifierApp",
    "VerifierSettings",
    "bearer_token",
    "create_verifier_app",
    "render_gateway",
    "render_text",
]
