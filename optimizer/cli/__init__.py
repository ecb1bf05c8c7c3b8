"""The ``fieldroute`` command: one module per command, shared terminal helpers in ``_console``."""

from optimizer.cli.app import app, main

__all__ = ["app", "main"]
