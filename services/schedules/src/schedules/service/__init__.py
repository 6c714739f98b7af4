"""Use cases of the schedules service: they load, ask the domain, store and record events."""
