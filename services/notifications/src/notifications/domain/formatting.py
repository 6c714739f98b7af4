"""Languages and local times as a message shows them (Babel, the IANA zone of the place)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, format_timedelta, get_timezone_name

LANGUAGES: tuple[str, ...] = ("en", "zh-Hant")
DEFAULT_LANGUAGE = "en"
_BABEL_LOCALES = {"en": "en", "zh-Hant": "zh_Hant_TW"}


def resolve_language(tag: str | None) -> str:
    """The supported language closest to a BCP 47 tag: any Chinese → zh-Hant, else English."""
    if not tag:
        return DEFAULT_LANGUAGE
    primary = tag.replace("_", "-").split("-")[0].lower()
    # Traditional is the written form of the clinics' Chinese-speaking patients; a Simplified
    # reader still reads it better than English.
    return "zh-Hant" if primary == "zh" else DEFAULT_LANGUAGE


def format_instant(instant: datetime, zone: str, language: str) -> str:
    """`instant` as local date, time and zone name for `language`, e.g. in Asia/Taipei:
    'Tuesday, January 14, 2025 10:00 AM (Taipei Standard Time)' /
    '2025年1月14日 星期二 上午10:00 (台北標準時間)'."""
    locale = _BABEL_LOCALES.get(language, _BABEL_LOCALES[DEFAULT_LANGUAGE])
    local = instant.astimezone(ZoneInfo(zone))
    day = format_date(local, "full", locale=locale)
    clock = format_time(local, "short", locale=locale)
    name = get_timezone_name(local, "long", locale=locale)
    return f"{day} {clock} ({name})"


def same_offset(instant: datetime, zone_a: str, zone_b: str) -> bool:
    """Whether two zones show the same wall-clock time at `instant`."""
    return (
        instant.astimezone(ZoneInfo(zone_a)).utcoffset()
        == instant.astimezone(ZoneInfo(zone_b)).utcoffset()
    )


def format_lead_time(minutes: int, language: str) -> str:
    """How long before the appointment, e.g. '24 hours' / '24 小時' (never rounded to a day)."""
    locale = _BABEL_LOCALES.get(language, _BABEL_LOCALES[DEFAULT_LANGUAGE])
    return format_timedelta(timedelta(minutes=minutes), threshold=2, locale=locale)
