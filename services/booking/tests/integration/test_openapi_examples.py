"""Every example in booking's OpenAPI document is posted by this test and accepted.

The document is read from the live app. Each request body's example, each example of one of its
fields (set into that body's example) and each parameter's example is sent, by the admin of a
tenant of its own, to its route, which must answer 2xx. Ids in an example are replaced by live
ids of the same kind and `start_at` by a bookable instant: an example's date goes stale and its
ids name nothing here, but everything else is sent as documented.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

import pytest

pytestmark = pytest.mark.integration
API = "/api/v1/booking"
JSON = "application/json"


@dataclass(frozen=True)
class Case:
    """One example to send: a whole body, a field of the body, or a parameter."""

    method: str
    path: str
    kind: str  # "body", "field" or "parameter"
    name: str | None
    value: Any

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path} {self.kind} {self.name or ''} = {self.value!r}"


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _examples(doc: dict[str, Any], schema: dict[str, Any]) -> list[Any]:
    schema = _resolve(doc, schema)
    found = list(schema.get("examples", []))
    for branch in schema.get("anyOf", []) + schema.get("allOf", []):
        found += _examples(doc, branch)
    return found


def _body_schema(doc: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any] | None:
    content = operation.get("requestBody", {}).get("content", {}).get(JSON)
    return _resolve(doc, content["schema"]) if content else None


def collect(doc: dict[str, Any]) -> list[Case]:
    """Every example the document declares for a request: bodies, their fields, parameters."""
    cases = []
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            body = _body_schema(doc, operation)
            if body is not None:
                cases += [Case(method, path, "body", None, e) for e in body.get("examples", [])]
                for name, field in body.get("properties", {}).items():
                    cases += [Case(method, path, "field", name, e) for e in _examples(doc, field)]
            for parameter in operation.get("parameters", []):
                named = parameter.get("examples", {}).values()
                values = [e["value"] for e in named] + _examples(doc, parameter["schema"])
                cases += [Case(method, path, "parameter", parameter["name"], v) for v in values]
    return cases


class Live:
    """A tenant's clinic, and the live value to send for each id or instant of an example."""

    def __init__(self, clinic: Any) -> None:
        self.c = clinic
        self.days: Iterator[int] = itertools.count(2)
        self.ids: dict[str, Any] = {}

    async def prepare(self) -> None:
        c = self.c
        c.type_id = await c.new_type(max_future_days=90)  # the API's default horizon
        equipment = await c.create("/equipment", {"location_id": c.location_id, "name": "Chair"})
        self.ids = {
            "location_id": c.location_id,
            "location_ids": [c.location_id],
            "appointment_type_id": c.type_id,
            "practitioner_ids": [c.practitioners[0]],
            "practitioner_id": c.practitioners[0],
            "patient_id": c.patient_id,
            "room_id": c.room_id,
            "default_room_id": c.room_id,
            "equipment_id": equipment,
            "required_equipment_ids": [equipment],
        }

    def start(self) -> str:
        return str(self.c.at(next(self.days), 10))

    def substitute(self, value: Any, key: str | None = None) -> Any:
        """`value` with its ids and start instants replaced by live ones."""
        if isinstance(value, dict):
            return {k: self.substitute(v, k) for k, v in value.items()}
        if key == "start_at":
            return self.start()
        if key in self.ids and value is not None:
            return self.ids[key]
        assert not _is_id(value), f"{key}={value!r}: an id this test cannot replace"
        return value

    async def made(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.c.booking.client.post(f"{API}{path}", json=body, headers=self.c.admin)
        assert response.status_code == 201, response.text
        made: dict[str, Any] = response.json()
        return made

    async def path(self, template: str) -> str:
        """The route with its path parameters: existing rows, or a fresh hold / appointment /
        series for the routes that change one."""
        reserve = {
            "appointment_type_id": self.c.type_id,
            "location_id": self.c.location_id,
            "practitioner_ids": [self.c.practitioners[0]],
            "patient_id": self.c.patient_id,
        }
        if "{hold_id}" in template:
            self.ids["hold_id"] = (
                await self.made("/holds", {**reserve, "start_at": self.start()})
            )["id"]
        if "{appointment_id}" in template:
            booked = await self.made("/appointments", {**reserve, "start_at": self.start()})
            self.ids["appointment_id"] = booked["id"]
        if "{series_id}" in template:
            weekly = {**reserve, "start_at": self.start(), "rrule": "FREQ=WEEKLY;COUNT=3"}
            series = await self.made("/series", weekly)
            self.ids["series_id"] = series["series_id"]
            self.ids["from_appointment_id"] = series["booked"][1]["id"]
        return template.format(**{k: v for k, v in self.ids.items() if isinstance(v, str)})


def _is_id(value: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    try:
        return bool(values) and all(isinstance(v, str) and UUID(v) for v in values)
    except ValueError:
        return False


async def _send(live: Live, doc: dict[str, Any], case: Case) -> Any:
    operation = doc["paths"][case.path][case.method]
    url = await live.path(case.path)  # first: an example may refer to what it makes
    body_schema = _body_schema(doc, operation)
    body = None
    if body_schema is not None:
        body = dict(live.substitute(body_schema["examples"][0]))
        if case.kind == "body":
            body = live.substitute(case.value)
        elif case.kind == "field":
            body[case.name] = live.substitute(case.value, case.name)
    params = {
        p["name"]: live.substitute(_examples(doc, p["schema"])[0], p["name"])
        for p in operation.get("parameters", [])
        if p["in"] == "query" and p.get("required")
    }
    if case.kind == "parameter":
        params[case.name] = live.substitute(case.value, case.name)
    return await live.c.booking.client.request(
        case.method, url, json=body, params=params, headers=live.c.admin
    )


async def test_every_example_in_the_openapi_document_is_accepted(
    shared_booking: Any, clinic_opener: Callable[..., Any]
) -> None:
    document = await shared_booking.client.get(f"{API}/openapi.json")
    doc: dict[str, Any] = document.json()
    cases = collect(doc)
    with_body = {
        (method, path)
        for path, item in doc["paths"].items()
        for method, operation in item.items()
        if _body_schema(doc, operation) is not None
    }
    exemplified = {(case.method, case.path) for case in cases if case.kind == "body"}
    assert with_body == exemplified, "every request body declares an example"

    refused = []
    for case in cases:
        live = Live(await clinic_opener(shared_booking, uuid4()))
        await live.prepare()
        response = await _send(live, doc, case)
        # A series that books only some of its occurrences is not an example accepted whole.
        answer = response.json() if response.content else None
        partly = isinstance(answer, dict) and bool(answer.get("skipped"))
        if not response.is_success or partly:
            refused.append(f"{case}: {response.status_code} {response.text}")
    assert refused == []
    assert len(cases) > len(with_body)  # fields and parameters were walked too
