"""Ctrl-C during a search: the first press asks the solver to stop and keep its best plan, the second aborts."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from rich.console import Console


@contextmanager
def stop_on_interrupt(terminal: Console) -> Iterator[threading.Event]:
    """An event the first Ctrl-C sets (the search stops within a second and its best plan is written); a second
    Ctrl-C raises ``KeyboardInterrupt`` (nothing is written).  Outside the main thread nothing is installed.

    The second press's ``KeyboardInterrupt`` can land where Python ignores exceptions (a fork's after-fork
    callback: "Exception ignored in ... _releaseLock"), and the plan was then written after all; so leaving the
    block raises it again if it was swallowed."""
    event = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield event
        return
    aborted = threading.Event()

    def on_interrupt(signum: int, frame: FrameType | None) -> None:
        if event.is_set():
            aborted.set()
            raise KeyboardInterrupt
        event.set()
        terminal.print("[yellow]Ctrl-C: stopping the search, the best plan so far will be written (again to abort)[/]")

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield event
    finally:
        signal.signal(signal.SIGINT, previous)
    if aborted.is_set():
        raise KeyboardInterrupt


__all__ = ["stop_on_interrupt"]
