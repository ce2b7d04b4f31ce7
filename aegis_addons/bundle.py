"""The Aegis pipeline: `mitmdump -s aegis_addons/bundle.py`.

The stages run in list order, so this list is the order in which a flow is handled: boundary
checks, routing, the gateway's own endpoints, the request stages, the hop to the upstream, the
response stages, headers, audit. Each stage is an ordinary mitmproxy addon; the Pipeline hands them
to mitmproxy as one, so that a stage that crashes fails closed without skipping the stages after it
(see addons/pipeline.py).
"""

from aegis_addons.addons.admin import Admin
from aegis_addons.addons.answers import Answers
from aegis_addons.addons.audit import Audit
from aegis_addons.addons.finalize import Finalize
from aegis_addons.addons.guard import Guard
from aegis_addons.addons.injection import InjectionGuard
from aegis_addons.addons.output_guard import OutputGuard
from aegis_addons.addons.pipeline import Pipeline
from aegis_addons.addons.redaction import Redaction
from aegis_addons.addons.request_text import CommitRequest, ParseRequest
from aegis_addons.addons.router import Router
from aegis_addons.addons.state import GatewayState
from aegis_addons.addons.upstream import Upstream


def make_addons() -> list:
    state = GatewayState()
    return [Pipeline([
        state,              # database, token cache, audit writer, gateway key
        Guard(state),       # loopback, trusted proxies, HMAC, body limit, x-aegis-* stripped, request id
        Router(state),      # token / port / direct / v2 / forward routes -> upstream, policy, filter mode
        Admin(state),       # /health, /ready, /__gw__/* answered by the gateway
        ParseRequest(),     # body -> text segments, once
        Redaction(),        # PII/secrets -> placeholders; answer: model-made secrets redacted, placeholders restored
        InjectionGuard(),   # injection in the newest turn / untrusted content: block, neutralize or flag; answers scanned
        OutputGuard(),      # answers: dangerous commands, escalation, tool calls -> obfuscate, replace or block
        CommitRequest(),    # segments -> body, once, if anything changed
        Upstream(),         # identity encoding upstream; upstream failures in the error envelope
        Answers(),          # run the filters over buffered answers and, as they flow, SSE answers
        Finalize(),         # x-aegis-request-id / -action / -findings
        Audit(state),       # one audit row per flow, written off the event loop
    ])]


addons = make_addons()
