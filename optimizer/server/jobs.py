"""The job queue: at most ``workers`` solves at a time, each in its own process, the rest wait in order.

A dispatcher thread takes queued job ids in order and starts each in a worker process (``forkserver`` with the
solver preloaded where the platform has it, else ``spawn``: never a fork of the threaded server).  One thread
per running job relays the process's progress into the store.  Cancelling sets the job's stop flag, which
``solve`` watches; if it has not stopped after a short grace, the process is terminated.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
import time
from dataclasses import dataclass, field
from multiprocessing import forkserver
from multiprocessing.context import DefaultContext, ForkServerContext, SpawnContext
from multiprocessing.process import BaseProcess
from multiprocessing.synchronize import Event
from typing import Any

from optimizer.server.config import ServerConfig
from optimizer.server.store import JobStore
from optimizer.server.worker import run_job

_PRELOAD = ["optimizer.io", "optimizer.solver", "optimizer.export", "maps"]
_POLL_S = 0.2


def _context() -> ForkServerContext | SpawnContext | DefaultContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


@dataclass
class _Running:
    process: BaseProcess
    stop: Event
    cancel: threading.Event = field(default_factory=threading.Event)


class JobQueue:
    """Runs queued jobs in worker processes; ``submit`` and ``cancel`` are safe from any thread."""

    def __init__(self, config: ServerConfig, store: JobStore) -> None:
        self.config = config
        self.store = store
        self._context = _context()
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._slots = threading.Semaphore(config.workers)
        self._running: dict[str, _Running] = {}
        self._lock = threading.Lock()
        self._cancel_requests: set[str] = set()
        self._closing = threading.Event()
        self._dispatcher = threading.Thread(target=self._dispatch, name="fieldroute-dispatch", daemon=True)
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Recover after a restart (running jobs become interrupted, queued ones run again), then dispatch."""
        _, queued = self.store.recover()
        for job_id in queued:
            self._queue.put(job_id)
        if isinstance(self._context, ForkServerContext):  # import the solver once now, not in the first job
            threading.Thread(target=forkserver.ensure_running, name="fieldroute-warm-up", daemon=True).start()
        self._dispatcher.start()

    def submit(self, job_id: str) -> None:
        self._queue.put(job_id)

    def queue_position(self, job_id: str) -> int | None:
        """1 for the next job to start, ``None`` when the job is not waiting."""
        waiting = self.store.ids_with_status("queued")
        return waiting.index(job_id) + 1 if job_id in waiting else None

    def cancel(self, job_id: str) -> bool:
        """Cancel a queued or running job; ``False`` when it had already ended."""
        job = self.store.get(job_id)
        if job is None or job.final:
            return False
        if job.status == "queued" and self.store.finish(job_id, "cancelled"):
            return True  # the dispatcher skips it: store.start() only starts queued jobs
        with self._lock:
            running = self._running.get(job_id)
            if running is None:  # started a moment ago; its supervisor sees the request before starting it
                self._cancel_requests.add(job_id)
                return True
        running.stop.set()
        running.cancel.set()  # the job's supervisor ends the process (at once when solve cannot stop)
        return True

    def close(self, timeout_s: float = 5.0) -> None:
        """Stop dispatching, end running workers and mark their jobs interrupted (a clean server shutdown)."""
        self._closing.set()
        self._queue.put(None)
        with self._lock:
            running = dict(self._running)
        for job_id, run in running.items():
            run.stop.set()
            if run.process.pid is not None:  # else its supervisor sees _closing and never starts it
                run.process.terminate()
            self.store.finish(job_id, "interrupted", error={"type": "interrupted", "message": "the server stopped"})
        for thread in list(self._threads):
            thread.join(timeout_s)

    # -- inside the queue's threads ------------------------------------------------------------------------
    def _dispatch(self) -> None:
        while not self._closing.is_set():
            job_id = self._queue.get()
            if job_id is None:
                return
            self._slots.acquire()
            if self._closing.is_set() or not self.store.start(job_id):
                self._slots.release()  # cancelled while waiting, or shutting down
                continue
            thread = threading.Thread(target=self._run, args=(job_id,), name=f"fieldroute-job-{job_id[:8]}")
            self._threads.append(thread)
            thread.start()

    def _run(self, job_id: str) -> None:
        try:
            self._supervise(job_id)
        except Exception as exc:  # never leave a job 'running' because the supervisor failed
            self.store.finish(job_id, "failed", error={"type": type(exc).__name__, "message": str(exc)})
        finally:
            with self._lock:
                self._running.pop(job_id, None)
            self._slots.release()

    def _supervise(self, job_id: str) -> None:
        job = self.store.get(job_id)
        assert job is not None
        receive, send = self._context.Pipe(duplex=False)
        stop = self._context.Event()
        spec = dict(job.params["worker"])
        process = self._context.Process(target=run_job, args=(spec, send, stop), name=f"fieldroute-job-{job_id[:8]}")
        run = _Running(process, stop)
        with self._lock:
            self._running[job_id] = run
            if job_id in self._cancel_requests:
                self._cancel_requests.discard(job_id)
                run.cancel.set()
        if run.cancel.is_set() or self._closing.is_set():
            send.close()
            receive.close()
            self.store.finish(job_id, "interrupted" if self._closing.is_set() else "cancelled")
            return
        process.start()
        send.close()
        started = time.time()
        progress: dict[str, Any] = {}
        ending: tuple[str, dict[str, Any]] | None = None
        deadline: float | None = None
        while ending is None:
            if run.cancel.is_set() and deadline is None:
                deadline = time.monotonic() + self.config.cancel_grace_s
            overdue = deadline is not None and time.monotonic() >= deadline
            if (overdue or self._closing.is_set()) and process.is_alive():
                process.terminate()
            try:
                if receive.poll(_POLL_S):
                    kind, payload = receive.recv()
                    if kind == "progress":
                        progress = {**progress, **payload, "elapsed_s": round(time.time() - started, 2)}
                        if payload.get("phase") == "solving":
                            progress.setdefault("solving_since", time.time())
                        self.store.set_progress(job_id, progress)
                    else:
                        ending = (kind, payload)
                elif not process.is_alive():
                    ending = ("lost", {})
            except (EOFError, OSError):
                ending = ("lost", {})
        process.join(5)
        receive.close()
        self._record(job_id, run, ending, process.exitcode)

    def _record(self, job_id: str, run: _Running, ending: tuple[str, dict[str, Any]], exitcode: int | None) -> None:
        kind, payload = ending
        if run.cancel.is_set() or kind == "cancelled":
            self.store.finish(job_id, "cancelled")
        elif kind == "done":
            self.store.finish(job_id, "done", result=payload)
        elif kind == "error":
            self.store.finish(job_id, "failed", error=payload)
        elif self._closing.is_set():
            self.store.finish(job_id, "interrupted", error={"type": "interrupted", "message": "the server stopped"})
        else:
            message = f"the worker process ended without a result (exit code {exitcode})"
            self.store.finish(job_id, "failed", error={"type": "WorkerLost", "message": message})


__all__ = ["JobQueue"]
