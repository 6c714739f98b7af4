"""The Calendar v3 discovery document that ships with ``google-api-python-client``.

The double reads its method table from it rather than restating it: the HTTP method and path
of each method it serves, the OAuth scopes that may call it, and the query parameters it takes
(name, type, enum, minimum). A parameter the document does not name is refused with 400, which
is stricter than Google (the real API ignores most unknown parameters) so that a typo in the
service fails its tests instead of being silently ignored.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

#: The standard query parameters every Google API method takes.
STANDARD_PARAMETERS = frozenset(
    {"alt", "fields", "key", "oauth_token", "prettyPrint", "quotaUser", "userIp"}
)


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    location: str
    required: bool
    repeated: bool
    enum: tuple[str, ...]
    minimum: int | None


@dataclass(frozen=True)
class Method:
    id: str
    http_method: str
    path: str  # relative to /calendar/v3/, e.g. "calendars/{calendarId}/events"
    scopes: frozenset[str]
    parameters: dict[str, Parameter]


@functools.cache
def document() -> dict[str, Any]:
    """The parsed ``calendar.v3.json`` of the installed google-api-python-client."""
    path = resources.files("googleapiclient.discovery_cache") / "documents" / "calendar.v3.json"
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


@functools.cache
def method(method_id: str) -> Method:
    """A method by its discovery id, e.g. ``calendar.events.insert``."""
    _, resource, name = method_id.split(".")
    spec = document()["resources"][resource]["methods"][name]
    params: dict[str, Parameter] = {}
    for pname, p in spec.get("parameters", {}).items():
        minimum = p.get("minimum")
        params[pname] = Parameter(
            name=pname,
            type=p.get("type", "string"),
            location=p.get("location", "query"),
            required=bool(p.get("required", False)),
            repeated=bool(p.get("repeated", False)),
            enum=tuple(p.get("enum", ())),
            minimum=int(minimum) if minimum is not None else None,
        )
    return Method(
        id=spec["id"],
        http_method=spec["httpMethod"],
        path=spec["path"],
        scopes=frozenset(spec.get("scopes", ())),
        parameters=params,
    )


@functools.cache
def event_fields() -> frozenset[str]:
    """The property names of the Event resource."""
    return frozenset(document()["schemas"]["Event"]["properties"])
