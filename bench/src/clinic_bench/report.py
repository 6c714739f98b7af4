"""The figures table, the machine it ran on, and the bench's section of docs/benchmarks.md."""

from __future__ import annotations

import os
import platform
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

PLATFORM_TITLE = "Platform chassis: outbox relay and consumer latency"
COMMAND = "make bench  (= uv run python -m clinic_bench)"
INTRO = """# Benchmarks

Figures measured by `make bench` (`uv run python -m clinic_bench`) on real Kafka and PostgreSQL,
provided the way the tests get them: `DATABASE_URL` / `KAFKA_BOOTSTRAP_SERVERS` when set, else
testcontainers when Docker answers, else local processes started by `deploy/local`.
Each section is rewritten by its benchmark on every run; the numbers come from one run on the
machine named in the section, so compare them only with runs on the same machine.
"""


@dataclass(frozen=True)
class Figure:
    """One measured figure: which benchmark, what, the value, and how to read it."""

    bench: str
    metric: str
    value: str
    note: str = ""


def machine() -> str:
    """CPU model, cores, RAM and OS of this machine, from /proc and /etc/os-release."""
    cpu = _first(Path("/proc/cpuinfo"), r"model name\s*:\s*(.+)") or platform.processor()
    mem_kb = _first(Path("/proc/meminfo"), r"MemTotal:\s*(\d+) kB")
    ram = f"{int(mem_kb) / 1024**2:.1f} GiB RAM" if mem_kb else "RAM unknown"
    distro = _first(Path("/etc/os-release"), r'PRETTY_NAME="?([^"\n]+)') or platform.system()
    return (
        f"{cpu}, {os.cpu_count()} cores, {ram}, {distro} (Linux {platform.release()}), "
        f"Python {platform.python_version()}"
    )


def _first(path: Path, pattern: str) -> str | None:
    try:
        found = re.search(pattern, path.read_text())
    except OSError:
        return None
    return found.group(1).strip() if found else None


def table(figures: list[Figure]) -> str:
    """A Markdown table of the figures."""
    lines = ["| benchmark | metric | value | note |", "|---|---|---|---|"]
    lines += [f"| {f.bench} | {f.metric} | {f.value} | {f.note} |" for f in figures]
    return "\n".join(lines)


def markers(name: str) -> tuple[str, str]:
    """The comments around a benchmark's section: `<!-- bench:NAME -->` … `<!-- /bench:NAME -->`."""
    return f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"


def section(
    figures: list[Figure],
    *,
    postgres: str,
    kafka: str,
    notes: list[str],
    name: str = "platform",
    title: str = PLATFORM_TITLE,
    command: str = COMMAND,
    details: tuple[str, ...] = (),
) -> str:
    """A benchmark's section (the platform's by default), between its markers."""
    today = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    begin, end = markers(name)
    body = [
        begin,
        f"## {title}",
        "",
        f"- date: {today}",
        f"- machine: {machine()}",
        f"- PostgreSQL: {postgres}",
        f"- Kafka: {kafka}",
        *[f"- {d}" for d in details],
        f"- command: `{command}`",
        "",
        table(figures),
        "",
        *[f"- {n}" for n in notes],
        end,
    ]
    return "\n".join(body)


def write_section(path: Path, text: str, name: str = "platform") -> None:
    """Replace section `name` of `path`, keeping every other section; add it if missing."""
    current = path.read_text() if path.exists() else INTRO
    begin, end = markers(name)
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(current):
        updated = pattern.sub(lambda _m: text, current, count=1)
    else:
        updated = current.rstrip("\n") + "\n\n" + text
    path.write_text(updated.rstrip("\n") + "\n")
