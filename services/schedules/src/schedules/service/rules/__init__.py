"""Use cases of the rules API: each loads, changes, checks future appointments, records events."""
