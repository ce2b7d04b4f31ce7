"""Stamps the gateway's headers on every response the client gets.

`x-aegis-request-id` on all responses (set in `responseheaders`, the last moment before a streamed
response's headers go out). `x-aegis-action` and `x-aegis-findings` on buffered and gateway-made
responses, set in `response` after every response stage has decided; streamed answers carry them in a
closing SSE comment instead (see sse.py).
"""

from __future__ import annotations

from mitmproxy import http

from aegis_addons.context import get_context

REQUEST_ID = "x-aegis-request-id"
ACTION = "x-aegis-action"
FINDINGS = "x-aegis-findings"


class Finalize:
    def responseheaders(self, flow: http.HTTPFlow) -> None:
        flow.response.headers[REQUEST_ID] = get_context(flow).request_id

    def response(self, flow: http.HTTPFlow) -> None:
        context = get_context(flow)
        headers = flow.response.headers
        headers[REQUEST_ID] = context.request_id
        if not flow.response.stream:
            headers[ACTION] = context.action
            headers[FINDINGS] = ",".join(context.finding_categories())
