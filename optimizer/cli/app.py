"""The ``fieldroute`` command: the Typer app, its exit codes, and the commands registered on it.

Each command lives in its own module with a ``register(app)`` function; this module registers them all.
"""

from __future__ import annotations

import typer

from optimizer.cli import check, demo, network, plan, regions, replan, serve, suggest, validate

EXIT_CODES = """\
Exit codes:
  0  plan written (some cases may be unassigned, with reasons)
  1  unexpected error (a bug: please report it with the input files)
  2  wrong command-line usage
  3  invalid input (every problem is listed)
  4  must-visit cases cannot all be visited within the rules
  5  no plan found within the time limit
  6  the plan failed its independent audit (a bug)
  7  the road network cannot be read, built or used
  8  the output folder cannot be written
  9  an edited plan (fieldroute check) breaks rules: every one is listed
"""

app = typer.Typer(
    name="fieldroute",
    help="Plan prioritised home visits for field agents: who visits whom, in which order, at what time.",
    epilog=EXIT_CODES,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for _command in (validate, plan, demo, network, regions, serve, check, suggest, replan):
    _command.register(app)


def main() -> None:
    """Console-script entry point (``fieldroute = optimizer.cli:main``)."""
    app(prog_name="fieldroute")


__all__ = ["EXIT_CODES", "app", "main"]
