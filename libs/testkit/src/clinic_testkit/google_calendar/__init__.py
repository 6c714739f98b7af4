"""A faithful double of Google Calendar v3 and Google's OAuth 2.0 endpoints, for tests.

Start it with the ``google_calendar`` fixture (or ``with GoogleCalendarDouble() as google:``),
point the service at ``google.api_base_url`` / ``google.token_url`` / ``google.authorize_url``,
and drive it from the test: accounts and their calendars (:class:`CalendarHandle` plays the
practitioner), consent (:meth:`GoogleCalendarDouble.consent`), token expiry and revocation,
sync-token expiry, push notifications (read, drop, expire channels) and faults. See README.md
beside this file for what is faithful and what is not.
"""

from clinic_testkit.google_calendar.app import ApiCall, TokenCall
from clinic_testkit.google_calendar.double import (
    INVITER,
    CalendarHandle,
    ChannelInfo,
    GoogleCalendarDouble,
)
from clinic_testkit.google_calendar.errors import GoogleApiError, OAuthError
from clinic_testkit.google_calendar.faults import Fault, InjectedFault
from clinic_testkit.google_calendar.oauth import (
    CALENDAR,
    CALENDAR_EVENTS,
    CALENDAR_LIST_READONLY,
    CALENDAR_READONLY,
    ConsentError,
    OAuthClient,
    Tokens,
    s256,
)
from clinic_testkit.google_calendar.push import Push
from clinic_testkit.google_calendar.store import Event

__all__ = [
    "CALENDAR",
    "CALENDAR_EVENTS",
    "CALENDAR_LIST_READONLY",
    "CALENDAR_READONLY",
    "INVITER",
    "ApiCall",
    "CalendarHandle",
    "ChannelInfo",
    "ConsentError",
    "Event",
    "Fault",
    "GoogleApiError",
    "GoogleCalendarDouble",
    "InjectedFault",
    "OAuthClient",
    "OAuthError",
    "Push",
    "TokenCall",
    "Tokens",
    "s256",
]
