"""Metrics: one meter provider per process, scraped at `/metrics` and pushed over OTLP if set.

The platform's own instruments are listed in `instruments`; services add domain counters with
`domain_counter` and count committed changes with `count_on_commit`.
"""

from clinic_platform.metrics.domain import count_on_commit, domain_counter
from clinic_platform.metrics.http import HttpMetricsMiddleware
from clinic_platform.metrics.provider import metrics_router, render, setup_metrics
from clinic_platform.metrics.sampler import MetricsSampler

__all__ = [
    "HttpMetricsMiddleware",
    "MetricsSampler",
    "count_on_commit",
    "domain_counter",
    "metrics_router",
    "render",
    "setup_metrics",
]
