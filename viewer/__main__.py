"""``python -m viewer``: same entry point as the ``trigger-atlas`` console script."""

from viewer.cli import main

raise SystemExit(main())
