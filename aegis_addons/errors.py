"""Gateway-made error responses: one JSON envelope, stable codes.

    {"error": {"message": ..., "type": "aegisgate_error", "code": ...},
     "error_code": ..., "detail": ..., "request_id": ..., "aegisgate": {...}}

The `error` object has the shape OpenAI-style SDKs parse, so a client sees the gateway's message in
its exception; `error_code` and `request_id` sit at the top level for scripts and log search.
"""

from __future__ import annotations

import json
from typing import Any

from mitmproxy import http

from aegis_addons.context import ACTION_BLOCK, FlowContext

# code -> HTTP status. The first eleven are the wire contract's; the rest cover the boundary checks,
# the generic proxy and a withheld answer, which the contract's list does not name.
STATUS_BY_CODE: dict[str, int] = {
    "token_not_found": 404,
    "token_route_required": 403,
    "invalid_filter_mode": 400,
    "gateway_key_invalid": 403,
    "missing_params": 400,
    "request_body_too_large": 413,
    "missing_target_url_header": 400,
    "upstream_unreachable": 502,
    "upstream_http_error": 502,
    "request_blocked": 403,
    "unsupported_content_encoding": 415,
    "invalid_params": 400,
    "client_not_allowed": 403,
    "invalid_request_signature": 401,
    "target_not_allowed": 403,
    "host_not_allowed": 403,
    "route_not_found": 404,
    "invalid_request_body": 400,
    "answer_withheld": 502,
    "filter_mode_not_allowed": 403,
}


def envelope(code: str, message: str, request_id: str, detail: Any = None,
             extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "error": {"message": message, "type": "aegisgate_error", "code": code},
        "error_code": code,
        "detail": detail,
        "request_id": request_id,
        "aegisgate": extra or {},
    }


def make_error(ctx: FlowContext, code: str, message: str, detail: Any = None,
               extra: dict[str, Any] | None = None) -> http.Response:
    """Build the error response and record on the flow context that the gateway answered."""
    status = STATUS_BY_CODE[code]
    ctx.error_code = code
    ctx.escalate(ACTION_BLOCK)
    body = json.dumps(envelope(code, message, ctx.request_id, detail, extra), ensure_ascii=False)
    # Stamped here as well as in finalize.py: an upstream failure is answered without the
    # responseheaders/response hooks running.
    return http.Response.make(status, body.encode(), {
        "content-type": "application/json",
        "x-aegis-request-id": ctx.request_id,
        "x-aegis-action": ctx.action,
        "x-aegis-findings": ",".join(ctx.finding_categories()),
    })


def json_response(status: int, payload: Any) -> http.Response:
    """A successful gateway-made JSON answer (health, admin API)."""
    return http.Response.make(status, json.dumps(payload, ensure_ascii=False).encode(),
                              {"content-type": "application/json"})
