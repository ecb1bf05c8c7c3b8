"""Forked worker processes a search waits for (VROOM, the second PyVRP run, a second OR-Tools polish): wait for
the answer until a deadline or a stop request, then end the worker, so no search outlives its time limit."""

from __future__ import annotations

import multiprocessing
import signal
import time as _time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from optimizer.solver.budget import StopRequest


def start_worker(target: Callable[..., None], *args: Any, duplex: bool = False) -> tuple[Any, Connection]:
    """A forked daemon process running ``target(conn, *args)``, started now, and the parent's end of its pipe
    (``duplex``: both ends may send, for a worker that takes work more than once)."""
    context = multiprocessing.get_context("fork")
    conn, child = context.Pipe(duplex=duplex)
    process = context.Process(target=target, args=(child, *args), daemon=True)
    process.start()
    child.close()
    return process, conn


def send_answer(conn: Connection, work: Callable[[], Any], failed: Callable[[Exception], Any] | None = None) -> None:
    """Worker process body: send what ``work()`` returns back through ``conn`` (on an exception, ``failed(exc)``,
    default ``None``: a missing answer only means the parent goes on without it).  The worker ignores Ctrl-C:
    the parent decides when it stops (it ends the worker)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        conn.send(work())
    except Exception as exc:
        conn.send(failed(exc) if failed is not None else None)
    finally:
        conn.close()


def wait_for_answer(conn: Connection, until: float, stop: StopRequest | None) -> bool:
    """Wait for the worker's answer until ``until`` (a perf_counter value), looking at ``stop`` every 0.1 s;
    whether one is there to read."""
    while True:
        left = until - _time.perf_counter()
        if conn.poll(max(0.0, min(0.1, left))):
            return True
        if left <= 0 or (stop is not None and stop()):
            return False


def end_worker(process: Any, conn: Connection) -> None:
    """Terminate the worker if it still runs, reap it, close its pipe."""
    if process.is_alive():
        process.terminate()
    process.join(1)
    conn.close()


def worker_answer(process: Any, conn: Connection, until: float, stop: StopRequest | None) -> Any:
    """What the worker sent if it answers by ``until`` and no stop is requested first, else ``None``; the worker
    is ended either way."""
    answer = None
    if wait_for_answer(conn, until, stop):
        try:
            answer = conn.recv()
        except EOFError:
            answer = None
    end_worker(process, conn)
    return answer


__all__ = ["end_worker", "send_answer", "start_worker", "wait_for_answer", "worker_answer"]
