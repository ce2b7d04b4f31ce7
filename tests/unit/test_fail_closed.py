"""A request stage that crashes must block the request, never let it through unscanned.

mitmproxy's addon manager logs an exception raised in a hook and continues with the flow, so these
tests dispatch hooks through it (not by calling the addons directly).
"""

import json

import pytest
from mitmproxy.proxy.layers.http import HttpRequestHeadersHook, HttpRequestHook
from mitmproxy.proxy.mode_specs import ProxyMode
from mitmproxy.test import taddons, tflow

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
