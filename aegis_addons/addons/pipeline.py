"""The stages of bundle.py, run in order as one mitmproxy addon.

Two reasons not to hand mitmproxy the stages as separate addons:

- **Failure isolation that fails closed.** mitmproxy runs everything one script defines inside a
  single error guard: when one addon's hook raises, it logs the error and skips *the rest of that
  script's addons* for the event, then carries on with the flow. A crash in a request stage would
  then also skip the stages after it (the body commit, the upstream hop's unfinished-stage check) and
  the request would leave unscanned. Here every stage runs in its own guard; a request-side stage that
  raises gets the request refused with `403 request_blocked` (the upstream is never called), a stage
  that raises on an answer's headers or on a buffered answer gets it replaced by `502 answer_withheld`
  (an answer whose headers failed is buffered, not streamed), and in both cases the stages after it
  still run, so the flow is answered, stamped and audited as usual. (A streamed answer is checked in
  the stream editor, whose filters fail closed themselves.)
- **Cost per event.** mitmproxy walks every addon for every event, and fires `update` after each flow
  event; one addon with a precomputed list per hook costs a fraction of thirteen walked one by one.

Lifecycle hooks (`load`, `configure`, `running`, `done`) are passed through unguarded, so an
`OptionsError` from a stage's `configure` still reaches mitmproxy and rejects the option.
"""

from __future__ import annotations

import gc
import inspect
import logging
from collections.abc import Callable, Sequence

from mitmproxy import hooks, http

from aegis_addons.context import get_context
from aegis_addons.errors import make_error

log = logging.getLogger(__name__)

_LIFECYCLE_HOOKS = ("load", "configure", "running", "done")
_REQUEST_HOOKS = ("http_connect", "requestheaders", "request")
_RESPONSE_HOOKS = ("responseheaders", "response", "error")
_FAILED_ON_HEADERS = "aegis_stage_failed_on_response_headers"


def stage_name(stage: object) -> str:
    return type(stage).__name__


class Pipeline:
    name = "aegis"

    def __init__(self, stages: Sequence[object]):
        self.stages = list(stages)
        # hook name -> [(stage name, bound method, is a coroutine function)], in pipeline order.
        self._handlers: dict[str, list[tuple[str, Callable, bool]]] = {}
        for hook in _LIFECYCLE_HOOKS + _REQUEST_HOOKS + _RESPONSE_HOOKS:
            handlers = []
            for stage in self.stages:
                method = getattr(stage, hook, None)
                if callable(method):
                    handlers.append((stage_name(stage), method, inspect.iscoroutinefunction(method)))
            self._handlers[hook] = handlers
        # A stage hook the Pipeline does not forward would silently never run: refuse it.
        unforwarded = sorted(f"{stage_name(stage)}.{hook}" for stage in self.stages for hook in hooks.all_hooks
                             if hook not in self._handlers and callable(getattr(stage, hook, None)))
        if unforwarded:
            raise TypeError(f"the Pipeline does not forward {', '.join(unforwarded)}")
        for hook in _RESPONSE_HOOKS:
            async_stages = [name for name, _, is_async in self._handlers[hook] if is_async]
            if async_stages:
                raise TypeError(f"{hook} runs synchronously; async in {', '.join(async_stages)}")

    # ------------------------------------------------------------------ lifecycle: errors propagate
    def load(self, loader) -> None:
        self._run_lifecycle("load", loader)

    def configure(self, updated: set[str]) -> None:
        self._run_lifecycle("configure", updated)

    def running(self) -> None:
        self._run_lifecycle("running")
        # Rule packs, word lists and the classifier are loaded by now and live as long as the process:
        # move them out of the garbage collector's sight, so that its full passes (which pause every
        # flow) do not walk objects that can never be garbage. Collect first, so that start-up's
        # garbage is not frozen with them; `done` thaws them for a script reload.
        gc.collect()
        gc.freeze()

    def done(self) -> None:
        self._run_lifecycle("done")
        gc.unfreeze()

    def _run_lifecycle(self, hook: str, *args) -> None:
        for _, method, _ in self._handlers[hook]:
            method(*args)

    # ------------------------------------------------------------------ flow events: each stage guarded
    async def http_connect(self, flow: http.HTTPFlow) -> None:
        await self._run("http_connect", flow)

    async def requestheaders(self, flow: http.HTTPFlow) -> None:
        await self._run("requestheaders", flow)

    async def request(self, flow: http.HTTPFlow) -> None:
        await self._run("request", flow)

    # No response stage awaits anything, so these run synchronously (no coroutine per event);
    # __init__ refuses an async stage hook here.
    def responseheaders(self, flow: http.HTTPFlow) -> None:
        self._run_sync("responseheaders", flow)

    def response(self, flow: http.HTTPFlow) -> None:
        failed = flow.metadata.get(_FAILED_ON_HEADERS)
        if failed is not None:
            self._withhold_answer(flow, failed)
        self._run_sync("response", flow)

    def error(self, flow: http.HTTPFlow) -> None:
        self._run_sync("error", flow)

    # An exception of any kind from a stage is a failure of that stage, AddonHalt included: a flow
    # hook that stops the other stages would skip the checks after it.
    async def _run(self, hook: str, flow: http.HTTPFlow) -> None:
        for name, method, is_async in self._handlers[hook]:
            try:
                if is_async:
                    await method(flow)
                else:
                    method(flow)
            except Exception as e:  # noqa: BLE001 - one stage's bug must not skip the others
                self._stage_failed(name, hook, flow, e)

    def _run_sync(self, hook: str, flow: http.HTTPFlow) -> None:
        for name, method, _ in self._handlers[hook]:
            try:
                method(flow)
            except Exception as e:  # noqa: BLE001 - one stage's bug must not skip the others
                self._stage_failed(name, hook, flow, e)

    def _stage_failed(self, name: str, hook: str, flow: http.HTTPFlow, error: Exception) -> None:
        context = get_context(flow)
        log.error("aegis: stage %s failed in %s for %s: %r", name, hook, context.request_id, error,
                  exc_info=error)
        context.notes.append(f"stage_failed:{name}.{hook}")
        if hook in _REQUEST_HOOKS:
            if flow.response is None:
                flow.response = make_error(context, "request_blocked",
                                           "the gateway could not check this request and did not forward it",
                                           detail={"failed_stage": name})
        elif hook == "responseheaders":
            if flow.response is not None and context.error_code is None:
                # The answer's filters may not be in place: buffer it and withhold it in `response`.
                flow.response.stream = False
                flow.metadata[_FAILED_ON_HEADERS] = name
        elif hook == "response":
            self._withhold_answer(flow, name)

    @staticmethod
    def _withhold_answer(flow: http.HTTPFlow, failed_stage: str) -> None:
        """Replace a buffered upstream answer that a stage could not finish checking."""
        context = get_context(flow)
        if flow.response is None or flow.response.stream or context.error_code is not None:
            return  # streamed (its filters fail closed themselves) or already the gateway's own answer
        flow.response = make_error(context, "answer_withheld",
                                   "the gateway could not check the upstream's answer and withheld it",
                                   detail={"failed_stage": failed_stage})
