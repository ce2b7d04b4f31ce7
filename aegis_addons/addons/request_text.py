"""Parse the request body once before the request stages, serialize it once after them.

`ParseRequest` turns the body into text segments (wire.segments) in the flow context; every request
stage reads and rewrites `segments`; `CommitRequest` writes the body back only if a segment changed.
A body that starts like JSON must parse, strictly (`wire.json_text`: no duplicate keys, no NaN or
out-of-range numbers, not nested deeper than the parser goes), or it is refused: scanned as raw text,
its `\\uXXXX` escapes would hide what the upstream's parser decodes. Any other body is scanned as one text
segment; a body that is not valid UTF-8 is refused.
"""

from __future__ import annotations

import logging

from mitmproxy import http

from aegis_addons.context import FILTER_PASSTHROUGH, ROUTE_LOCAL, get_context
from aegis_addons.errors import make_error
from aegis_addons.wire.json_text import dump_bytes, loads_strict
from aegis_addons.wire.segments import USER, Segment, apply, detect_format, request_segments

log = logging.getLogger(__name__)

PARSED = "aegis_request"  # flow.metadata key: RequestText


class RequestText:
    """The parsed body: JSON (`body` not None) or plain text (`body` None, one segment)."""

    def __init__(self, body, segments: list[Segment]):
        self.body = body
        self.segments = segments


def needs_scanning(flow: http.HTTPFlow) -> bool:
    context = get_context(flow)
    return (flow.response is None and context.route != ROUTE_LOCAL
            and context.filter_mode != FILTER_PASSTHROUGH)


def request_text(flow: http.HTTPFlow) -> RequestText | None:
    return flow.metadata.get(PARSED)


class ParseRequest:
    def request(self, flow: http.HTTPFlow) -> None:
        if not needs_scanning(flow):
            return
        context = get_context(flow)
        context.wire_format = detect_format(flow.request.path)
        raw = flow.request.get_content(strict=False) or b""
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            flow.response = make_error(context, "invalid_request_body",
                                       f"the request body is not valid UTF-8 (byte {e.start})")
            return
        body = None
        if text.lstrip().lstrip("\ufeff").lstrip()[:1] in ("{", "["):
            problem = None
            try:
                body = loads_strict(text)
            except RecursionError:
                problem = "the JSON body is nested too deeply"
            except ValueError as e:  # also a byte order mark before the JSON
                problem = f"the body is not valid JSON: {e}"
            if problem is not None:
                flow.response = make_error(context, "invalid_request_body", problem)
                return
        segments = None
        if body is not None:
            try:
                segments = request_segments(context.wire_format, body)
                context.wants_stream = isinstance(body, dict) and body.get("stream") is True
            except Exception:  # noqa: BLE001 - an odd body is scanned as text, never skipped
                log.exception("aegis: segmenting the body of %s failed", context.request_id)
                context.notes.append("body_segmenting_failed_scanned_as_text")
                body = None
        if body is None:
            segments = [Segment(USER, (), text)] if text else []
        flow.metadata[PARSED] = RequestText(body, segments)
        context.pending_stages.add(COMMIT_STAGE)


COMMIT_STAGE = "commit"


class CommitRequest:
    def request(self, flow: http.HTTPFlow) -> None:
        parsed = request_text(flow)
        if parsed is None or flow.response is not None:
            return
        if any(seg.changed for seg in parsed.segments):
            if parsed.body is None:
                flow.request.content = parsed.segments[0].text.encode("utf-8", "backslashreplace")
            else:
                flow.request.content = dump_bytes(apply(parsed.body, parsed.segments))
        get_context(flow).pending_stages.discard(COMMIT_STAGE)
