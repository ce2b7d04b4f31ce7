"""Running a request stage's scan without stalling other flows, and within a time limit.

mitmdump runs every flow on one event loop, so a scan of more than a few kilobytes runs in a worker
thread. Ordinary text costs about a microsecond per character, but text built to be slow (a keyword
repeated a hundred thousand times, each start tried against a rule's long value pattern) costs ten
times that, so a 12 MB body could hold a worker for minutes. `aegis_scan_timeout_ms` bounds it: past
the limit the stage gives up, and its caller blocks the request (fail closed: nothing unscanned is
forwarded). A thread cannot be killed, so the worker is told to stop and does so before its next
segment.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from typing import TypeVar

from mitmproxy import ctx, exceptions, http

from aegis_addons.context import FlowContext
from aegis_addons.errors import make_error
from aegis_addons.options import add_option

log = logging.getLogger(__name__)

T = TypeVar("T")

# Characters scanned in place on the event loop: below this a thread hop costs more than the scan,
# and even text built to be slow takes under a tenth of a second.
INLINE_LIMIT = 8 * 1024
SCAN_TIMEOUT_OPTION = "aegis_scan_timeout_ms"


class ScanTimeout(Exception):
    """The scan did not finish within `aegis_scan_timeout_ms`."""

    def __init__(self, limit_ms: int) -> None:
        super().__init__(f"scan did not finish within {limit_ms} ms")
        self.limit_ms = limit_ms


class Stopped(Exception):
    """Raised inside the worker when the stage has already given up on it."""


def add_scan_options(loader) -> None:
    """Declared by every stage that scans (the same signature twice is one option to mitmproxy)."""
    add_option(loader, SCAN_TIMEOUT_OPTION, int, 30_000,
               "Milliseconds a request stage (redaction, injection) may spend scanning one request; "
               "a request that takes longer is blocked (403 request_blocked, reason scan_timeout).")


def check_scan_options(updated: set[str]) -> None:
    if SCAN_TIMEOUT_OPTION in updated and getattr(ctx.options, SCAN_TIMEOUT_OPTION) < 1:
        raise exceptions.OptionsError(f"{SCAN_TIMEOUT_OPTION} must be positive")


async def run_scan(work: Callable[[threading.Event], T], size: int) -> T:
    """`work(stop)` in place when `size` (characters) is small, else in a worker thread given
    `aegis_scan_timeout_ms`. `work` should check `stop` between segments (`raise_if_stopped`)."""
    stop = threading.Event()
    if size <= INLINE_LIMIT:
        return work(stop)
    limit_ms = getattr(ctx.options, SCAN_TIMEOUT_OPTION)
    try:
        return await asyncio.wait_for(asyncio.to_thread(work, stop), limit_ms / 1000)
    except TimeoutError:
        stop.set()
        raise ScanTimeout(limit_ms) from None


def raise_if_stopped(stop: threading.Event) -> None:
    if stop.is_set():
        raise Stopped


def blocked_by_scan_failure(context: FlowContext, stage: str, checked_for: str, error: Exception) -> http.Response:
    """The answer of a stage whose scan ran past the time limit or crashed: the request is not
    forwarded (403 request_blocked), and the reason is in `detail`."""
    if isinstance(error, ScanTimeout):
        log.warning("aegis: %s of %s took longer than %d ms; blocked", stage, context.request_id, error.limit_ms)
        return make_error(context, "request_blocked",
                          f"the request could not be checked for {checked_for} in time and was not forwarded",
                          detail={"stage": stage, "reason": "scan_timeout", "limit_ms": error.limit_ms})
    log.error("aegis: %s failed for %s", stage, context.request_id, exc_info=error)
    return make_error(context, "request_blocked",
                      f"the request could not be checked for {checked_for} and was not forwarded",
                      detail={"stage": stage, "reason": type(error).__name__})
