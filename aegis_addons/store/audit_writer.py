"""Background audit writer: hooks enqueue, one thread writes batches, a full queue drops.

The proxy runs every flow on one event loop, so no hook may wait on the database. `submit` never
blocks: when the bounded backlog is full the row is dropped and `dropped` counts it, because losing an
audit row is better than stalling all traffic. A failed batch write is logged and counted in
`failed`, and the writer keeps going.
"""

from __future__ import annotations

import logging
import threading
from collections import deque

from aegis_addons.store.repositories import AuditRepository

log = logging.getLogger(__name__)

_STOP = object()


class AuditWriter:
    def __init__(self, repository: AuditRepository, max_queue: int = 10000, batch_size: int = 200,
                 linger: float = 0.2):
        self.repository = repository
        self.max_queue = max_queue
        self.batch_size = batch_size
        # The writer wakes this often and writes what has piled up: one insert of many rows costs a
        # fraction of many single-row inserts, and the writer shares the GIL with the proxy.
        self.linger = linger
        # A deque, not a queue.Queue: appending is atomic under the GIL, so `submit` takes no lock and
        # wakes no thread (only the event loop submits, only the writer pops).
        self._pending: deque = deque()
        self._wake = threading.Event()  # flush() and close() cut the writer's wait short
        self._closed = False
        self.written = 0
        self.dropped = 0
        self.failed = 0
        self._thread = threading.Thread(target=self._run, name="aegis-audit-writer", daemon=True)
        self._thread.start()

    def submit(self, row: dict) -> bool:
        if self._closed or len(self._pending) >= self.max_queue:
            self.dropped += 1
            return False
        self._pending.append(row)
        return True

    def is_alive(self) -> bool:
        return self._thread.is_alive()

    def flush(self, timeout: float = 5.0) -> None:
        """Wait until everything submitted so far is written (tests and shutdown)."""
        done = threading.Event()
        self._pending.append(done)
        self._wake.set()
        done.wait(timeout)

    def close(self, timeout: float = 5.0) -> None:
        self._closed = True  # rows submitted from now on are counted as dropped, not silently lost
        if self._thread.is_alive():
            self._pending.append(_STOP)
            self._wake.set()
            self._thread.join(timeout)

    def _write(self, rows: list[dict]) -> None:
        try:
            self.written += self.repository.add_many(rows)
            return
        except Exception:  # noqa: BLE001 - the writer must survive a database outage
            if len(rows) == 1:
                self.failed += 1
                log.exception("audit: writing a row failed")
                return
        # One bad row must not take the rows written beside it down with it: row by row, then.
        for row in rows:
            self._write([row])

    def _run(self) -> None:
        while True:
            self._wake.wait(self.linger)
            self._wake.clear()
            while self._pending:
                batch = []
                while self._pending and len(batch) < self.batch_size:
                    batch.append(self._pending.popleft())
                rows = [item for item in batch if isinstance(item, dict)]
                if rows:
                    self._write(rows)
                for item in batch:
                    if isinstance(item, threading.Event):
                        item.set()
                if any(item is _STOP for item in batch):
                    return
