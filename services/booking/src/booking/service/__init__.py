"""Use cases of the booking service: validate, write through repositories, record, commit."""
