"""Schedules serves booking's availability check exactly as `clinic_contracts.http` declares it."""

from typing import Any

from clinic_contracts.http.availability import CHECK_PATH, CheckAnswer, CheckQuery
from schedules.app import build_app
from schedules.config import Settings

NOWHERE = "postgresql+psycopg://nobody@127.0.0.1:1/none"
WORDING = ("title", "description", "examples")


def shape(schema: dict[str, Any]) -> dict[str, Any]:
    """What a value must look like, without the words around it (FastAPI leaves out a null
    default: an optional parameter left out is None either way)."""
    return {
        key: value
        for key, value in schema.items()
        if key not in WORDING and not (key == "default" and value is None)
    }


def check_operation() -> tuple[dict[str, Any], dict[str, Any]]:
    document = build_app(Settings(database_url=NOWHERE)).openapi()
    return document["paths"][CHECK_PATH]["get"], document["components"]["schemas"]


def test_the_route_takes_exactly_the_query_parameters_of_the_contract() -> None:
    operation, _ = check_operation()
    served = {
        p["name"]: (p["required"], shape(p["schema"]))
        for p in operation["parameters"]
        if p["in"] == "query"
    }
    contract = CheckQuery.model_json_schema()
    declared = {
        name: (name in contract["required"], shape(prop))
        for name, prop in contract["properties"].items()
    }
    assert served == declared


def test_the_route_answers_with_the_contracts_model() -> None:
    operation, schemas = check_operation()
    reference = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    served = schemas[reference.rsplit("/", 1)[-1]]
    assert served == CheckAnswer.model_json_schema(mode="serialization")
    assert set(served["required"]) == {"bookable", "rule", "reasons"}
