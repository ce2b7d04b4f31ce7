"""One audit row per flow, handed to the background writer (never waits on the database)."""

from __future__ import annotations

from datetime import UTC, datetime

from mitmproxy import http

from aegis_addons.addons.answers import STREAMED_BYTES
from aegis_addons.addons.redaction import SESSION as REDACTION_SESSION
from aegis_addons.addons.state import GatewayState
from aegis_addons.context import ROUTE_LOCAL, get_context

_AUDITED = "aegis_audited"


def audit_row(flow: http.HTTPFlow) -> dict:
    context = get_context(flow)
    response = flow.response
    end = (response.timestamp_end if response and response.timestamp_end else None)
    if response is None or response.stream:
        response_bytes = flow.metadata.get(STREAMED_BYTES)
    else:
        response_bytes = len(response.raw_content or b"")
    notes = list(context.notes)
    session = flow.metadata.get(REDACTION_SESSION)
    if session is not None and (session.restored_count or session.unrestorable_count):
        notes.append(f"placeholders restored={session.restored_count} "
                     f"unrestorable={session.unrestorable_count}")
    if flow.error is not None:
        notes.append(f"error: {flow.error.msg}"[:300])
    return {
        "ts": datetime.fromtimestamp(flow.request.timestamp_start, UTC),
        "request_id": context.request_id,
        "client_ip": context.client_ip,
        "route": context.route,
        "token_hint": context.token_hint,
        "method": flow.request.method,
        # Routed flows were pointed at their upstream (host and Host header agree); the gateway's own
        # answers keep the Host header the client sent.
        "host": (flow.request.pretty_host if context.route == ROUTE_LOCAL else flow.request.host)[:255],
        "path": flow.request.path.split("?", 1)[0][:2048],
        "status": response.status_code if response else None,
        "action": context.action,
        "filter_mode": context.filter_mode,
        "policy": context.policy,
        "findings": [{"category": f.category, "score": round(f.score, 3), "rule": f.rule, "detail": f.detail}
                     for f in context.findings],
        "error_code": context.error_code,
        "excerpt": context.excerpt[:2000],
        "notes": notes,
        "duration_ms": round(((end or flow.request.timestamp_start) - flow.request.timestamp_start) * 1000, 2)
        if end else None,
        "request_bytes": len(flow.request.raw_content or b""),
        "response_bytes": response_bytes,
    }


class Audit:
    def __init__(self, state: GatewayState):
        self.state = state

    def _record(self, flow: http.HTTPFlow) -> None:
        if flow.metadata.get(_AUDITED):
            return
        flow.metadata[_AUDITED] = True
        self.state.audit.submit(audit_row(flow))

    def response(self, flow: http.HTTPFlow) -> None:
        self._record(flow)

    def error(self, flow: http.HTTPFlow) -> None:
        self._record(flow)
