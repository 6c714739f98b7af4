# ruff: noqa: RUF001  (full-width punctuation is correct in Traditional Chinese text)
"""The built-in message texts per kind and language (Jinja2); tenants override them per channel.

Variables: patient_name, practitioner_name, location_name, location_address,
appointment_type_name, start, end (local to the location), start_patient (the patient's own
local time, or None when it is the same), previous_start, status, reason, cancelled_by,
rebook_url, lead_time, decided_by, appointment_id.
"""

from __future__ import annotations

from notifications.domain.model import Kind

_PATIENT_TIME_EN = "{% if start_patient %} (your time: {{ start_patient }}){% endif %}"
_PATIENT_TIME_ZH = "{% if start_patient %}（您的當地時間：{{ start_patient }}）{% endif %}"
_DETAILS_EN = (
    "- When: {{ start }}" + _PATIENT_TIME_EN + "\n"
    "- With: {{ practitioner_name }}\n"
    "- For: {{ appointment_type_name }}\n"
    "- Where: {{ location_name }}{% if location_address %}, {{ location_address }}{% endif %}"
)
_DETAILS_ZH = (
    "• 時間：{{ start }}" + _PATIENT_TIME_ZH + "\n"
    "• 治療師：{{ practitioner_name }}\n"
    "• 項目：{{ appointment_type_name }}\n"
    "• 地點：{{ location_name }}{% if location_address %}，{{ location_address }}{% endif %}"
)
_REBOOK_EN = (
    'To book again, reply "rebook" or tell us a time that suits you.'
    "{% if rebook_url %}\nOr book online: {{ rebook_url }}{% endif %}"
)
# The seed's LINE message for a cancelled appointment, word for word.
_REBOOK_ZH = (
    "如需重新預約，請回覆「重新預約」或直接告訴我您方便的時間。"
    "{% if rebook_url %}\n線上預約：{{ rebook_url }}{% endif %}"
)

DEFAULTS: dict[Kind, dict[str, tuple[str, str]]] = {
    Kind.CONFIRMATION: {
        "en": (
            "{% if status == 'pending' %}Booking received{% else %}Appointment confirmed"
            "{% endif %}: {{ start }}",
            "Dear {{ patient_name }},\n\n{% if status == 'pending' %}We have received your "
            "booking; the clinic will confirm it shortly.{% else %}Your appointment is confirmed."
            "{% endif %}\n\n" + _DETAILS_EN + "\n\nSee you soon.",
        ),
        "zh-Hant": (
            "{% if status == 'pending' %}預約已收到{% else %}預約確認{% endif %}：{{ start }}",
            "{{ patient_name }} 您好：\n\n{% if status == 'pending' %}我們已收到您的預約，"
            "診所將盡快確認。{% else %}您的預約已確認。{% endif %}\n\n"
            + _DETAILS_ZH
            + "\n\n期待您的光臨。",
        ),
    },
    Kind.RESCHEDULED: {
        "en": (
            "Appointment moved to {{ start }}",
            "Dear {{ patient_name }},\n\nYour appointment has moved from {{ previous_start }} "
            "to a new time:\n\n" + _DETAILS_EN,
        ),
        "zh-Hant": (
            "預約時間變更：{{ start }}",
            "{{ patient_name }} 您好：\n\n您的預約已由 {{ previous_start }} 改至新的時間：\n\n"
            + _DETAILS_ZH,
        ),
    },
    Kind.CANCELLED: {
        "en": (
            "Appointment cancelled: {{ start }}",
            "Appointment cancelled\n\nYour appointment has been cancelled:\n"
            + _DETAILS_EN
            + "{% if reason %}\n- Reason: {{ reason }}{% endif %}\n\n"
            + _REBOOK_EN
            + "\n\nIf you have any questions, please contact the clinic.",
        ),
        "zh-Hant": (
            "預約取消通知：{{ start }}",
            "預約取消通知\n\n您的預約已被取消：\n"
            + _DETAILS_ZH
            + "{% if reason %}\n• 原因：{{ reason }}{% endif %}\n\n"
            + _REBOOK_ZH
            + "\n\n如有疑問，請聯繫診所。",
        ),
    },
    Kind.DECLINED: {
        "en": (
            "Booking not accepted: {{ start }}",
            "Dear {{ patient_name }},\n\nWe are sorry: the clinic could not accept your booking."
            "\n\n"
            + _DETAILS_EN
            + "{% if reason %}\n- Reason: {{ reason }}{% endif %}\n\n"
            + _REBOOK_EN,
        ),
        "zh-Hant": (
            "預約未能受理：{{ start }}",
            "{{ patient_name }} 您好：\n\n很抱歉，診所無法受理您的預約。\n\n"
            + _DETAILS_ZH
            + "{% if reason %}\n• 原因：{{ reason }}{% endif %}\n\n"
            + _REBOOK_ZH,
        ),
    },
    Kind.REMINDER: {
        "en": (
            "Reminder: your appointment {{ start }}",
            "Dear {{ patient_name }},\n\nA reminder of your appointment in {{ lead_time }}:\n\n"
            + _DETAILS_EN
            + "\n\nIf you cannot come, please let the clinic know.",
        ),
        "zh-Hant": (
            "預約提醒：{{ start }}",
            "{{ patient_name }} 您好：\n\n提醒您 {{ lead_time }}後的預約：\n\n"
            + _DETAILS_ZH
            + "\n\n如無法前來，請通知診所。",
        ),
    },
    Kind.PRACTITIONER_BOOKED: {
        "en": (
            "New booking: {{ start }}",
            "{{ practitioner_name }}, a new appointment was booked:\n\n- When: {{ start }}\n"
            "- Patient: {{ patient_name }}\n- For: {{ appointment_type_name }}\n"
            "- Where: {{ location_name }}",
        ),
        "zh-Hant": (
            "新預約：{{ start }}",
            "{{ practitioner_name }}，您有一筆新預約：\n\n• 時間：{{ start }}\n"
            "• 病患：{{ patient_name }}\n• 項目：{{ appointment_type_name }}\n"
            "• 地點：{{ location_name }}",
        ),
    },
    Kind.PRACTITIONER_CANCELLED: {
        "en": (
            "Cancelled: {{ start }}",
            "{{ practitioner_name }}, an appointment was cancelled ({{ cancelled_by }}):\n\n"
            "- When: {{ start }}\n- Patient: {{ patient_name }}\n"
            "- For: {{ appointment_type_name }}{% if reason %}\n- Reason: {{ reason }}{% endif %}",
        ),
        "zh-Hant": (
            "預約取消：{{ start }}",
            "{{ practitioner_name }}，有一筆預約已取消：\n\n• 時間：{{ start }}\n"
            "• 病患：{{ patient_name }}\n• 項目：{{ appointment_type_name }}"
            "{% if reason %}\n• 原因：{{ reason }}{% endif %}",
        ),
    },
    Kind.STAFF_OUTSIDE_HOURS: {
        "en": (
            "Outside working hours: {{ start }}",
            "An appointment now lies outside working hours (decided by {{ decided_by }}):\n\n"
            "- When: {{ start }}\n- Practitioner: {{ practitioner_name }}\n"
            "- Patient: {{ patient_name }}\n- Where: {{ location_name }}\n"
            "- Appointment: {{ appointment_id }}\n\nPlease check it with the practitioner.",
        ),
        "zh-Hant": (
            "預約超出看診時間：{{ start }}",
            "有一筆預約目前位於看診時間之外（判定依據：{{ decided_by }}）：\n\n"
            "• 時間：{{ start }}\n• 治療師：{{ practitioner_name }}\n• 病患：{{ patient_name }}\n"
            "• 地點：{{ location_name }}\n• 預約編號：{{ appointment_id }}\n\n請與治療師確認。",
        ),
    },
}

# HTML email bodies derived from the text; autoescaped, so names and reasons stay text.
HTML_LAYOUT = (
    '<!doctype html>\n<html lang="{{ language }}"><body>'
    "{% for paragraph in paragraphs %}<p>"
    "{% for line in paragraph %}{{ line }}{% if not loop.last %}<br>{% endif %}{% endfor %}"
    "</p>{% endfor %}</body></html>"
)
