"""The Pipeline runs the bundle's stages as one mitmproxy addon: order, failure isolation, fail closed.

The hooks are dispatched through mitmproxy's addon manager, as in production, where a plain list of
addons in one script shares one error guard (a crash would skip every later addon of the script).
"""

import json

import pytest
from mitmproxy import exceptions, http
from mitmproxy.proxy.layers.http import (
    HttpRequestHeadersHook,
    HttpRequestHook,
    HttpResponseHeadersHook,
    HttpResponseHook,
)
from mitmproxy.test import taddons, tflow

from aegis_addons.addons.guard import strip_aegis_headers
from aegis_addons.addons.pipeline import Pipeline
from aegis_addons.addons.redaction import Redaction
from aegis_addons.addons.request_text import CommitRequest, ParseRequest
from aegis_addons.addons.router import point_at
from aegis_addons.addons.upstream import Upstream
from aegis_addons.context import get_context
from tests.unit.test_fail_closed import chat_flow


class Recorder:
    """A stage that writes down which hooks reached it."""

    def __init__(self, log: list, name: str):
        self.log, self.name = log, name

    def requestheaders(self, flow):
        self.log.append((self.name, "requestheaders"))

    async def request(self, flow):
        self.log.append((self.name, "request"))

    def responseheaders(self, flow):
        self.log.append((self.name, "responseheaders"))

    def response(self, flow):
        self.log.append((self.name, "response"))


class Crashing(Recorder):
    def __init__(self, log: list, name: str, hook: str):
        super().__init__(log, name)
        self.crash_in = hook

    def _maybe_crash(self, hook):
        self.log.append((self.name, hook))
        if hook == self.crash_in:
            raise RuntimeError(f"{self.name} broke in {hook}")

    def requestheaders(self, flow):
        self._maybe_crash("requestheaders")

    async def request(self, flow):
        self._maybe_crash("request")

    def response(self, flow):
        self._maybe_crash("response")


class StrictOption:
    def load(self, loader):
        loader.add_option("pipeline_test_positive", int, 1, "must be positive")

    def configure(self, updated):
        from mitmproxy import ctx
        if "pipeline_test_positive" in updated and ctx.options.pipeline_test_positive < 1:
            raise exceptions.OptionsError("pipeline_test_positive must be positive")


async def run_flow(tctx, flow, response: bool = True):
    await tctx.master.addons.handle_lifecycle(HttpRequestHeadersHook(flow))
    await tctx.master.addons.handle_lifecycle(HttpRequestHook(flow))
    if response:
        if flow.response is None:
            flow.response = http.Response.make(200, b"{}", {"content-type": "application/json"})
        await tctx.master.addons.handle_lifecycle(HttpResponseHeadersHook(flow))
        await tctx.master.addons.handle_lifecycle(HttpResponseHook(flow))


async def test_stages_run_in_order_sync_and_async():
    log = []
    pipeline = Pipeline([Recorder(log, "a"), Recorder(log, "b")])
    with taddons.context(pipeline) as tctx:
        await run_flow(tctx, chat_flow("hello"))
    assert log == [("a", "requestheaders"), ("b", "requestheaders"), ("a", "request"), ("b", "request"),
                   ("a", "responseheaders"), ("b", "responseheaders"), ("a", "response"), ("b", "response")]


@pytest.mark.parametrize("hook", ["requestheaders", "request"])
async def test_a_request_stage_that_crashes_refuses_the_request_and_later_stages_still_run(hook, caplog):
    log = []
    pipeline = Pipeline([Crashing(log, "broken", hook), Recorder(log, "after")])
    with taddons.context(pipeline) as tctx:
        flow = chat_flow("hello")
        await run_flow(tctx, flow)
    assert flow.response.status_code == 403
    body = json.loads(flow.response.text)
    assert body["error_code"] == "request_blocked" and body["detail"] == {"failed_stage": "Crashing"}
    assert ("after", hook) in log and ("after", "response") in log  # answered, stamped, audited
    assert f"stage_failed:Crashing.{hook}" in get_context(flow).notes
    assert any("broken broke in" in r.getMessage() for r in caplog.records)


async def test_a_response_stage_that_crashes_withholds_the_answer_and_does_not_skip_the_audit():
    log = []
    pipeline = Pipeline([Crashing(log, "broken", "response"), Recorder(log, "audit")])
    with taddons.context(pipeline) as tctx:
        flow = chat_flow("hello")
        await run_flow(tctx, flow)
    assert flow.response.status_code == 502
    body = json.loads(flow.response.text)
    assert body["error_code"] == "answer_withheld" and body["detail"] == {"failed_stage": "Crashing"}
    assert ("audit", "response") in log
    assert "stage_failed:Crashing.response" in get_context(flow).notes


def test_configure_errors_still_reject_the_option():
    pipeline = Pipeline([StrictOption()])
    with taddons.context(pipeline) as tctx, pytest.raises(exceptions.OptionsError, match="must be positive"):
        tctx.configure(pipeline, pipeline_test_positive=0)


async def test_redaction_crash_outside_its_guard_blocks_as_composed_in_production(tmp_path, monkeypatch):
    """The real request stages inside one Pipeline: a crash before Redaction's own try must not let the
    later stages (body commit, the upstream's unfinished-stage check) be skipped."""
    monkeypatch.setenv("AEGIS_HOME", str(tmp_path))
    redaction = Redaction()
    pipeline = Pipeline([ParseRequest(), redaction, CommitRequest(), Upstream()])
    with taddons.context(pipeline) as tctx:
        tctx.configure(pipeline, aegis_pii_relaxed=False)
        monkeypatch.setattr(redaction, "redactor", lambda whitelist: 1 / 0)
        flow = chat_flow("mail alice@example.org")
        await run_flow(tctx, flow, response=False)
    assert flow.response.status_code == 403
    assert json.loads(flow.response.text)["error_code"] == "request_blocked"


def test_strip_aegis_headers_any_case_keeps_the_rest():
    headers = http.Headers([(b"X-Aegis-Action", b"allow"), (b"content-type", b"a/b"),
                            (b"x-AEGIS-request-id", b"forged"), (b"x-aegisnot", b"kept")])
    strip_aegis_headers(headers)
    assert headers.fields == ((b"content-type", b"a/b"), (b"x-aegisnot", b"kept"))
    untouched = http.Headers([(b"a", b"1")])
    strip_aegis_headers(untouched)
    assert untouched.fields == ((b"a", b"1"),)


@pytest.mark.parametrize("url, scheme, host, port, path, host_header", [
    ("https://api.openai.com/v1/chat/completions", "https", "api.openai.com", 443, "/v1/chat/completions",
     "api.openai.com"),
    ("http://127.0.0.1:9000/v1/models?limit=2", "http", "127.0.0.1", 9000, "/v1/models?limit=2",
     "127.0.0.1:9000"),
    ("http://h", "http", "h", 80, "/", "h"),
    ("http://h?x=1", "http", "h", 80, "/?x=1", "h"),
    ("http://h/p#frag", "http", "h", 80, "/p", "h"),
    ("http://[::1]:8080/v1", "http", "::1", 8080, "/v1", "[::1]:8080"),
])
def test_point_at(url, scheme, host, port, path, host_header):
    flow = tflow.tflow()
    point_at(flow, url)
    request = flow.request
    assert (request.scheme, request.host, request.port, request.path, request.host_header) == (
        scheme, host, port, path, host_header)


@pytest.mark.parametrize("url", ["/just/a/path", "http://", "http://:8080/v1"])
def test_point_at_refuses_a_url_without_a_host(url):
    with pytest.raises(ValueError):
        point_at(tflow.tflow(), url)


def test_an_async_response_hook_is_refused_at_composition():
    class AsyncAnswer:
        async def response(self, flow):
            pass

    with pytest.raises(TypeError, match="response runs synchronously; async in AsyncAnswer"):
        Pipeline([AsyncAnswer()])


class FailsOnHeaders(Recorder):
    def responseheaders(self, flow):
        flow.response.stream = lambda chunk: chunk  # as the answer filters would set it up
        raise RuntimeError("filters could not be built")


async def test_a_stage_that_crashes_on_the_answer_headers_gets_the_answer_buffered_and_withheld():
    log = []
    pipeline = Pipeline([FailsOnHeaders(log, "answers"), Recorder(log, "audit")])
    with taddons.context(pipeline) as tctx:
        flow = chat_flow("hello")
        await tctx.master.addons.handle_lifecycle(HttpRequestHeadersHook(flow))
        await tctx.master.addons.handle_lifecycle(HttpRequestHook(flow))
        flow.response = http.Response.make(200, b"data: {}\n\n", {"content-type": "text/event-stream"})
        await tctx.master.addons.handle_lifecycle(HttpResponseHeadersHook(flow))
        assert flow.response.stream is False   # mitmproxy buffers it instead of streaming it
        await tctx.master.addons.handle_lifecycle(HttpResponseHook(flow))
    assert flow.response.status_code == 502
    assert json.loads(flow.response.text)["error_code"] == "answer_withheld"
    assert ("audit", "response") in log


class Halts(Recorder):
    async def request(self, flow):
        raise exceptions.AddonHalt()


async def test_addon_halt_from_a_stage_is_a_failure_not_a_way_around_the_later_stages():
    log = []
    pipeline = Pipeline([Halts(log, "halts"), Recorder(log, "after")])
    with taddons.context(pipeline) as tctx:
        flow = chat_flow("hello")
        await run_flow(tctx, flow)
    assert flow.response.status_code == 403 and ("after", "request") in log


def test_point_at_reads_the_url_as_urlsplit_and_the_allowlist_do():
    flow = tflow.tflow()
    point_at(flow, "\x01 http://h/a\tb\r\nc?q=1")
    assert (flow.request.host, flow.request.path) == ("h", "/abc?q=1")


def test_a_stage_hook_the_pipeline_does_not_forward_is_refused():
    class Connects:
        def server_connect(self, data):
            pass

    with pytest.raises(TypeError, match="does not forward Connects.server_connect"):
        Pipeline([Connects()])
