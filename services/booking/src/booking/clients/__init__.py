"""Clients of other services' public HTTP APIs (never their code or databases)."""
