"""The booking service as its own process: `python -m booking serve`, exactly as deployed."""

from __future__ import annotations

import asyncio
import importlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx

from clinic_bench.deadline import BenchFailure, progress

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def booking_migrations() -> Path:
    """booking.app.MIGRATIONS, imported at run time: the service package ships no type
    information (no py.typed), so a static import fails `mypy --strict bench/src`."""
    return Path(importlib.import_module("booking.app").MIGRATIONS)


def service_env(database_url: str, bootstrap: str, port: int, jwt_secret: str) -> dict[str, str]:
    """The service's environment: this one without BOOKING_* variables, plus the bench's own.

    Schedules is not deployed (an empty `BOOKING_SCHEDULES_URL`): every booking is checked
    against the fallback working hours without a network call.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOOKING_")}
    env.update(
        BOOKING_DATABASE_URL=database_url,
        BOOKING_KAFKA_BOOTSTRAP_SERVERS=bootstrap,
        BOOKING_HTTP_HOST="127.0.0.1",
        BOOKING_HTTP_PORT=str(port),
        BOOKING_JWT_SECRET=jwt_secret,
        BOOKING_SCHEDULES_URL="",
    )
    return env


class BookingProcess:
    """Starts the service, waits for /readyz, measures its CPU time, stops it with SIGTERM."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.base_url = f"http://127.0.0.1:{env['BOOKING_HTTP_PORT']}"
        self._env, self._log_path = env, log_path
        self._process: subprocess.Popen[bytes] | None = None
        self.exit_code: int | None = None
        self.ending = "not stopped yet"

    def _spawn(self) -> subprocess.Popen[bytes]:
        with self._log_path.open("wb") as log:
            return subprocess.Popen(
                [sys.executable, "-m", "booking", "serve"],
                env=self._env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    async def __aenter__(self) -> BookingProcess:
        self._process = self._spawn()  # forks and returns; readiness is awaited below
        try:
            await self._wait_ready(60.0)
        except BaseException:
            await self.stop()
            raise
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.exit_code = await self.stop()
        self.ending = self._ending()

    async def _wait_ready(self, timeout_s: float) -> None:
        began = time.monotonic()
        async with httpx.AsyncClient(base_url=self.base_url, timeout=2.0) as client:
            while time.monotonic() - began < timeout_s:
                if self._process is None or self._process.poll() is not None:
                    raise BenchFailure(
                        f"booking service exited during start-up:\n{self.log_tail()}"
                    )
                try:
                    if (await client.get("/readyz")).status_code == 200:
                        progress(f"booking service ready in {time.monotonic() - began:.1f} s")
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)
        raise BenchFailure(f"booking service not ready in {timeout_s:.0f} s:\n{self.log_tail()}")

    def cpu_seconds(self) -> float:
        """User + system CPU time the service process has used so far."""
        if self._process is None:
            return 0.0
        fields = Path(f"/proc/{self._process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime

    def log_tail(self, lines: int = 40) -> str:
        """The end of the service's log."""
        try:
            return "\n".join(self._log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def _ending(self) -> str:
        """How the service ended, from its exit status and log."""
        graceful = "Application shutdown complete" in self.log_tail(200)
        how = "graceful shutdown logged" if graceful else "no graceful shutdown in the log"
        note = " (uvicorn re-raises SIGTERM once shut down)" if self.exit_code == -15 else ""
        return f"{how}, exit status {self.exit_code}{note}"

    async def stop(self) -> int | None:
        """SIGTERM, then up to 20 s for a graceful stop, then SIGKILL; the exit code."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return None if process is None else process.returncode
        process.send_signal(signal.SIGTERM)
        try:
            return await asyncio.to_thread(process.wait, 20.0)
        except subprocess.TimeoutExpired:
            process.kill()
            return await asyncio.to_thread(process.wait, 5.0)
