"""``python -m optimizer.cli``."""

from optimizer.cli.app import main

main()
