"""Examples are found wherever an OpenAPI document declares them."""

from clinic_testkit.openapi import declared_examples


def test_examples_of_properties_items_unions_and_parameters_are_all_found() -> None:
    document = {
        "components": {
            "schemas": {
                "Exception": {
                    "properties": {
                        "rrule": {"anyOf": [{"type": "string", "examples": ["FREQ=DAILY"]}]},
                        "dates": {"items": {"type": "string", "example": "2026-01-05"}},
                        "when": {"properties": {"month": {"examples": ["2026-11", "2027-01"]}}},
                    }
                }
            }
        },
        "paths": {
            "/calendar": {
                "get": {
                    "parameters": [
                        {"name": "month", "in": "query", "schema": {"examples": ["2026-12"]}},
                        {"name": "q", "in": "query", "examples": {"one": {"value": "x"}}},
                    ]
                }
            }
        },
    }
    found = {(example.where, str(example.value)) for example in declared_examples(document)}
    assert found == {
        (("Exception", "rrule"), "FREQ=DAILY"),
        (("Exception", "dates"), "2026-01-05"),
        (("Exception", "when", "month"), "2026-11"),
        (("Exception", "when", "month"), "2027-01"),
        (("GET /calendar", "month"), "2026-12"),
        (("GET /calendar", "q"), "x"),
    }
