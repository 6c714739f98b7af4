"""`python -m clinic_demo seed|token`."""

from clinic_demo.cli import main

raise SystemExit(main())
