"""Bounded waiting: every loop in the bench has a time limit and fails loudly past it."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager


class BenchFailure(RuntimeError):
    """A benchmark could not produce an honest figure (events missing, limit exceeded)."""


async def until(condition: Callable[[], bool], *, timeout_s: float, what: str) -> float:
    """Poll `condition` every 5 ms; return the monotonic time it held, or fail after the limit."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise BenchFailure(f"{what}: not reached within {timeout_s:.0f}s")
        await asyncio.sleep(0.005)
    return time.monotonic()


@asynccontextmanager
async def limit(seconds: float, what: str) -> AsyncIterator[None]:
    """Bound a whole phase; past the limit it fails as a BenchFailure naming the phase."""
    try:
        async with asyncio.timeout(seconds):
            yield
    except TimeoutError as exc:
        raise BenchFailure(f"{what}: took longer than {seconds:.0f}s") from exc


def progress(message: str) -> None:
    """One line on stderr, so a long run shows where it is."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class CpuMeter:
    """How busy this process was since it was made: 100 % means one core fully used."""

    def __init__(self) -> None:
        self._wall, self._cpu = time.monotonic(), time.process_time()

    def share(self) -> str:
        """CPU time over wall time since creation, as a percentage of one core."""
        wall = time.monotonic() - self._wall
        return f"{(time.process_time() - self._cpu) / wall:.0%}" if wall > 0 else "n/a"
