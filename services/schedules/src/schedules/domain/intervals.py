"""Arithmetic on sorted lists of half-open UTC intervals, as integer epoch seconds.

Integers rather than datetimes because the engine compares and adds them thousands of times a
query. Inputs named `merged` must be sorted, disjoint and non-touching; `sorted_` inputs may
touch, and touching pieces are kept apart (a window never runs across local midnight).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import pairwise

Span = tuple[int, int]
Weighted = tuple[int, int, int]


def merge(spans: Iterable[Span]) -> list[Span]:
    """Sort and join overlapping or touching spans; empty spans vanish."""
    out: list[Span] = []
    for start, end in sorted(spans):
        if start >= end:
            continue
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def subtract(sorted_: Sequence[Span], merged: Sequence[Span]) -> list[Span]:
    """Time of `sorted_` outside `merged`, in one linear pass."""
    out: list[Span] = []
    j, n = 0, len(merged)
    for start, end in sorted_:
        while j < n and merged[j][1] <= start:
            j += 1
        cursor, k = start, j
        while k < n and merged[k][0] < end:
            if merged[k][0] > cursor:
                out.append((cursor, merged[k][0]))
            cursor = max(cursor, merged[k][1])
            k += 1
        if cursor < end:
            out.append((cursor, end))
    return out


def intersect(sorted_: Sequence[Span], merged: Sequence[Span]) -> list[Span]:
    """Time in both lists, in one linear pass."""
    out: list[Span] = []
    i = j = 0
    while i < len(sorted_) and j < len(merged):
        start = max(sorted_[i][0], merged[j][0])
        end = min(sorted_[i][1], merged[j][1])
        if start < end:
            out.append((start, end))
        if sorted_[i][1] < merged[j][1]:
            i += 1
        else:
            j += 1
    return out


def depth_profile(weighted: Iterable[Weighted]) -> list[Weighted]:
    """Disjoint sorted pieces where the summed weight of the covering spans is positive."""
    events: list[tuple[int, int]] = []
    for start, end, weight in weighted:
        if start < end:
            events.append((start, weight))
            events.append((end, -weight))
    events.sort()
    out: list[Weighted] = []
    depth, previous = 0, 0
    for at, delta in events:
        if at > previous and depth > 0:
            out.append((previous, at, depth))
        depth += delta
        previous = at
    return out


def max_profile(weighted: Sequence[Weighted]) -> list[Weighted]:
    """Disjoint sorted pieces carrying the largest weight among the spans covering them."""
    bounds = sorted({t for start, end, _ in weighted for t in (start, end)})
    out: list[Weighted] = []
    for start, end in pairwise(bounds):
        # Per-day rule lists hold a handful of spans, so the quadratic scan is the cheap one.
        best = max((w for s, e, w in weighted if s <= start and end <= e), default=0)
        if best > 0:
            out.append((start, end, best))
    return out
