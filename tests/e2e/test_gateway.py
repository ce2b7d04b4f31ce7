"""End to end: the real gateway (mitmdump + bundle) between real SDK clients and the mock upstream."""

from __future__ import annotations

import gzip
import socket
import threading
import time

import anthropic
import httpx
import openai
import pytest

from tests.support import Gateway, error_code, free_port, sse_data_lines


@pytest.fixture(scope="module")
def token(gateway, mock_llm):
    return gateway.register(mock_llm.url + "/v1")["token"]


@pytest.fixture
def base(gateway, token):
    return f"{gateway.url}/v1/__gw__/t/{token}"


def last_request(mock_llm, path_suffix: str):
    matching = [r for r in mock_llm.requests if r.path.split("?")[0].endswith(path_suffix)]
    assert matching, f"nothing reached the upstream at *{path_suffix}"
    return matching[-1]


# --- health and routing with the real SDKs -------------------------------------------------------

def test_health_and_ready(gateway):
    health = httpx.get(gateway.url + "/health")
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    assert health.headers["x-aegis-request-id"].startswith("req_")
    ready = httpx.get(gateway.url + "/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": True, "audit_writer": True, "tokens_loaded": True}


def test_openai_chat_through_token_route(gateway, base, mock_llm):
    client = openai.OpenAI(base_url=base, api_key="sk-client-key-123")
    raw = client.chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}],
        extra_headers={"x-mock-reply": "routed fine", "x-aegis-action": "allow", "X-Aegis-Policy": "off"})
    completion = raw.parse()
    assert completion.choices[0].message.content == "routed fine"
    seen = last_request(mock_llm, "/v1/chat/completions")
    assert seen.path == "/v1/chat/completions"                       # no doubled /v1
    assert seen.headers["authorization"] == "Bearer sk-client-key-123"  # passes untouched
    assert seen.headers["x-aegis-request-id"] == raw.headers["x-aegis-request-id"]
    assert not [h for h in seen.headers if h.startswith("x-aegis-") and h != "x-aegis-request-id"]
    assert raw.headers["x-aegis-action"] == "allow" and raw.headers["x-aegis-findings"] == ""


def test_openai_streaming_chat_arrives_incrementally(base):
    client = openai.OpenAI(base_url=base, api_key="x")
    start = time.monotonic()
    arrivals, text = [], []
    stream = client.chat.completions.create(
        model="m", stream=True, messages=[{"role": "user", "content": "hi"}],
        extra_headers={"x-mock-reply": "one two three four five six", "x-mock-delay-ms": "150"})
    for chunk in stream:
        arrivals.append(time.monotonic() - start)
        if chunk.choices and chunk.choices[0].delta.content:
            text.append(chunk.choices[0].delta.content)
    assert "".join(text) == "one two three four five six"
    # The upstream needs >= 1 s for all events; the first must not wait for the last.
    assert arrivals[-1] - arrivals[0] > 0.8, arrivals


def test_openai_responses_buffered_and_streamed(base, mock_llm):
    client = openai.OpenAI(base_url=base, api_key="x")
    resp = client.responses.create(model="m", input="hello", extra_headers={"x-mock-reply": "resp text"})
    assert resp.output_text == "resp text"
    assert last_request(mock_llm, "/responses").path == "/v1/responses"
    events = list(client.responses.create(model="m", input="hello", stream=True,
                                          extra_headers={"x-mock-reply": "streamed resp"}))
    deltas = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    assert deltas == "streamed resp" and events[-1].type == "response.completed"


def test_anthropic_messages_buffered_and_streamed(base, mock_llm):
    client = anthropic.Anthropic(base_url=base, api_key="sk-ant-client")
    message = client.messages.create(model="claude-haiku-4-5", max_tokens=50,
                                     messages=[{"role": "user", "content": "hi"}],
                                     extra_headers={"x-mock-reply": "anthropic ok"})
    assert message.content[0].text == "anthropic ok"
    seen = last_request(mock_llm, "/messages")
    assert seen.path == "/v1/messages"                             # SDK sent /v1/messages: not doubled
    assert "sk-ant-client" in (seen.headers.get("x-api-key", "") + seen.headers.get("authorization", ""))
    with client.messages.stream(model="claude-haiku-4-5", max_tokens=50,
                                messages=[{"role": "user", "content": "hi"}],
                                extra_headers={"x-mock-reply": "streamed anthropic"}) as stream:
        assert "".join(stream.text_stream) == "streamed anthropic"


def test_sse_closing_comment_and_request_id(base):
    with httpx.stream("POST", base + "/chat/completions", json={"model": "m", "stream": True,
                      "messages": [{"role": "user", "content": "x"}]}) as r:
        body = r.read().decode()
        request_id = r.headers["x-aegis-request-id"]
    assert "x-aegis-action" not in r.headers   # streamed: the verdict comes at the end, as a comment
    assert sse_data_lines(body)[-1] == "[DONE]"
    assert body.rstrip().splitlines()[-1] == f": aegis request_id={request_id} action=allow findings="


def test_split_sse_bytes_still_parse(base):
    client = openai.OpenAI(base_url=base, api_key="x")
    stream = client.chat.completions.create(model="m", stream=True,
                                            messages=[{"role": "user", "content": "hi"}],
                                            extra_headers={"x-mock-reply": "split into bytes",
                                                           "x-mock-split-bytes": "1"})
    assert "".join(c.choices[0].delta.content or "" for c in stream if c.choices) == "split into bytes"


def test_models_and_query_string_pass_through(base, mock_llm):
    models = openai.OpenAI(base_url=base, api_key="x").models.list()
    assert any(m.id == "gpt-4o-mini" for m in models.data)
    r = httpx.get(base + "/models?limit=2&after=x")
    assert r.status_code == 200
    assert last_request(mock_llm, "/models").path == "/v1/models?limit=2&after=x"


def test_port_token_and_direct_and_v2_routes(gateway, mock_llm):
    port = mock_llm.port
    r = httpx.post(f"{gateway.url}/v1/__gw__/t/{port}/chat/completions",
                   json={"model": "m", "messages": [{"role": "user", "content": "p"}]},
                   headers={"x-mock-reply": "via port"})
    assert r.status_code == 200 and r.json()["choices"][0]["message"]["content"] == "via port"
    r = httpx.post(f"{gateway.url}/v1/chat/completions",
                   json={"model": "m", "messages": [{"role": "user", "content": "d"}]},
                   headers={"x-mock-reply": "direct"})
    assert r.status_code == 200 and r.json()["choices"][0]["message"]["content"] == "direct"
    r = httpx.post(f"{gateway.url}/v2/anything", json={"model": "m", "messages": []},
                   headers={"x-target-url": f"{mock_llm.url}/v1/chat/completions?v=2",
                            "x-mock-reply": "generic"})
    assert r.status_code == 200 and r.json()["choices"][0]["message"]["content"] == "generic"
    seen = last_request(mock_llm, "/chat/completions")
    assert seen.path == "/v1/chat/completions?v=2" and "x-target-url" not in seen.headers


def test_filter_mode_suffixes_route_where_the_policy_allows_them(gateway, token, mock_llm):
    permissive = gateway.register(mock_llm.url + "/v1", policy="permissive")["token"]
    for suffix in ("__redact", "__passthrough"):
        r = httpx.post(f"{gateway.url}/v1/__gw__/t/{permissive}{suffix}/chat/completions",
                       json={"model": "m", "messages": [{"role": "user", "content": "s"}]},
                       headers={"x-mock-reply": suffix})
        assert r.status_code == 200 and r.json()["choices"][0]["message"]["content"] == suffix
        # the default policy (and strict) does not let a client switch its checks off
        before = len(mock_llm.requests)
        r = httpx.post(f"{gateway.url}/v1/__gw__/t/{token}{suffix}/chat/completions",
                       json={"model": "m", "messages": [{"role": "user", "content": "s"}]})
        assert r.status_code == 403 and error_code(r) == "filter_mode_not_allowed"
        assert len(mock_llm.requests) == before


def test_compressed_request_body_is_decoded_and_forwarded(base, mock_llm):
    body = b'{"model":"m","messages":[{"role":"user","content":"zipped"}]}'
    r = httpx.post(base + "/chat/completions", content=gzip.compress(body),
                   headers={"content-encoding": "gzip", "content-type": "application/json",
                            "x-mock-echo": "1"})
    assert r.status_code == 200 and r.json()["choices"][0]["message"]["content"] == "zipped"


# --- every error code from a real request ------------------------------------------------------

def test_error_token_not_found(gateway):
    r = httpx.post(f"{gateway.url}/v1/__gw__/t/NoSuchToken123/chat/completions", json={})
    assert r.status_code == 404 and error_code(r) == "token_not_found"
    assert r.headers["x-aegis-action"] == "block"


def test_error_invalid_filter_mode(gateway, token):
    r = httpx.post(f"{gateway.url}/v1/__gw__/t/{token}__bogus/chat/completions", json={})
    assert r.status_code == 400 and error_code(r) == "invalid_filter_mode"


def test_error_gateway_key_invalid_and_missing_params(gateway):
    r = httpx.post(gateway.url + "/__gw__/register",
                   json={"upstream_base": "http://127.0.0.1:9/v1", "gateway_key": "wrong-key-000000"})
    assert r.status_code == 403 and error_code(r) == "gateway_key_invalid"
    r = httpx.post(gateway.url + "/__gw__/register", json={"gateway_key": gateway.key})
    assert r.status_code == 400 and error_code(r) == "missing_params"
    r = httpx.post(gateway.url + "/__gw__/register", json={"upstream_base": "http://127.0.0.1:9/v1"})
    assert r.status_code == 400 and error_code(r) == "missing_params"
    r = httpx.post(gateway.url + "/__gw__/register",
                   json={"upstream_base": "ftp://x", "gateway_key": gateway.key})
    assert r.status_code == 400 and error_code(r) == "invalid_params"


def test_error_request_body_too_large(base):
    big = b'{"x":"' + b"a" * 250_000 + b'"}'
    r = httpx.post(base + "/chat/completions", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413 and error_code(r) == "request_body_too_large"

    def chunks():  # no Content-Length: the real size is checked once the body is read
        for _ in range(25):
            yield b"a" * 10_000
    r = httpx.post(base + "/chat/completions", content=chunks())
    assert r.status_code == 413 and error_code(r) == "request_body_too_large"


def test_error_missing_target_url_header_and_target_not_allowed(gateway):
    r = httpx.post(gateway.url + "/v2/chat", json={})
    assert r.status_code == 400 and error_code(r) == "missing_target_url_header"
    r = httpx.post(gateway.url + "/v2/chat", json={}, headers={"x-target-url": "https://example.com/v1/x"})
    assert r.status_code == 403 and error_code(r) == "target_not_allowed"


def test_error_upstream_unreachable(gateway):
    dead = gateway.register(f"http://127.0.0.1:{free_port()}/v1")["token"]
    client = openai.OpenAI(base_url=f"{gateway.url}/v1/__gw__/t/{dead}", api_key="x", max_retries=0)
    with pytest.raises(openai.APIStatusError) as info:
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}])
    assert info.value.status_code == 502
    assert info.value.body["code"] == "upstream_unreachable"  # the SDK surfaces the envelope's error
    assert error_code(info.value.response) == "upstream_unreachable"


@pytest.fixture
def garbage_upstream():
    """A TCP server that answers every request with bytes that are not HTTP."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    stop = threading.Event()

    def serve():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                conn.recv(65536)
                conn.sendall(b"THIS IS NOT HTTP\r\n\r\n")
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join(2)
    server.close()


def test_error_upstream_http_error(gateway, garbage_upstream):
    broken = gateway.register(garbage_upstream + "/v1")["token"]
    r = httpx.post(f"{gateway.url}/v1/__gw__/t/{broken}/chat/completions", json={"model": "m"})
    assert r.status_code == 502 and error_code(r) == "upstream_http_error"


def test_upstream_error_status_is_forwarded_as_is(base):
    r = httpx.post(base + "/chat/completions", json={"model": "m", "messages": []},
                   headers={"x-mock-status": "429"})
    assert r.status_code == 429 and r.json()["error"]["type"] != "aegisgate_error"


def test_error_unsupported_content_encoding(base):
    r = httpx.post(base + "/chat/completions", content=b"not really compressed",
                   headers={"content-encoding": "gzip"})
    assert r.status_code == 415 and error_code(r) == "unsupported_content_encoding"
    r = httpx.post(base + "/chat/completions", content=b"{}", headers={"content-encoding": "compress"})
    assert r.status_code == 415 and error_code(r) == "unsupported_content_encoding"


def test_error_route_not_found(gateway):
    r = httpx.get(gateway.url + "/somewhere/else")
    assert r.status_code == 404 and error_code(r) == "route_not_found"


# --- admin API, audit ------------------------------------------------------------------------------

def test_admin_tokens_unregister_and_model_map(gateway, mock_llm):
    created = gateway.register(mock_llm.url + "/v1", model_map={"fast": "gpt-4o-mini"}, policy="strict")
    assert created["base_url"] == f"{gateway.url}/v1/__gw__/t/{created['token']}"
    listed = httpx.get(gateway.url + "/__gw__/tokens", headers={"x-gateway-key": gateway.key}).json()
    assert created["token"] in {t["token"] for t in listed["tokens"]}

    r = httpx.post(created["base_url"] + "/chat/completions",
                   json={"model": "fast", "messages": [{"role": "user", "content": "m"}]})
    assert r.json()["model"] == "gpt-4o-mini"                      # the mock echoes the model it got

    r = httpx.post(gateway.url + "/__gw__/unregister", json={"token": created["token"], "gateway_key": gateway.key})
    assert r.status_code == 200
    r = httpx.post(created["base_url"] + "/chat/completions", json={})
    assert r.status_code == 404 and error_code(r) == "token_not_found"
    r = httpx.post(gateway.url + "/__gw__/unregister", json={"token": created["token"], "gateway_key": gateway.key})
    assert r.status_code == 404 and error_code(r) == "token_not_found"


def test_audit_row_for_each_flow(gateway, base):
    r = httpx.post(base + "/chat/completions", json={"model": "m", "messages": [{"role": "user", "content": "a"}]})
    rows = gateway.audit_rows(r.headers["x-aegis-request-id"])
    assert len(rows) == 1
    row = rows[0]
    assert (row.route, row.status, row.action, row.method) == ("token", 200, "allow", "POST")
    assert row.path == "/v1/chat/completions" and row.token_hint.endswith("…")
    assert row.duration_ms is not None and row.duration_ms >= 0

    r = httpx.post(f"{gateway.url}/v1/__gw__/t/NoSuch/chat/completions", json={})
    row = gateway.audit_rows(r.headers["x-aegis-request-id"])[0]
    assert (row.status, row.error_code, row.action) == (404, "token_not_found", "block")


def test_forward_proxy_inspects_llm_hosts_and_refuses_others(tmp_path, mock_llm):
    with Gateway(tmp_path / "fwd", options={"aegis_forward_llm_hosts": "localhost"}) as gw:
        with httpx.Client(proxy=gw.forward_url) as client:
            r = client.post(f"http://localhost:{mock_llm.port}/v1/chat/completions",
                            json={"model": "m", "messages": [{"role": "user", "content": "f"}]},
                            headers={"x-mock-reply": "forwarded"})
            assert r.status_code == 200 and r.json()["choices"][0]["message"]["content"] == "forwarded"
            assert r.headers["x-aegis-action"] == "allow"
            forwarded_id = r.headers["x-aegis-request-id"]
            r = client.get(f"http://127.0.0.1:{mock_llm.port}/v1/models")
            assert r.status_code == 403 and error_code(r) == "host_not_allowed"
        assert gw.audit_rows(forwarded_id)[0].route == "forward"


# --- guard options and restart (their own gateways) ------------------------------------------------

def test_guard_loopback_trusted_proxy_and_token_route_required(tmp_path, mock_llm):
    options = {"aegis_trusted_proxies": "127.0.0.1", "aegis_upstream_base_url": mock_llm.url + "/v1"}
    with Gateway(tmp_path / "guard", options=options) as gw:
        remote = {"x-forwarded-for": "203.0.113.9"}
        r = httpx.get(gw.url + "/health", headers=remote)
        assert r.status_code == 403 and error_code(r) == "client_not_allowed"
        # An untrusted hop cannot claim to be loopback: 203.0.113.9 is not a trusted proxy.
        r = httpx.get(gw.url + "/health", headers={"x-forwarded-for": "127.0.0.1, 203.0.113.9"})
        assert r.status_code == 403
    options["aegis_enforce_loopback_only"] = False
    with Gateway(tmp_path / "guard2", options=options) as gw:
        r = httpx.post(gw.url + "/v1/chat/completions", json={}, headers={"x-forwarded-for": "203.0.113.9"})
        assert r.status_code == 403 and error_code(r) == "token_route_required"
        r = httpx.post(gw.url + "/v1/chat/completions", headers={"x-mock-reply": "local"},
                       json={"model": "m", "messages": [{"role": "user", "content": "x"}]})
        assert r.status_code == 200


def test_request_hmac_signing(tmp_path, mock_llm):
    from aegis_addons.addons.guard import sign
    with Gateway(tmp_path / "hmac", options={"aegis_enable_request_hmac_auth": True,
                                             "aegis_request_hmac_secret": "s3cret-signing-key"}) as gw:
        r = httpx.get(gw.url + "/health")
        assert r.status_code == 401 and error_code(r) == "invalid_request_signature"
        ts = str(int(time.time()))
        good = {"x-aegis-timestamp": ts, "x-aegis-signature": sign("s3cret-signing-key", ts, "GET", "/health", b"")}
        assert httpx.get(gw.url + "/health", headers=good).status_code == 200
        replay = httpx.get(gw.url + "/health", headers=good)
        assert replay.status_code == 401 and "replay" in replay.json()["error"]["message"]
        old = str(int(time.time()) - 3600)
        stale = {"x-aegis-timestamp": old, "x-aegis-signature": sign("s3cret-signing-key", old, "GET", "/health", b"")}
        assert httpx.get(gw.url + "/health", headers=stale).status_code == 401


def test_token_survives_restart_and_key_rotation(tmp_path, mock_llm):
    gw = Gateway(tmp_path / "restart")
    with gw:
        token = gw.register(mock_llm.url + "/v1")["token"]
        old_key = gw.key
        gw.restart()
        r = httpx.post(f"{gw.url}/v1/__gw__/t/{token}/chat/completions", headers={"x-mock-reply": "still here"},
                       json={"model": "m", "messages": [{"role": "user", "content": "x"}]})
        assert r.status_code == 200 and r.json()["choices"][0]["message"]["content"] == "still here"
        assert gw.key == old_key                                     # the key file persists too
        rotated = httpx.post(gw.url + "/__gw__/rotate-key", json={"gateway_key": old_key}).json()["gateway_key"]
        assert rotated != old_key and gw.key == rotated
        assert (gw.home / "gateway.key").stat().st_mode & 0o777 == 0o600
        r = httpx.get(gw.url + "/__gw__/tokens", headers={"x-gateway-key": old_key})
        assert r.status_code == 403 and error_code(r) == "gateway_key_invalid"


def test_gateway_on_postgresql(tmp_path, mock_llm, pg_url):
    from aegis_addons.store.db import make_engine
    from aegis_addons.store.models import Base
    engine = make_engine(pg_url)
    Base.metadata.drop_all(engine)
    engine.dispose()
    with Gateway(tmp_path / "pg", options={"aegis_database_url": pg_url}) as gw:
        token = gw.register(mock_llm.url + "/v1")["token"]
        gw.restart()
        r = httpx.post(f"{gw.url}/v1/__gw__/t/{token}/chat/completions", headers={"x-mock-reply": "pg"},
                       json={"model": "m", "messages": [{"role": "user", "content": "x"}]})
        assert r.status_code == 200 and r.json()["choices"][0]["message"]["content"] == "pg"
        rows = gw.audit_rows(r.headers["x-aegis-request-id"])
        assert len(rows) == 1 and rows[0].route == "token" and rows[0].status == 200
        assert httpx.get(gw.url + "/ready").json()["checks"]["database"] is True


def test_chunked_body_past_body_size_limit_is_refused_while_it_arrives(tmp_path, mock_llm):
    """A chunked body has no length to refuse it by: mitmproxy's body_size_limit (mitm.conf) stops it
    while it arrives, so a client cannot make the gateway buffer an unbounded body; the gateway then
    serves the next request as usual."""
    options = {"aegis_upstream_base_url": mock_llm.url + "/v1"}  # the shipped limit: 64m in mitm.conf
    with Gateway(tmp_path / "limit", options=options) as gw:
        sent = []

        def chunks():  # 400 MB offered, no Content-Length
            for _ in range(4000):
                sent.append(100_000)
                yield b"a" * 100_000
        try:
            r = httpx.post(gw.url + "/v1/chat/completions", content=chunks(),
                           timeout=httpx.Timeout(10, write=2))
            status = r.status_code
        except httpx.HTTPError:  # it stops reading: a client that only reads after writing times out
            status = None
        assert status in (413, None)
        assert sum(sent) < 100_000_000, f"{sum(sent)} bytes were read"
        r = httpx.post(gw.url + "/v1/chat/completions", headers={"x-mock-reply": "fine"},
                       json={"model": "m", "messages": [{"role": "user", "content": "x"}]})
        assert r.status_code == 200 and r.json()["choices"][0]["message"]["content"] == "fine"
