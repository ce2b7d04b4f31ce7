"""Background audit writer: hooks enqueue, one thread writes batches, a full queue drops.

The proxy runs every flow on one event loop, so no hook may wait on the database. `submit` never
blocks: when the bounded queue is full the row is dropped and `dropped` counts it, because losing an
audit row is better than stalling all traffic. A failed batch write is logged and counted in
`failed`, and the writer keeps going.
"""

from __future__ import annotations

import logging
import queue
import threading
import time

from aegis_addons.store.repositories import AuditRepository

log = logging.getLogger(__name__)

_STOP = object()


class AuditWriter:
    def __init__(self, repository: AuditRepository, max_queue: int = 10000, batch_size: int = 200,
                 linger: float = 0.2):
        self.repository = repository
        self.batch_size = batch_size
        # Wait this long for more rows before writing a batch: one insert of many rows costs a
        # fraction of many single-row inserts, and the writer shares the GIL with the proxy.
        self.linger = linger
        self.queue: queue.Queue = queue.Queue(maxsize=max_queue)
        self.written = 0
        self.dropped = 0
        self.failed = 0
        self._thread = threading.Thread(target=self._run, name="aegis-audit-writer", daemon=True)
        self._thread.start()

    def submit(self, row: dict) -> bool:
        try:
            self.queue.put_nowait(row)
            return True
        except queue.Full:
            self.dropped += 1
            return False

    def is_alive(self) -> bool:
        return self._thread.is_alive()

    def flush(self, timeout: float = 5.0) -> None:
        """Wait until everything queued so far is written (tests and shutdown)."""
        done = threading.Event()
        self.queue.put(done)
        done.wait(timeout)

    def close(self, timeout: float = 5.0) -> None:
        if self._thread.is_alive():
            self.queue.put(_STOP)
            self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            batch = [self.queue.get()]
            if isinstance(batch[0], dict) and self.queue.qsize() < self.batch_size:
                # Sleep instead of waiting on the queue, so the proxy's puts do not wake this thread
                # (and take the GIL from the event loop) once per row.
                time.sleep(self.linger)
            while len(batch) < self.batch_size:
                try:
                    batch.append(self.queue.get_nowait())
                except queue.Empty:
                    break
            rows = [item for item in batch if isinstance(item, dict)]
            if rows:
                try:
                    self.written += self.repository.add_many(rows)
                except Exception:  # noqa: BLE001 - the writer must survive a database outage
                    self.failed += len(rows)
                    log.exception("audit: writing %d rows failed", len(rows))
            for item in batch:
                if isinstance(item, threading.Event):
                    item.set()
            if any(item is _STOP for item in batch):
                return
