"""What a seeding run did, entity by entity, so that a second run can say it changed nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from uuid import UUID


@dataclass
class DemoIds:
    """The ids the platform gave the demo's records (they are looked up, never assumed)."""

    location_id: UUID
    practitioners: dict[str, UUID] = field(default_factory=dict)
    types: dict[str, UUID] = field(default_factory=dict)
    patients: dict[str, UUID] = field(default_factory=dict)


@dataclass
class Report:
    """Each record the run created, changed or found as it should be; `echo` shows progress."""

    echo: Callable[[str], None] = print
    created: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    def create(self, what: str) -> None:
        self.created.append(what)
        self.echo(f"  + created {what}")

    def change(self, what: str) -> None:
        self.changed.append(what)
        self.echo(f"  ~ changed {what}")

    def keep(self, what: str) -> None:
        self.kept.append(what)
        self.echo(f"  = already there: {what}")

    @property
    def untouched(self) -> bool:
        """Whether the run found everything in place and wrote nothing."""
        return not self.created and not self.changed

    def summary(self) -> str:
        if self.untouched:
            return f"demo clinic already seeded: nothing to do ({len(self.kept)} records checked)"
        return (
            f"demo clinic seeded: {len(self.created)} created, {len(self.changed)} changed, "
            f"{len(self.kept)} already there"
        )
