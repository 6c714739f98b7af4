"""The hour grid, checked against the zone database: every instant in its local hour, once."""

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from schedules.domain.local_time import day_start, to_seconds
from schedules.domain.occupancy import HourGrid

ZONES = [
    ZoneInfo(name)
    for name in (
        "America/New_York",
        "Europe/London",
        "Australia/Lord_Howe",  # a 30-minute DST shift
        "Asia/Kathmandu",  # UTC+5:45
        "America/Santiago",  # midnight skipped in spring
        "Europe/Dublin",  # tzdata models its winter time as the negative DST
    )
]
FIRST, LAST = date(2026, 1, 1), date(2026, 12, 31)
GRIDS = {zone: HourGrid(FIRST, LAST, zone) for zone in ZONES}
zones = st.sampled_from(ZONES)
instants = st.integers(
    to_seconds(datetime(2025, 12, 30, tzinfo=UTC)), to_seconds(datetime(2027, 1, 2, tzinfo=UTC))
)


@settings(max_examples=400, deadline=None)
@given(zones, instants)
def test_an_instant_falls_in_the_local_hour_its_wall_clock_shows(zone: ZoneInfo, t: int) -> None:
    wall = datetime.fromtimestamp(t, zone)
    expected = (wall.date(), wall.hour) if FIRST <= wall.date() <= LAST else None
    assert GRIDS[zone].locate(t) == expected


@settings(max_examples=400, deadline=None)
@given(zones, instants, st.integers(1, 3 * 86_400))
def test_spreading_an_interval_keeps_exactly_its_time_inside_the_range(
    zone: ZoneInfo, start: int, length: int
) -> None:
    low, high = day_start(FIRST, zone), day_start(LAST + timedelta(days=1), zone)
    pieces = list(GRIDS[zone].spread(start, start + length))
    assert sum(seconds for _, seconds in pieces) == max(
        0, min(high, start + length) - max(low, start)
    )
    assert all(seconds > 0 for _, seconds in pieces)


def test_every_day_of_a_year_is_covered_hour_by_hour_without_overlap() -> None:
    for zone, grid in GRIDS.items():
        spans = sorted(grid.bounds.values())
        covered = sum(end - start for start, end in spans)
        expected = day_start(LAST + timedelta(days=1), zone) - day_start(FIRST, zone)
        # A repeated hour's bounds hold both occurrences, so the hours tile the year exactly.
        assert covered == expected, zone.key
        assert all(a[1] <= b[0] for a, b in pairwise(spans)), zone.key
