"""Deploy targets derived from deploy/services.toml, and the checks that they are right.

`python -m clinic_deploy render` writes the derived files, `check` fails when one is stale,
`settings` lists what each service needs from a target, `verify` checks every target.
"""
