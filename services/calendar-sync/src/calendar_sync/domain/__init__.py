"""The calendar-sync service's pure rules: plain data and functions, no I/O."""
