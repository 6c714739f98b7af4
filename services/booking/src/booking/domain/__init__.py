"""The booking service's pure rules: plain data and functions, no I/O."""
