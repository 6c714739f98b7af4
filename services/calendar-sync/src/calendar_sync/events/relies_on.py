"""What calendar-sync reads of others' events: nothing yet, since it handles no event yet.

Its consumer group is declared (`CONSUMER_GROUPS`: catalog, appointments, availability), so its
contract is too, and `tests/unit/test_relies_on.py` keeps it equal to `HANDLERS`: the handler
that starts reading an event type must declare what it reads here.
"""

from clinic_contracts.consumers import ConsumerContract

RELIES_ON = ConsumerContract("calendar-sync", ())
