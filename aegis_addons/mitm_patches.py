"""The one place where Aegis changes mitmproxy's own behaviour.

When the upstream cannot be reached (connection refused, DNS failure, TLS failure) or answers with
something that is not HTTP before any byte went to the client, mitmproxy sends the client a hand-made
HTML 502 page and offers no hook to replace it. Clients of an LLM gateway are SDKs that parse JSON
errors, and the wire contract promises `502 upstream_unreachable` / `upstream_http_error` in the
gateway's envelope with the request id. So `HttpStream.handle_protocol_error` is wrapped: for such a
failure on a flow that carries an Aegis context, the `error` hook still fires (the audit sees it), then
the response built by the callback is sent instead of the HTML page.

When the upstream breaks off an answer that is streaming to the client, mitmproxy closes the client's
connection and never calls the stream callable again, so text the stream editor held back (a
placeholder that might continue, a command the sanitizer was still reading) would be lost and the
client would get no reason. A flow whose streaming answer can be ended cleanly puts a callable under
`flow.metadata[STREAM_CUT]`; the wrapper sends the bytes it returns (the held-back text, checked, and
the protocol's error event) to the client, then lets mitmproxy close the connection as before. Every
other case goes to mitmproxy's own code unchanged.

The wrapper depends on private names of mitmproxy 12.2.3 (the pinned version); `install` checks the
version and the names so that an upgrade fails loudly at start, not silently at the first outage.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from mitmproxy import flow as mitm_flow
from mitmproxy import http, version
from mitmproxy.proxy.layers import http as http_layers
from mitmproxy.proxy.layers.http import _events, _hooks

log = logging.getLogger(__name__)

SUPPORTED_MITMPROXY = "12.2.3"

# (flow, message, connect_failed) -> the response to send, or None for mitmproxy's default.
FailureResponder = Callable[[http.HTTPFlow, str, bool], "http.Response | None"]

_responder: FailureResponder | None = None
_original = http_layers.HttpStream.handle_protocol_error

# flow.metadata key: (message) -> bytes to send the client when the upstream breaks off a streamed answer
STREAM_CUT = "aegis_stream_cut"


def _handle_protocol_error(self, event):
    if (isinstance(event, _events.ResponseProtocolError) and self.server_state == self.state_stream_response_body
            and self.client_state != self.state_errored):
        on_cut = self.flow.metadata.pop(STREAM_CUT, None)
        data = b""
        if on_cut is not None:
            try:
                data = on_cut(event.message)
            except Exception:  # noqa: BLE001 - the client's connection is closed below either way
                log.exception("aegis: could not end a broken stream cleanly")
        if data:
            yield http_layers.SendHttp(_events.ResponseData(self.stream_id, data), self.context.client)
        return (yield from _original(self, event))
    responder = _responder
    response_not_started = self.server_state in (self.state_wait_for_response_headers,
                                                  self.state_consume_response_body)
    if (responder is None or not isinstance(event, _events.ResponseProtocolError)
            or self.client_state == self.state_errored or not response_not_started
            or event.code.http_status_code() != 502):
        return (yield from _original(self, event))
    connect_failed = event.code == _events.ErrorCode.CONNECT_FAILED
    response = responder(self.flow, event.message, connect_failed)
    if response is None:
        return (yield from _original(self, event))
    self.flow.response = response
    self.flow.error = mitm_flow.Error(event.message)
    yield _hooks.HttpErrorHook(self.flow)
    client = self.context.client
    yield http_layers.SendHttp(_events.ResponseHeaders(self.stream_id, response, False), client)
    yield http_layers.SendHttp(_events.ResponseData(self.stream_id, response.raw_content or b""), client)
    yield http_layers.SendHttp(_events.ResponseEndOfMessage(self.stream_id), client)
    self.server_state = self.state_errored
    self.flow.live = False
    yield http_layers.DropStream(self.stream_id)


def install(responder: FailureResponder) -> None:
    """Route upstream failures of Aegis flows through `responder`. Idempotent."""
    global _responder
    if version.VERSION != SUPPORTED_MITMPROXY:
        raise RuntimeError(f"Aegis patches mitmproxy {SUPPORTED_MITMPROXY} internals but "
                           f"mitmproxy {version.VERSION} is installed; pin mitmproxy=={SUPPORTED_MITMPROXY}")
    for name in ("state_wait_for_response_headers", "state_consume_response_body", "state_stream_response_body",
                 "state_errored"):
        if not hasattr(http_layers.HttpStream, name):
            raise RuntimeError(f"mitmproxy HttpStream has no {name}; the Aegis patch needs review")
    _responder = responder
    http_layers.HttpStream.handle_protocol_error = _handle_protocol_error
