"""Channel choice: the preferred channel first; a fallback when it cannot be used."""

from notifications.domain.channels import choose_channel
from notifications.domain.model import Channel, Contact

ALL = frozenset({Channel.EMAIL, Channel.SMS, Channel.LINE})


def contact(**kw: str | None) -> Contact:
    values: dict[str, str | None] = {
        "email": "mei@example.org",
        "phone": "+886912345678",
        "line_user_id": "U123",
        **kw,
    }
    return Contact(name="Mei", preferred_language="zh-Hant", preferred_channel="line", **values)


def test_the_preferred_channel_is_used_when_it_has_an_address() -> None:
    assert choose_channel(contact(), ALL) == (Channel.LINE, "U123")


def test_a_missing_address_falls_back_in_the_tenants_order() -> None:
    chosen = choose_channel(contact(line_user_id=None), ALL, [Channel.SMS, Channel.EMAIL])
    assert chosen == (Channel.SMS, "+886912345678")


def test_a_channel_the_deployment_does_not_offer_is_skipped() -> None:
    assert choose_channel(contact(), frozenset({Channel.EMAIL})) == (
        Channel.EMAIL,
        "mei@example.org",
    )


def test_no_channel_when_no_offered_channel_has_an_address() -> None:
    bare = contact(email=None, phone=None, line_user_id=None)
    assert choose_channel(bare, ALL) is None
