"""Guard and router hooks on synthetic flows (mitmproxy's taddons/tflow), no sockets."""

import ipaddress
import time

import pytest
from mitmproxy import exceptions, http
from mitmproxy.proxy.mode_specs import ProxyMode
from mitmproxy.test import taddons, tflow

from aegis_addons.addons.guard import Guard, client_address, decoded_body, sign
from aegis_addons.addons.router import Router
from aegis_addons.addons.state import GatewayState
from aegis_addons.context import get_context
from aegis_addons.wire.content_encoding import DecodedBodyTooLarge, UndecodableBody


def reverse_flow(path: str, peer: str = "127.0.0.1", headers: dict | None = None, body: bytes = b""):
    flow = tflow.tflow()
    flow.client_conn.proxy_mode = ProxyMode.parse("reverse:http://aegis.invalid@127.0.0.1:0")
    flow.client_conn.peername = (peer, 50000)
    flow.request.path = path
    flow.request.content = body
    flow.request.headers.clear()
    for k, v in (headers or {}).items():
        flow.request.headers[k] = v
    return flow


@pytest.fixture
def state(tmp_path, monkeypatch):
    monkeypatch.setenv("AEGIS_HOME", str(tmp_path))
    state = GatewayState()
    with taddons.context(state) as tctx:
        tctx.configure(state, aegis_database_url=f"sqlite:///{tmp_path / 'aegis.db'}")
    yield state
    state.done()


def test_client_address_walks_only_trusted_hops():
    trusted = [ipaddress.ip_network("10.0.0.0/8")]
    assert client_address("10.0.0.5", "198.51.100.7", trusted) == "198.51.100.7"
    assert client_address("10.0.0.5", "127.0.0.1, 10.0.0.9", trusted) == "127.0.0.1"
    assert client_address("203.0.113.1", "127.0.0.1", trusted) == "203.0.113.1"   # untrusted peer
    assert client_address("::ffff:127.0.0.1", None, []) == "127.0.0.1"


def encoded_request(encoding: str, raw: bytes) -> http.Request:
    request = http.Request.make("POST", "http://x/")
    request.headers["content-encoding"] = encoding
    request.raw_content = raw
    return request


def test_decoded_body():
    import gzip
    assert decoded_body(http.Request.make("POST", "http://x/", b"plain"), 100) is None
    assert decoded_body(encoded_request("gzip", gzip.compress(b"hello")), 100) == b"hello"
    for encoding, raw in (("gzip", b"plain"), ("x-custom", b"data"), ("gzip, br", b"data"),
                          ("gzip", gzip.compress(b"hello") + b"junk"), ("gzip", gzip.compress(b"hello")[:-4])):
        with pytest.raises(UndecodableBody):
            decoded_body(encoded_request(encoding, raw), 100)


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br", "zstd"])
def test_decoded_body_reads_every_member_and_stops_at_the_limit(encoding):
    """mitmproxy decodes only a gzip body's first member; a bomb is not decoded past the limit."""
    import gzip
    import zlib

    import brotli
    import zstandard
    compress = {"gzip": gzip.compress, "deflate": zlib.compress, "br": brotli.compress,
                "zstd": zstandard.ZstdCompressor().compress}[encoding]
    body = b'{"messages": [{"role": "user", "content": "key AKIAZ3MSJV4WWNKWW5FA"}]}'
    if encoding in ("gzip", "zstd"):  # members / frames one after the other
        assert decoded_body(encoded_request(encoding, compress(body[:1]) + compress(body[1:])), 1000) == body
    assert decoded_body(encoded_request(encoding, compress(body)), 1000) == body
    with pytest.raises(DecodedBodyTooLarge):
        decoded_body(encoded_request(encoding, compress(b"0" * 2_000_000)), 1_000_000)


def test_guard_strips_client_aegis_headers_and_sets_request_id(state):
    guard = Guard(state)
    with taddons.context(state, guard) as tctx:
        tctx.configure(guard)
        flow = reverse_flow("/health", headers={"X-Aegis-Action": "allow", "x-aegis-request-id": "forged",
                                                "x-other": "kept"})
        guard.requestheaders(flow)
        guard.request(flow)
        assert flow.response is None
        assert flow.request.headers["x-other"] == "kept"
        assert flow.request.headers["x-aegis-request-id"] == get_context(flow).request_id != "forged"
        assert "x-aegis-action" not in flow.request.headers


def test_guard_refuses_non_loopback_and_large_bodies(state):
    guard = Guard(state)
    with taddons.context(state, guard) as tctx:
        tctx.configure(guard, aegis_max_request_body_bytes=10)
        remote = reverse_flow("/health", peer="192.0.2.10")
        guard.requestheaders(remote)
        assert remote.response.status_code == 403
        declared = reverse_flow("/x", headers={"content-length": "11"})
        guard.requestheaders(declared)
        assert declared.response.status_code == 413
        actual = reverse_flow("/x", body=b"x" * 11)
        guard.requestheaders(actual)
        assert actual.response is None
        guard.request(actual)
        assert actual.response.status_code == 413
        tctx.configure(guard, aegis_enforce_loopback_only=False)
        remote = reverse_flow("/health", peer="192.0.2.10")
        guard.requestheaders(remote)
        assert remote.response is None
        with pytest.raises(exceptions.OptionsError):
            tctx.configure(guard, aegis_trusted_proxies="not-an-ip")


def test_guard_hmac(state):
    guard = Guard(state)
    with taddons.context(state, guard) as tctx:
        tctx.configure(guard, aegis_enable_request_hmac_auth=True, aegis_request_hmac_secret="k" * 20)
        ts = str(int(time.time()))
        body = b'{"a":1}'
        headers = {"x-aegis-timestamp": ts, "x-aegis-signature": sign("k" * 20, ts, "GET", "/path", body)}
        good = reverse_flow("/path", headers=headers, body=body)
        guard.requestheaders(good)
        guard.request(good)
        assert good.response is None
        tampered = reverse_flow("/path", headers=headers, body=b'{"a":2}')
        guard.requestheaders(tampered)
        guard.request(tampered)
        assert tampered.response.status_code == 401


async def test_router_token_and_port_routes(state):
    router = Router(state)
    guard = Guard(state)
    with taddons.context(state, guard, router) as tctx:
        tctx.configure(router, aegis_docker_upstreams="8317:cli-proxy-api")
        record = state.tokens.create("https://api.example.com/v1", policy="permissive")
        flow = reverse_flow(f"/v1/__gw__/t/{record.token}__redact/v1/messages?beta=true")
        guard.requestheaders(flow)
        await router.requestheaders(flow)
        assert flow.request.url == "https://api.example.com/v1/messages?beta=true"
        assert flow.request.host_header == "api.example.com"
        context = get_context(flow)
        assert (context.route, context.filter_mode, context.policy) == ("token", "redact", "permissive")

        strict = state.tokens.create("https://api.example.com/v1", policy="strict")
        for suffix in ("__redact", "__passthrough"):  # a client cannot weaken the operator's policy
            refused = reverse_flow(f"/v1/__gw__/t/{strict.token}{suffix}/v1/messages")
            await router.requestheaders(refused)
            assert refused.response.status_code == 403
            assert get_context(refused).error_code == "filter_mode_not_allowed"

        docker = reverse_flow("/v1/__gw__/t/8317/chat/completions")
        await router.requestheaders(docker)
        assert docker.request.url == "http://cli-proxy-api:8317/v1/chat/completions"

        port = reverse_flow("/v1/__gw__/t/9999/chat/completions")
        await router.requestheaders(port)
        assert port.response.status_code == 404                      # port routing is off
        tctx.configure(router, aegis_enable_local_port_routing=True)
        port = reverse_flow("/v1/__gw__/t/9999/chat/completions")
        await router.requestheaders(port)
        assert port.request.url == "http://127.0.0.1:9999/v1/chat/completions"
        # port routes have no token record: their policy is an option, `default` unless the operator says
        suffixed = reverse_flow("/v1/__gw__/t/9999__passthrough/chat/completions")
        await router.requestheaders(suffixed)
        assert get_context(suffixed).error_code == "filter_mode_not_allowed"
        tctx.configure(router, aegis_port_routes_policy="permissive")
        suffixed = reverse_flow("/v1/__gw__/t/9999__passthrough/chat/completions")
        await router.requestheaders(suffixed)
        assert suffixed.response is None and get_context(suffixed).policy == "permissive"
        with pytest.raises(exceptions.OptionsError):
            tctx.configure(router, aegis_port_routes_policy="no-such-policy")
        with pytest.raises(exceptions.OptionsError):
            tctx.configure(router, aegis_docker_upstreams="nonsense")


async def test_router_forward_mode(state):
    router = Router(state)
    with taddons.context(state, router) as tctx:
        tctx.configure(router, aegis_forward_passthrough_hosts="pypi.org")
        for host, route, mode in [("api.openai.com", "forward", "full"),
                                  ("pypi.org", "passthrough_host", "passthrough")]:
            flow = tflow.tflow()
            flow.request.host = host
            await router.requestheaders(flow)
            assert flow.response is None
            assert (get_context(flow).route, get_context(flow).filter_mode) == (route, mode)
        other = tflow.tflow()
        other.request.host = "example.org"
        await router.requestheaders(other)
        assert other.response.status_code == 403


def test_decoded_body_is_linear_in_members_and_accepts_zlib_labelled_gzip():
    import gzip
    import zlib
    body = b'{"messages": []}'
    assert decoded_body(encoded_request("gzip", zlib.compress(body)), 100) == body  # as mitmproxy accepts
    many = gzip.compress(body) + gzip.compress(b" ") * 100_000  # was quadratic: 400,000 of these took 51 s
    with pytest.raises(UndecodableBody, match="more than 64"):
        decoded_body(encoded_request("gzip", many), 12_000_000)
