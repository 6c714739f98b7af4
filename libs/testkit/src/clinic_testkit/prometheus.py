"""Reading a `/metrics` page the way Prometheus does: samples by name and labels."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse_samples(text: str) -> Samples:
    """Every sample of a Prometheus text exposition; fails on text Prometheus could not read."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def sample_value(samples: Samples, name: str, **labels: str) -> float | None:
    """The sample `name` with exactly `labels`; None when it is not exposed."""
    return samples.get((name, frozenset(labels.items())))


def counter_value(samples: Samples, name: str, **labels: str) -> float:
    """A counter's sample, 0 when not exposed yet (nothing counted with those labels so far)."""
    return sample_value(samples, name, **labels) or 0.0
