"""Applies the response stages' text filters to the answer, buffered or streamed, the same way.

Response stages register filter factories in `context.response_filters` (restoration, output
redaction, sanitizing, ...). For every text channel of the answer this addon builds one chain from
them: buffered JSON answers are split into segments (wire.segments) and each segment runs through its
chain; Server-Sent-Events answers get a stream editor (wire.stream) that runs the same chains as the
events flow. An SSE answer that cannot be edited as it flows (compressed by the upstream despite
`accept-encoding: identity`) is buffered and edited whole rather than passed unseen.

Streamed answers end with an SSE comment carrying the request id, action and findings. When the
upstream breaks off a streamed answer, the client still gets the text held back so far (checked) and
the protocol's error event with the code `upstream_stream_cut` before its connection is closed.

When a stage withholds the rest of an answer (`context.answer_blocked`), a buffered answer is cut
after the blocked segment (wire.segments.cut_answer) and a streamed one ends right there with the
protocol's proper end; for an HTTP/1 client the upstream and client connections are then closed, so
the upstream stops generating (mitmproxy has no public way to end a flow in transit). An HTTP/2
client's connection carries other streams and stays open: the rest of that upstream answer is
read and dropped.
"""

from __future__ import annotations

import asyncio
import json
import logging

from mitmproxy import ctx, http

from aegis_addons.context import ROUTE_LOCAL, FlowContext, get_context
from aegis_addons.mitm_patches import STREAM_CUT
from aegis_addons.wire.json_text import dump_bytes
from aegis_addons.wire.segments import TOOL_ARGS, apply, cut_answer, response_segments
from aegis_addons.wire.stream import TEXT, FilterChain, StreamEditor, run_chain

log = logging.getLogger(__name__)

STREAMED_BYTES = "aegis_streamed_bytes"


def is_event_stream(response: http.Response) -> bool:
    return response.headers.get("content-type", "").lower().startswith("text/event-stream")


def closing_comment(context: FlowContext) -> bytes:
    findings = ",".join(context.finding_categories())
    return (f": aegis request_id={context.request_id} action={context.action} "
            f"findings={findings}\n\n").encode()


def chain_factory(context: FlowContext):
    def make_chain(kind: str, tool_name: str = "") -> FilterChain:
        return FilterChain([factory(kind, tool_name) for factory in context.response_filters])
    return make_chain


def stream_editor(context: FlowContext) -> StreamEditor:
    return StreamEditor(context.wire_format, chain_factory(context), trailer=lambda: closing_comment(context),
                        on_note=context.notes.append, should_stop=lambda: context.answer_blocked is not None)


def close_connections(flow: http.HTTPFlow) -> None:
    """Close the flow's upstream and client connections (private API: Proxyserver.connections)."""
    try:
        handler = ctx.master.addons.get("proxyserver").connections.get(flow.client_conn.id)
        if handler is None:
            return
        for conn in (flow.server_conn, flow.client_conn):
            if conn in handler.transports:
                handler.close_connection(conn)
    except Exception:  # noqa: BLE001 - the answer is already complete for the client
        log.exception("aegis: could not close the connections of a withheld answer")


def _is_sse(flow: http.HTTPFlow, context: FlowContext) -> bool:
    if is_event_stream(flow.response):
        return True
    # An upstream that streams without the right content type must not slip past the editor.
    ctype = flow.response.headers.get("content-type", "").lower()
    return context.wants_stream and "json" not in ctype and flow.response.status_code == 200


class Answers:
    def responseheaders(self, flow: http.HTTPFlow) -> None:
        context = get_context(flow)
        if context.error_code is not None or context.route == ROUTE_LOCAL or not _is_sse(flow, context):
            return
        response = flow.response
        if response.headers.get("content-encoding", "identity").lower() not in ("", "identity"):
            context.notes.append("sse_compressed_by_upstream_buffered")
            return  # buffered: mitmproxy decodes it, `response` edits it whole
        if "content-length" in response.headers:
            del response.headers["content-length"]
            if response.http_version == "HTTP/1.1":
                response.headers["transfer-encoding"] = "chunked"
        editor = stream_editor(context)
        http1_client = not flow.request.http_version.startswith("HTTP/2")

        def stream(chunk: bytes) -> list[bytes]:
            was_stopped = editor.stopped
            out = editor(chunk)
            flow.metadata[STREAMED_BYTES] = editor.bytes_out
            if editor.stopped and not was_stopped and chunk and http1_client:
                # End the chunked body now and hang up: the upstream need not finish the answer.
                asyncio.get_running_loop().call_soon(close_connections, flow)
                return out + [b""]
            return out
        response.stream = stream
        flow.metadata[STREAM_CUT] = editor.cut_off  # the upstream breaking off: see mitm_patches

    def response(self, flow: http.HTTPFlow) -> None:
        context = get_context(flow)
        response = flow.response
        if response.stream or context.error_code is not None or context.route == ROUTE_LOCAL:
            return
        if _is_sse(flow, context):
            editor = stream_editor(context)
            response.content = b"".join(editor(response.get_content(strict=False) or b"") + editor(b""))
            return
        if not context.response_filters or response.status_code >= 400:
            return
        # A JSON answer is filtered whatever its content type says (`text/plain`, none): a client's
        # JSON parser does not read the header either.
        text = response.get_text(strict=False) or ""
        if "json" not in response.headers.get("content-type", "").lower() and text.lstrip()[:1] not in ("{", "["):
            return
        try:
            body = json.loads(text or "null")
        except (ValueError, RecursionError):
            return
        make_chain = chain_factory(context)
        segments = response_segments(context.wire_format, body)
        for segment in segments:
            kind = TOOL_ARGS if segment.role == TOOL_ARGS else TEXT
            segment.text = run_chain(make_chain(kind, segment.tool_name), segment.text)
            if context.answer_blocked is not None:
                body = apply(body, segments)
                cut_answer(context.wire_format, body, segment.path)
                response.content = dump_bytes(body)
                return
        if any(segment.changed for segment in segments):
            response.content = dump_bytes(apply(body, segments))
