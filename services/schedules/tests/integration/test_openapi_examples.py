"""Every example the schedules OpenAPI document declares for a request (a parameter, a body or
a field of one) is sent to its live route and accepted: the documentation never shows a value
the API refuses.

Field examples are placed, one at a time, into a valid base request of their operation; a
body's own examples are sent whole. An operation that declares examples needs a base request
here, and every example needs a place in it, so a new example cannot go untested.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from .conftest import Api
from .rules_clinic import open_clinic, put_week, week

pytestmark = pytest.mark.integration
PREFIX = "/api/v1/schedules"
Path = tuple[str | int, ...]
FIRST = "2027-01-04"  # the examples' first date
TIMES = {"start_time": "08:00", "end_time": "20:00"}  # around every example time


@dataclass
class Base:
    """A valid request of one operation, and the status that accepts it."""

    query: dict[str, str] = field(default_factory=dict)
    body: Any = None
    status: int = 200


def examples_in(node: Any, doc: dict[str, Any], path: Path = ()) -> Iterator[tuple[Path, Any]]:
    """(where in the value, example) for every schema node under `node` declaring examples;
    `"*"` stands for any key of a mapping, 0 for an item of a list."""
    while isinstance(node, dict) and "$ref" in node:
        target: Any = doc
        for part in node["$ref"].split("/")[1:]:
            target = target[part]
        node = target
    if not isinstance(node, dict):
        return
    for value in node.get("examples", []):
        yield path, value
    for branch in node.get("anyOf", []) + node.get("allOf", []) + node.get("oneOf", []):
        yield from examples_in(branch, doc, path)
    for name, child in node.get("properties", {}).items():
        yield from examples_in(child, doc, (*path, name))
    if isinstance(node.get("additionalProperties"), dict):
        yield from examples_in(node["additionalProperties"], doc, (*path, "*"))
    if isinstance(node.get("items"), dict):
        yield from examples_in(node["items"], doc, (*path, 0))


def placed(base: Any, path: Path, value: Any) -> Any:
    """The base with `value` at `path` (for `"*"`, at the base's first key there); KeyError,
    IndexError or StopIteration when the base has nothing to hold it."""
    if not path:
        return value
    body = copy.deepcopy(base)
    node = body
    for step in path[:-1]:
        node = node[next(iter(node))] if step == "*" else node[step]
    last = path[-1]
    node[next(iter(node)) if last == "*" else last] = value
    return body


async def test_every_request_example_of_the_openapi_document_is_accepted(
    schedules_api: Api,
) -> None:
    clinic = await open_clinic(schedules_api)
    client, admin = schedules_api.client, clinic.as_("admin")
    mine = clinic.as_("practitioner", clinic.p)
    assert (await put_week(clinic, mine, schedule=week(monday=[("09:00", "17:00")]))).is_success
    path_of_exceptions = f"/practitioners/{clinic.p}/availability/exceptions"
    one = await client.post(path_of_exceptions, json={"date": FIRST, **TIMES}, headers=mine)
    assert one.status_code == 201, one.text
    ids = {
        "practitioner_id": str(clinic.p),
        "location_id": str(clinic.berlin),
        "exception_id": one.json()["exception_id"],
        "on": FIRST,
    }
    interval = [dict(TIMES)]
    bases = {
        ("get", "/practitioners/{practitioner_id}/availability/calendar"): Base(),
        ("put", "/locations/{location_id}/clinic-hours"): Base(
            body={
                "hours": {"monday": interval},
                "date_overrides": [{"date": "2027-01-05", "intervals": interval}],
            }
        ),
        ("put", "/practitioners/{practitioner_id}/availability/default"): Base(
            body={"location_id": str(clinic.berlin), "schedule": {"monday": interval}}
        ),
        ("post", "/practitioners/{practitioner_id}/availability/exceptions"): Base(
            body={"rrule": "FREQ=WEEKLY", "dtstart": FIRST, "exdates": [], "rdates": [], **TIMES},
            status=201,
        ),
        ("put", "/practitioners/{practitioner_id}/availability/exceptions/{exception_id}"): Base(
            body=dict(TIMES)
        ),
        ("put", "/locations/{location_id}/holidays/{on}"): Base(
            body={"name": "Staff day", "rrule": "FREQ=YEARLY", "exdates": [], "rdates": []}
        ),
        ("post", "/practitioners/{practitioner_id}/leave"): Base(
            body={"start": f"{FIRST}T09:00", "end": f"{FIRST}T12:00", "timezone": "Europe/Berlin"},
            status=201,
        ),
        ("post", "/practitioners/{practitioner_id}/blocks"): Base(
            body={
                "start": f"{FIRST}T09:00",
                "end": f"{FIRST}T10:00",
                "timezone": "Europe/Berlin",
                "rrule": "FREQ=WEEKLY",
                "exdates": [],
                "rdates": [],
            },
            status=201,
        ),
    }

    doc = (await client.get("/openapi.json")).json()
    sent: list[str] = []
    refused: list[str] = []
    for template, operations in doc["paths"].items():
        route = template.removeprefix(PREFIX)
        for method, operation in operations.items():
            requests = list(_requests(operation, doc))
            if not requests:
                continue
            base = bases.get((method, route))
            if base is None:
                refused.append(f"{method} {route}: declares examples but has no base request")
                continue
            for where, path, value in requests:
                label = f"{method.upper()} {route} {where}{list(path)} = {value!r}"
                try:
                    query, body = dict(base.query), base.body
                    if where == "query":
                        query[str(path[0])] = value
                    elif where == "body":
                        body = placed(base.body, path, value)
                    named = {str(path[0]): value} if where == "path" else {}
                    url = route.format(**(ids | named))
                except (KeyError, IndexError, StopIteration):
                    refused.append(f"{label}: the base request has no place for it")
                    continue
                answer = await client.request(method, url, params=query, json=body, headers=admin)
                sent.append(label)
                if answer.status_code != base.status:
                    refused.append(f"{label}: {answer.status_code} {answer.text[:300]}")
    assert refused == []
    # Parameters, body fields and whole bodies of the rules and queries are all exercised.
    assert len(sent) >= 30, sent
    assert any("rrule" in label and "UNTIL=20271231" in label for label in sent)


def _requests(operation: dict[str, Any], doc: dict[str, Any]) -> Iterator[tuple[str, Path, Any]]:
    """(where, path, example) of every example declared for the operation's request."""
    for parameter in operation.get("parameters", []):
        where, name = parameter["in"], parameter["name"]
        for path, value in examples_in(parameter.get("schema", {}), doc):
            yield where, (name, *path), value
        for named in parameter.get("examples", {}).values():
            yield where, (name,), named["value"]
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    for path, value in examples_in(content.get("schema", {}), doc):
        yield "body", path, value
