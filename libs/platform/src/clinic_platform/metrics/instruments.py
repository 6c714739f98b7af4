"""The platform's instruments: one definition per metric, shared by every service.

OpenTelemetry name (Prometheus name) — attributes:

* `http.server.request.duration` (`http_server_request_duration_seconds`) — `http.route`,
  `http.request.method`, `http.response.status_class`
* `clinic.outbox.backlog` (`clinic_outbox_backlog`), `clinic.outbox.oldest_age`
  (`clinic_outbox_oldest_age_seconds`) — no attributes
* `clinic.outbox.published` (`clinic_outbox_published_total`) — `topic`
* `clinic.consumer.lag` (`clinic_consumer_lag`) — `consumer_group`, `topic`, `partition`
* `clinic.consumer.records` (`clinic_consumer_records_total`) — `consumer_group`, `topic`,
  `outcome`
* `clinic.consumer.dead_lettered` (`clinic_consumer_dead_lettered_total`) — `consumer_group`,
  `topic`, `reason`

The gauges read the last sample of every registered `Gauges` source (see `sampler`), so a scrape
never waits on the database or the broker.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from opentelemetry import metrics
from opentelemetry.metrics import CallbackOptions, Observation

GROUP, TOPIC, PARTITION = "consumer_group", "topic", "partition"
# Seconds; the buckets OpenTelemetry's HTTP semantic conventions recommend.
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10)

meter = metrics.get_meter("clinic_platform")

HTTP_DURATION = meter.create_histogram(
    "http.server.request.duration",
    unit="s",
    description="Duration of HTTP requests, by route template, method and status class.",
    explicit_bucket_boundaries_advisory=DURATION_BUCKETS,
)
OUTBOX_PUBLISHED = meter.create_counter(
    "clinic.outbox.published",
    unit="{event}",
    description="Outbox rows the relay published to Kafka.",
)
CONSUMER_RECORDS = meter.create_counter(
    "clinic.consumer.records",
    unit="{record}",
    description="Records a consumer group finished: applied, duplicate, ignored, dead_lettered.",
)
DEAD_LETTERED = meter.create_counter(
    "clinic.consumer.dead_lettered",
    unit="{record}",
    description="Records sent to the dead-letter topic, by reason class.",
)


@dataclass(frozen=True)
class OutboxSample:
    """Unsent outbox rows and the age of the oldest one (0 when there is none)."""

    backlog: int
    oldest_age_s: float


@dataclass
class Samples:
    """The latest values a sampler read; None (or empty) when the last read failed."""

    outbox: OutboxSample | None = None
    lag: dict[tuple[str, str, int], int] = field(default_factory=dict)  # (group, topic, p)


class SampleSource(Protocol):
    """Something whose latest samples the gauges report."""

    @property
    def samples(self) -> Samples: ...


_sources: list[SampleSource] = []


def register(source: SampleSource) -> None:
    """Report `source`'s samples (a runtime registers while it runs)."""
    if source not in _sources:
        _sources.append(source)


def unregister(source: SampleSource) -> None:
    """Stop reporting `source`'s samples."""
    if source in _sources:
        _sources.remove(source)


def _backlog(options: CallbackOptions) -> Iterable[Observation]:
    return [Observation(s.samples.outbox.backlog) for s in _sources if s.samples.outbox]


def _oldest_age(options: CallbackOptions) -> Iterable[Observation]:
    return [Observation(s.samples.outbox.oldest_age_s) for s in _sources if s.samples.outbox]


def _lag(options: CallbackOptions) -> Iterable[Observation]:
    return [
        Observation(lag, {GROUP: group, TOPIC: topic, PARTITION: str(partition)})
        for source in _sources
        for (group, topic, partition), lag in source.samples.lag.items()
    ]


meter.create_observable_gauge(
    "clinic.outbox.backlog",
    [_backlog],
    unit="{event}",
    description="Outbox rows not yet published to Kafka.",
)
meter.create_observable_gauge(
    "clinic.outbox.oldest_age",
    [_oldest_age],
    unit="s",
    description="Age of the oldest unpublished outbox row (0 when none waits).",
)
meter.create_observable_gauge(
    "clinic.consumer.lag",
    [_lag],
    unit="{record}",
    description="Records of an assigned partition not yet applied (end offset - position).",
)
