"""Allow `python -m roundup`."""

from roundup.cli import main

raise SystemExit(main())
