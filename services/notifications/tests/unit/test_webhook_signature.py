"""Signed webhooks: HMAC-SHA256 of "timestamp.body", refused when altered or too old."""

import hashlib
import hmac

from notifications.domain.signature import sign, verify

SECRET = "whsec-0123456789abcdef"
BODY = b'{"type":"clinic.booking.appointment.booked.v1"}'


def test_the_signature_is_the_hmac_sha256_of_timestamp_and_body() -> None:
    expected = hmac.new(SECRET.encode(), b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, BODY, 1700000000) == f"t=1700000000,v1={expected}"


def test_a_receiver_accepts_a_fresh_signature() -> None:
    assert verify(SECRET, BODY, sign(SECRET, BODY, 1700000000), now=1700000100)


def test_an_altered_body_or_another_secret_is_refused() -> None:
    header = sign(SECRET, BODY, 1700000000)
    assert not verify(SECRET, BODY + b" ", header, now=1700000000)
    assert not verify("another-secret-value", BODY, header, now=1700000000)


def test_a_replayed_old_signature_is_refused() -> None:
    assert not verify(SECRET, BODY, sign(SECRET, BODY, 1700000000), now=1700000000 + 301)


def test_a_malformed_header_is_refused() -> None:
    assert not verify(SECRET, BODY, "garbage", now=1700000000)
