"""One example of every request body, published in the OpenAPI document.

A test posts each one (ids and start instants replaced by live ones) and expects it accepted,
so these stay true. The ids are the ones the contracts' event examples use.
"""

from __future__ import annotations

from pydantic import ConfigDict
from pydantic.config import JsonDict

LOCATION = "7d1f2c3a-8b4e-4f6a-9c0d-1e2f3a4b5c6d"
PRACTITIONER = "0b9e8d7c-6a5f-4e3d-8c2b-1a0f9e8d7c6b"
APPOINTMENT_TYPE = "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d"
ROOM = "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f"
EQUIPMENT = "e0f1a2b3-c4d5-4e6f-8a7b-9c0d1e2f3a4b"
PATIENT = "9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f"
APPOINTMENT = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
START = "2026-12-15T10:00:00+08:00"


def example(body: JsonDict) -> ConfigDict:
    """Model config publishing `body` as the model's example."""
    return ConfigDict(json_schema_extra={"examples": [body]})


LOCATION_CREATE: JsonDict = {
    "name": "Da'an Clinic",
    "address": "1 Fuxing South Road, Taipei",
    "timezone": "Asia/Taipei",
}
LOCATION_UPDATE: JsonDict = {"address": "2 Fuxing South Road, Taipei"}
PRACTITIONER_CREATE: JsonDict = {
    "display_name": "Dr. Lin",
    "bio": "Family medicine.\nTwenty years of practice in Taipei.",
    "status": "active",
    "location_ids": [LOCATION],
    "specialties": ["family medicine"],
}
PRACTITIONER_UPDATE: JsonDict = {"specialties": ["family medicine", "sports medicine"]}
APPOINTMENT_TYPE_CREATE: JsonDict = {
    "slug": "first-visit",
    "name": "First visit",
    "duration_minutes": 30,
    "buffer_after_minutes": 10,
    "min_notice_minutes": 120,
    "max_future_days": 90,
    "reschedule_limit": 2,
    "cancellation_notice_minutes": 1440,
    "consultation_mode": "in_person",
    "price": "800.00",
    "currency": "TWD",
    "default_room_id": ROOM,
    "required_equipment_ids": [EQUIPMENT],
}
APPOINTMENT_TYPE_UPDATE: JsonDict = {"duration_minutes": 45, "price": "950.00"}
ROOM_CREATE: JsonDict = {"location_id": LOCATION, "name": "Room 2", "capacity": 1}
ROOM_UPDATE: JsonDict = {"capacity": 2}
EQUIPMENT_CREATE: JsonDict = {"location_id": LOCATION, "name": "Panoramic X-ray"}
EQUIPMENT_UPDATE: JsonDict = {"name": "Panoramic X-ray, 2026 model"}
PATIENT_CREATE: JsonDict = {
    "name": "Chen Mei-Ling",
    "email": "meiling@example.org",
    "phone": "+886912345678",
    "preferred_language": "zh-Hant",
    "preferred_channel": "sms",
    "timezone": "Asia/Taipei",
}
PATIENT_UPDATE: JsonDict = {"preferred_channel": "email", "phone": None}
RESERVE: JsonDict = {
    "appointment_type_id": APPOINTMENT_TYPE,
    "location_id": LOCATION,
    "practitioner_ids": [PRACTITIONER],
    "start_at": START,
    "patient_id": PATIENT,
}
HOLD_BOOK: JsonDict = {"patient_id": PATIENT}
RESCHEDULE: JsonDict = {"start_at": "2026-12-16T14:30:00+08:00"}
REASON: JsonDict = {"reason": "The patient has a fever."}
SERIES_CREATE: JsonDict = {**RESERVE, "rrule": "FREQ=WEEKLY;COUNT=6", "skip_conflicts": True}
SERIES_CANCEL: JsonDict = {
    "scope": "following",
    "from_appointment_id": APPOINTMENT,
    "reason": "Treatment finished early.",
}
