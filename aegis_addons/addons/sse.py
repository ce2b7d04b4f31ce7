"""Streams Server-Sent-Events answers to the client as they arrive instead of buffering them.

mitmproxy buffers a response unless `flow.response.stream` is set in `responseheaders`. For
`text/event-stream` answers this addon installs the flow's stream editor: chunks go to the client
as they come, and when the upstream ends, a closing SSE comment reports the gateway's action and
findings (clients ignore comment lines). The length of a streamed body changes, so a
`Content-Length` from the upstream is replaced by chunked framing.
"""

from __future__ import annotations

from collections.abc import Iterable

from mitmproxy import http

from aegis_addons.context import FlowContext, get_context


def is_event_stream(response: http.Response) -> bool:
    return response.headers.get("content-type", "").lower().startswith("text/event-stream")


def closing_comment(context: FlowContext) -> bytes:
    findings = ",".join(context.finding_categories())
    return (f": aegis request_id={context.request_id} action={context.action} "
            f"findings={findings}\n\n").encode()


class StreamEditor:
    """Per-flow stream callable: `__call__(chunk)` for each chunk, `b""` once at the end.

    Returns a list of chunks to send; `[]` means "nothing now" (returning `b""` mid-stream would end
    an HTTP/1.1 chunked body).
    """

    def __init__(self, flow: http.HTTPFlow):
        self.flow = flow
        self.context = get_context(flow)
        self.bytes_out = 0

    def __call__(self, chunk: bytes) -> Iterable[bytes]:
        if chunk:
            out = [chunk]
        else:
            out = [closing_comment(self.context)]
        self.bytes_out += sum(len(c) for c in out)
        self.flow.metadata["aegis_streamed_bytes"] = self.bytes_out
        return out


class ServerSentEvents:
    def responseheaders(self, flow: http.HTTPFlow) -> None:
        response = flow.response
        if get_context(flow).error_code is not None or not is_event_stream(response):
            return
        encoding = response.headers.get("content-encoding", "identity").lower()
        if encoding not in ("", "identity"):
            # The upstream compressed the stream although identity was asked for: stream it as it
            # is; adding plain text to a compressed body would corrupt it.
            response.stream = True
            get_context(flow).notes.append("sse_compressed_by_upstream")
            return
        if "content-length" in response.headers:
            del response.headers["content-length"]
            if response.http_version == "HTTP/1.1":
                response.headers["transfer-encoding"] = "chunked"
        response.stream = StreamEditor(flow)
