"""A request stage that crashes must block the request, never let it through unscanned.

mitmproxy's addon manager logs an exception raised in a hook and continues with the flow, so these
tests dispatch hooks through it (not by calling the addons directly).
"""

import asyncio
import json
import time

import pytest
from mitmproxy import exceptions
from mitmproxy.proxy.layers.http import HttpRequestHeadersHook, HttpRequestHook
from mitmproxy.proxy.mode_specs import ProxyMode
from mitmproxy.test import taddons, tflow

from aegis_addons.addons.injection import InjectionGuard
from aegis_addons.addons.redaction import Redaction
from aegis_addons.addons.request_text import CommitRequest, ParseRequest
from aegis_addons.addons.upstream import Upstream
from aegis_addons.context import ROUTE_TOKEN, get_context


def chat_flow(text: str):
    flow = tflow.tflow()
    flow.client_conn.proxy_mode = ProxyMode.parse("reverse:http://aegis.invalid@127.0.0.1:0")
    flow.request.path = "/v1/chat/completions"
    flow.request.text = json.dumps({"model": "m", "messages": [{"role": "user", "content": text}]})
    get_context(flow).route = ROUTE_TOKEN
    return flow


async def run_request_hooks(tctx, flow):
    await tctx.master.addons.handle_lifecycle(HttpRequestHeadersHook(flow))
    await tctx.master.addons.handle_lifecycle(HttpRequestHook(flow))


@pytest.fixture
def pipeline(tmp_path, monkeypatch):
    monkeypatch.setenv("AEGIS_HOME", str(tmp_path))
    return [ParseRequest(), Redaction(), CommitRequest(), Upstream()]


async def test_redaction_works_through_the_addon_manager(pipeline):
    with taddons.context(*pipeline) as tctx:
        tctx.configure(pipeline[1], aegis_pii_relaxed=False)
        flow = chat_flow("mail alice@example.org")
        await run_request_hooks(tctx, flow)
        assert flow.response is None and "alice@example.org" not in flow.request.text
        assert get_context(flow).action == "redact"


async def test_detector_exception_blocks_the_request(pipeline, monkeypatch):
    parse, redaction, commit, upstream = pipeline
    with taddons.context(*pipeline) as tctx:
        tctx.configure(redaction, aegis_pii_relaxed=False)

        def broken(text):
            raise RuntimeError("detector crashed")
        monkeypatch.setattr(redaction.detector, "scan", broken)
        flow = chat_flow("mail alice@example.org")
        await run_request_hooks(tctx, flow)
        assert flow.response.status_code == 403
        assert json.loads(flow.response.text)["error_code"] == "request_blocked"


async def test_a_stage_that_crashes_outside_its_own_guard_still_blocks(pipeline, monkeypatch):
    parse, redaction, commit, upstream = pipeline
    with taddons.context(*pipeline) as tctx:
        tctx.configure(redaction, aegis_pii_relaxed=False)
        monkeypatch.setattr(redaction, "redactor", lambda whitelist: 1 / 0)  # raises before any try
        flow = chat_flow("mail alice@example.org")
        await run_request_hooks(tctx, flow)
        assert flow.response.status_code == 403
        body = json.loads(flow.response.text)
        assert body["error_code"] == "request_blocked" and body["detail"]["unfinished_stages"] == ["redaction"]


def long_chat_flow(texts: list[str]):
    flow = chat_flow("")
    flow.request.text = json.dumps({"model": "m", "messages": [{"role": "user", "content": t} for t in texts]})
    return flow


async def test_a_scan_past_the_time_limit_blocks_the_request(pipeline):
    # Text built to be slow: every `api=` is a place where a secret assignment could start.
    parse, redaction, commit, upstream = pipeline
    crafted = "api=" * 10_000
    with taddons.context(*pipeline) as tctx:
        tctx.configure(redaction, aegis_pii_relaxed=False, aegis_scan_timeout_ms=20)
        flow = long_chat_flow([crafted])
        await run_request_hooks(tctx, flow)
        assert flow.response.status_code == 403
        body = json.loads(flow.response.text)
        assert body["error_code"] == "request_blocked"
        assert body["detail"] == {"stage": "redaction", "reason": "scan_timeout", "limit_ms": 20}
        # the same text with the default limit is scanned and forwarded
        tctx.configure(redaction, aegis_scan_timeout_ms=30_000)
        flow = long_chat_flow([crafted])
        await run_request_hooks(tctx, flow)
        assert flow.response is None


async def test_a_stage_that_gave_up_stops_its_worker_before_the_next_segment(pipeline, monkeypatch):
    parse, redaction, commit, upstream = pipeline
    scanned = []

    def slow(text):
        scanned.append(text[:1])
        time.sleep(0.2)
        return []
    with taddons.context(*pipeline) as tctx:
        tctx.configure(redaction, aegis_pii_relaxed=False, aegis_scan_timeout_ms=50)
        monkeypatch.setattr(redaction.detector, "scan", slow)
        flow = long_chat_flow([letter * 10_000 for letter in "abcde"])
        await run_request_hooks(tctx, flow)
        assert json.loads(flow.response.text)["detail"]["reason"] == "scan_timeout"
        await asyncio.sleep(0.6)  # all five segments would take a second
        assert scanned == ["a"]


async def test_injection_scan_past_the_time_limit_blocks_the_request(tmp_path, monkeypatch):
    monkeypatch.setenv("AEGIS_HOME", str(tmp_path))
    guard = InjectionGuard()
    addons = [ParseRequest(), guard, CommitRequest(), Upstream()]

    def slow(text, source="user"):
        time.sleep(0.3)
        return []
    with taddons.context(*addons) as tctx:
        tctx.configure(guard, aegis_scan_timeout_ms=50, aegis_injection_classifier=False)
        monkeypatch.setattr(guard.detector, "scan", slow)
        flow = long_chat_flow(["x" * 10_000])
        await run_request_hooks(tctx, flow)
        assert flow.response.status_code == 403
        assert json.loads(flow.response.text)["detail"] == {"stage": "injection", "reason": "scan_timeout",
                                                            "limit_ms": 50}


def test_the_scan_time_limit_must_be_positive(pipeline):
    with taddons.context(*pipeline) as tctx:
        with pytest.raises(exceptions.OptionsError, match="aegis_scan_timeout_ms"):
            tctx.configure(pipeline[1], aegis_scan_timeout_ms=0)
