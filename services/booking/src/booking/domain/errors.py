"""Domain errors of booking: each maps to one problem document through the platform."""

from clinic_platform.errors import Conflict, NotFound, RuleViolation

__all__ = ["Conflict", "IllegalTransition", "NotFound", "PolicyViolation", "RuleViolation"]


class IllegalTransition(Conflict):
    """The appointment's state machine has no such step (409 `illegal_transition`)."""

    def __init__(self, current: str, action: str) -> None:
        super().__init__(
            f"an appointment that is {current} cannot be {action}",
            code="illegal_transition",
            extra={"current_status": current, "action": action},
        )


class PolicyViolation(RuleViolation):
    """An appointment type's policy forbids the request (422 naming the rule)."""

    def __init__(self, rule: str, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail, code=rule, field=field, extra={"rule": rule})
