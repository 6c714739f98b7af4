"""Channel choice: the patient's preferred channel first, a fallback when it cannot be used."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from notifications.domain.model import Channel, Contact

DEFAULT_FALLBACK: tuple[Channel, ...] = (Channel.EMAIL, Channel.SMS, Channel.LINE)


def choose_channel(
    contact: Contact,
    available: Collection[Channel],
    fallback: Sequence[Channel] = DEFAULT_FALLBACK,
) -> tuple[Channel, str] | None:
    """The first usable (channel, address): preferred, then `fallback` in order; None if none.

    A channel is usable when this deployment offers it and the contact has an address on it.
    """
    order = [Channel(contact.preferred_channel), *fallback]
    for channel in dict.fromkeys(order):
        address = contact.address(channel)
        if channel in available and address:
            return channel, address
    return None
