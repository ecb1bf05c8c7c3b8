"""Ctrl-C during a search: the first press asks the solver to stop and keep its best plan, the second aborts.

While the finished plan is written (a week with maps takes seconds), a first press lets the writing finish: it
used to end the run with "nothing was written" (exit 130), throwing the audited plan away.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from rich.console import Console

SEARCH_PRESSED = "Ctrl-C: stopping the search, the best plan so far will be written (again to abort)"
WRITE_PRESSED = "Ctrl-C: the plan is being written and is complete in a moment (again to abort: nothing is written)"


@contextmanager
def stop_on_interrupt(terminal: Console) -> Iterator[threading.Event]:
    """An event the first Ctrl-C sets (the search stops within a second and its best plan is written); a second
    Ctrl-C raises ``KeyboardInterrupt`` (nothing is written).  Outside the main thread nothing is installed.

    The second press's ``KeyboardInterrupt`` can land where Python ignores exceptions (a fork's after-fork
    callback: "Exception ignored in ... _releaseLock"), and the plan was then written after all; so leaving the
    block raises it again if it was swallowed."""
    event = threading.Event()
    with _first_press_sets(event, terminal, SEARCH_PRESSED):
        yield event


@contextmanager
def finish_on_interrupt(terminal: Console, pressed: threading.Event) -> Iterator[None]:
    """While the plan is written: a first Ctrl-C lets the writing finish (saying so), a further one, or one after
    a press during the search (``pressed``), raises ``KeyboardInterrupt`` and the output is left as it was."""
    with _first_press_sets(pressed, terminal, WRITE_PRESSED):
        yield


@contextmanager
def _first_press_sets(event: threading.Event, terminal: Console, message: str) -> Iterator[None]:
    """SIGINT sets ``event`` (printing ``message``) the first time, raises ``KeyboardInterrupt`` once it is set."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    aborted = threading.Event()

    def on_interrupt(signum: int, frame: FrameType | None) -> None:
        if event.is_set():
            aborted.set()
            raise KeyboardInterrupt
        event.set()
        terminal.print(f"[yellow]{message}[/]")

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if aborted.is_set():
        raise KeyboardInterrupt


__all__ = ["finish_on_interrupt", "stop_on_interrupt"]
