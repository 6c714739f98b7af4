"""One recording upstream per session, standing in for the four services behind the gateway."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from clinic_testkit.gateway import SERVICES
from clinic_testkit.recording_upstream import RecordingUpstream


@pytest.fixture(scope="session")
def upstream() -> Iterator[RecordingUpstream]:
    recorder = RecordingUpstream(SERVICES).start()
    yield recorder
    recorder.stop()


@pytest.fixture(scope="session")
def upstream_addresses(upstream: RecordingUpstream) -> dict[str, str]:
    return {service: upstream.address(service) for service in SERVICES}
