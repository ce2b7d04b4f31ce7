"""Per-flow state shared by the pipeline stages, kept in `flow.metadata["aegis"]`."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aegis_addons.detect.findings import Finding

if TYPE_CHECKING:
    from mitmproxy import http

    from aegis_addons.store.models import TokenRecord
    from aegis_addons.wire.stream import TextFilter

METADATA_KEY = "aegis"

# What the router decided this flow is.
ROUTE_TOKEN = "token"            # /v1/__gw__/t/<token>/...
ROUTE_PORT = "port"              # numeric port token or a docker upstream mapping
ROUTE_DIRECT = "direct"          # /v1/... to aegis_upstream_base_url, loopback only
ROUTE_GENERIC = "generic"        # /v2 with x-target-url
ROUTE_FORWARD = "forward"        # forward-proxy flow to a known LLM host
ROUTE_PASSTHROUGH_HOST = "passthrough_host"  # forward-proxy flow to an operator-listed host
ROUTE_LOCAL = "local"            # answered by the gateway itself (health, admin, errors)

# Filter modes a token URL can ask for.
FILTER_FULL = "full"
FILTER_REDACT = "redact"         # only redaction and restoration
FILTER_PASSTHROUGH = "passthrough"  # nothing is scanned

ACTION_ALLOW = "allow"
ACTION_REDACT = "redact"
ACTION_SANITIZE = "sanitize"
ACTION_BLOCK = "block"
# Later actions outrank earlier ones when stages disagree.
_ACTION_RANK = {ACTION_ALLOW: 0, ACTION_REDACT: 1, ACTION_SANITIZE: 2, ACTION_BLOCK: 3}


def new_request_id() -> str:
    return "req_" + secrets.token_hex(12)


@dataclass
class FlowContext:
    request_id: str = field(default_factory=new_request_id)
    started: float = field(default_factory=time.time)
    client_ip: str = ""
    route: str = ROUTE_LOCAL
    token: TokenRecord | None = None
    upstream: str = ""           # the upstream base the flow was sent to
    filter_mode: str = FILTER_FULL
    policy: str = "default"
    findings: list[Finding] = field(default_factory=list)
    action: str = ACTION_ALLOW
    error_code: str | None = None  # the envelope code when the gateway answered with an error
    notes: list[str] = field(default_factory=list)  # machine-readable events, e.g. upstream_eof_no_done
    wire_format: str = "generic"   # how the request body is shaped (wire.segments formats)
    wants_stream: bool = False     # the request asked for a streamed answer
    # Response stages register factories here; answers.py builds one filter chain per text channel
    # of the answer from them, in order, for buffered and streamed answers alike.
    # A factory is called with the channel kind (wire.stream TEXT or TOOL_ARGS) and the tool's name
    # (tool-call arguments; "" for text).
    response_filters: list[Callable[[str, str], TextFilter]] = field(default_factory=list)
    # Set by a response stage that withholds the rest of the answer; a streamed answer ends there.
    answer_blocked: Finding | None = None
    excerpt: str = ""              # redacted text of the newest user turn, for the audit log
    # Request stages that must finish before anything is forwarded. mitmproxy logs an exception in
    # an addon hook and carries on with the flow, so a stage that crashed would otherwise fail open;
    # the upstream hop refuses the request while any stage is still listed here.
    pending_stages: set[str] = field(default_factory=set)

    def escalate(self, action: str) -> None:
        if _ACTION_RANK[action] > _ACTION_RANK[self.action]:
            self.action = action

    def add_findings(self, findings: list[Finding]) -> None:
        self.findings.extend(findings)

    def finding_categories(self) -> list[str]:
        """Distinct categories in first-seen order, for the x-aegis-findings header."""
        return list(dict.fromkeys(f.category for f in self.findings))

    @property
    def token_hint(self) -> str | None:
        """Enough of the token to tell tokens apart in logs without disclosing it."""
        if self.token is None:
            return None
        return self.token.token[:6] + "…"


def get_context(flow: http.HTTPFlow) -> FlowContext:
    """The flow's context, created on first use (the guard creates it for every flow)."""
    ctx = flow.metadata.get(METADATA_KEY)
    if ctx is None:
        ctx = flow.metadata[METADATA_KEY] = FlowContext()
    return ctx


def has_context(flow: http.HTTPFlow) -> bool:
    return METADATA_KEY in flow.metadata
