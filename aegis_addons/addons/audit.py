"""One audit row per flow, handed to the background writer (never waits on the database)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from mitmproxy import http

from aegis_addons.addons.answers import STREAMED_BYTES
from aegis_addons.addons.redaction import SESSION as REDACTION_SESSION
from aegis_addons.addons.state import GatewayState
from aegis_addons.context import ROUTE_LOCAL, get_context
from aegis_addons.detect.findings import Finding

_AUDITED = "aegis_audited"
# A hostile body can hold thousands of matches (7,000 for 200 KB of one repeated order); the row keeps
# the strongest of each category first, then the strongest others, and counts what it leaves out.
MAX_STORED_FINDINGS = 200


def stored_findings(findings: list[Finding], limit: int = MAX_STORED_FINDINGS) -> tuple[list[dict], str | None]:
    """The findings an audit row stores (at most `limit`, in detection order) and a note counting
    the ones left out per category, or None. Every category keeps its strongest finding, so
    statistics by category see every category that fired."""
    if len(findings) <= limit:
        kept = findings
        note = None
    else:
        by_score = sorted(range(len(findings)), key=lambda i: -findings[i].score)
        chosen: dict[int, None] = {}
        seen: set[str] = set()
        for i in by_score:  # the strongest of every category first
            if findings[i].category not in seen:
                seen.add(findings[i].category)
                chosen[i] = None
        for i in by_score:
            if len(chosen) >= limit:
                break
            chosen.setdefault(i, None)
        kept = [findings[i] for i in sorted(chosen)]  # `limit`, or one per category if there are more
        left = Counter(f.category for f in findings) - Counter(f.category for f in kept)
        note = (f"findings: {len(findings) - len(kept)} more not stored ("
                + ", ".join(f"{category} {n}" for category, n in left.most_common()) + ")")
    return [{"category": f.category, "score": round(f.score, 3), "rule": f.rule, "detail": f.detail}
            for f in kept], note


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
    findings, left_out = stored_findings(context.findings)
    if left_out is not None:
        notes.append(left_out[:500])
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
        "findings": findings,
        "error_code": context.error_code,
        "excerpt": storable(context.excerpt[:2000]),
        "notes": [storable(note) for note in notes],
        "duration_ms": round(((end or flow.request.timestamp_start) - flow.request.timestamp_start) * 1000, 2)
        if end else None,
        "request_bytes": len(flow.request.raw_content or b""),
        "response_bytes": response_bytes,
    }


def storable(text: str) -> str:
    """`text` with lone surrogates (a client's JSON may escape one) written as `\\udXXX`: databases
    refuse text that is not valid Unicode, and with it the whole batch of rows."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8") if not text.isascii() else text


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
