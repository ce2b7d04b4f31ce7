"""The hop to the upstream: what Aegis sends it, and what the client gets when it fails.

- `accept-encoding: identity` upstream, so streamed answers reach the detectors as text (a
  compressed SSE stream would pass every string check unseen);
- upstream failures before the response started become `502 upstream_unreachable` (connect failed)
  or `502 upstream_http_error` (the upstream broke the protocol) in the gateway's envelope, through
  the patch in mitm_patches;
- `x-aegis-*` headers the upstream sends are dropped: only the gateway speaks for the gateway.
"""

from __future__ import annotations

import logging

from mitmproxy import http

from aegis_addons import mitm_patches
from aegis_addons.addons.guard import strip_aegis_headers
from aegis_addons.context import ROUTE_LOCAL, get_context, has_context
from aegis_addons.errors import make_error

log = logging.getLogger(__name__)


def upstream_failure_response(flow: http.HTTPFlow, message: str, connect_failed: bool) -> http.Response | None:
    if not has_context(flow):
        return None
    context = get_context(flow)
    log.warning("aegis: upstream %s failed for %s: %s", context.upstream or flow.request.host,
                context.request_id, message)
    if connect_failed:
        return make_error(context, "upstream_unreachable", "the upstream could not be reached",
                          detail=message, extra={"upstream": context.upstream})
    return make_error(context, "upstream_http_error", "the upstream did not answer with valid HTTP",
                      detail=message, extra={"upstream": context.upstream})


class Upstream:
    def load(self, loader) -> None:
        mitm_patches.install(upstream_failure_response)

    def request(self, flow: http.HTTPFlow) -> None:
        context = get_context(flow)
        if flow.response is not None or context.route == ROUTE_LOCAL:
            return
        if context.pending_stages:
            log.error("aegis: %s not forwarded, stages did not finish: %s", context.request_id,
                      ", ".join(sorted(context.pending_stages)))
            flow.response = make_error(context, "request_blocked",
                                       "the request could not be fully checked and was not forwarded",
                                       detail={"unfinished_stages": sorted(context.pending_stages)})
            return
        flow.request.headers["accept-encoding"] = "identity"

    def responseheaders(self, flow: http.HTTPFlow) -> None:
        if get_context(flow).error_code is not None:
            return  # gateway-made response
        strip_aegis_headers(flow.response.headers)
