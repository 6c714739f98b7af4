"""The notifications service's pure rules: plain data and functions, no I/O."""
