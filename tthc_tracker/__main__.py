"""`python -m tthc_tracker` runs the `tthc` command."""

from tthc_tracker.cli import main

main()
