"""Decides where each flow goes and sets its context (route, token, upstream, filter mode, policy).

Reverse listener:
    /health, /ready, /__gw__/...              answered by the admin addon
    /v1/__gw__/t/<token>[__suffix]/<rest>     -> the token's upstream (or a local port / docker host)
    /v2/...  with x-target-url                -> that URL, when its host is in the allowlist
    /v1/...                                   -> aegis_upstream_base_url, loopback clients only
Forward listener (HTTPS_PROXY): known LLM hosts are inspected, operator-listed hosts pass uninspected,
everything else is refused.
"""

from __future__ import annotations

import json
import logging
import re
from urllib.parse import urlsplit

from mitmproxy import ctx, exceptions, http
from mitmproxy.proxy.mode_specs import ReverseMode

from aegis_addons.addons.guard import is_loopback
from aegis_addons.addons.state import GatewayState
from aegis_addons.caching import short_key_cache
from aegis_addons.context import (
    FILTER_FULL,
    FILTER_PASSTHROUGH,
    ROUTE_DIRECT,
    ROUTE_FORWARD,
    ROUTE_GENERIC,
    ROUTE_LOCAL,
    ROUTE_PASSTHROUGH_HOST,
    ROUTE_PORT,
    ROUTE_TOKEN,
    get_context,
)
from aegis_addons.errors import make_error
from aegis_addons.options import add_option, split_list
from aegis_addons.policy import policy_named, shipped_policies
from aegis_addons.wire.json_text import dump_bytes
from aegis_addons.wire.routes import (
    ADMIN_PREFIX,
    RouteError,
    host_matches,
    join_upstream,
    parse_docker_upstreams,
    parse_token_route,
    target_allowed,
    validate_upstream_base,
)

log = logging.getLogger(__name__)

TARGET_URL_HEADER = "x-target-url"
LOCAL_PATHS = ("/health", "/ready")
DEFAULT_LLM_HOSTS = ("api.openai.com,api.anthropic.com,generativelanguage.googleapis.com,"
                     "api.mistral.ai,api.groq.com,api.deepseek.com,openrouter.ai,api.x.ai,"
                     "api.together.xyz,api.cohere.com,api.perplexity.ai,*.openai.azure.com")


_ORIGIN = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*")
_C0_OR_SPACE = "".join(map(chr, range(0x21)))
_TAB_CR_LF = str.maketrans("", "", "\t\r\n")


def point_at(flow: http.HTTPFlow, url: str) -> None:
    """Send the flow to `url` (scheme, host, port, path and query) with a matching Host header."""
    url = url.lstrip(_C0_OR_SPACE).translate(_TAB_CR_LF)  # as urlsplit (and the allowlist check) reads it
    origin = _ORIGIN.match(url)
    if origin is None:
        raise ValueError(f"not an absolute URL: {url!r}")
    path = url[origin.end():].partition("#")[0]
    scheme, host, port, host_header = _split_origin(origin.group())
    request = flow.request
    request.scheme = scheme
    request.port = port
    request.host = host
    request.path = path if path.startswith("/") else "/" + path
    request.host_header = host_header


@short_key_cache(256, maxsize=1024)  # upstreams are few
def _split_origin(origin: str) -> tuple[str, str, int, str]:
    """scheme, host, port and Host header of `scheme://host[:port]`."""
    parts = urlsplit(origin)
    if not parts.hostname:
        raise ValueError(f"no host in {origin!r}")
    default_port = 443 if parts.scheme == "https" else 80
    port = parts.port or default_port
    name = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname  # IPv6 literal
    return parts.scheme, parts.hostname, port, name if port == default_port else f"{name}:{port}"


class Router:
    def __init__(self, state: GatewayState):
        self.state = state
        self.docker_upstreams: dict[int, str] = {}
        self.v2_allowlist: list[str] = []
        self.llm_hosts: list[str] = []
        self.passthrough_hosts: list[str] = []

    def load(self, loader) -> None:
        add_option(loader, "aegis_upstream_base_url", str, "",
                   "Upstream for direct /v1/... requests from loopback clients; empty: token routes only.")
        add_option(loader, "aegis_enable_local_port_routing", bool, False,
                   "Numeric tokens route to http://<aegis_local_port_host>:<port>/v1.")
        add_option(loader, "aegis_local_port_host", str, "127.0.0.1",
                   "Host that numeric port tokens route to.")
        add_option(loader, "aegis_docker_upstreams", str, "",
                   "Port token mappings, e.g. 8317:cli-proxy-api,8080:svc:9000; they win over port routing.")
        add_option(loader, "aegis_port_routes_policy", str, "default",
                   "Policy of numeric port tokens and aegis_docker_upstreams routes (which have no token "
                   "record), e.g. permissive to let clients use __redact / __passthrough there.")
        add_option(loader, "aegis_v2_target_allowlist", str, "",
                   "Hosts the /v2 proxy may reach: host, host:port, *.domain or CIDR, comma-separated.")
        add_option(loader, "aegis_forward_llm_hosts", str, DEFAULT_LLM_HOSTS,
                   "Forward-proxy hosts that are inspected (host or *.domain, comma-separated).")
        add_option(loader, "aegis_forward_passthrough_hosts", str, "",
                   "Forward-proxy hosts that pass without inspection; all other hosts are refused.")

    def configure(self, updated: set[str]) -> None:
        if "aegis_docker_upstreams" in updated:
            try:
                self.docker_upstreams = parse_docker_upstreams(ctx.options.aegis_docker_upstreams)
            except ValueError as e:
                raise exceptions.OptionsError(f"aegis_docker_upstreams: {e}") from None
        if "aegis_upstream_base_url" in updated and ctx.options.aegis_upstream_base_url:
            try:
                validate_upstream_base(ctx.options.aegis_upstream_base_url)
            except ValueError as e:
                raise exceptions.OptionsError(f"aegis_upstream_base_url: {e}") from None
        if "aegis_port_routes_policy" in updated and ctx.options.aegis_port_routes_policy not in shipped_policies():
            raise exceptions.OptionsError(
                f"aegis_port_routes_policy: unknown policy {ctx.options.aegis_port_routes_policy!r}; "
                f"known: {', '.join(sorted(shipped_policies()))}")
        if "aegis_local_port_host" in updated and not ctx.options.aegis_local_port_host.strip():
            raise exceptions.OptionsError("aegis_local_port_host must not be empty")
        self.v2_allowlist = split_list(ctx.options.aegis_v2_target_allowlist)
        self.llm_hosts = split_list(ctx.options.aegis_forward_llm_hosts)
        self.passthrough_hosts = split_list(ctx.options.aegis_forward_passthrough_hosts)

    def http_connect(self, flow: http.HTTPFlow) -> None:
        """Forward proxy: refuse the tunnel itself for hosts that are neither inspected nor listed."""
        if flow.response is not None:
            return
        host = flow.request.host
        if not (host_matches(host, self.llm_hosts) or host_matches(host, self.passthrough_hosts)):
            flow.response = make_error(get_context(flow), "host_not_allowed",
                                       f"the forward proxy does not serve {host}")

    async def requestheaders(self, flow: http.HTTPFlow) -> None:
        if flow.response is not None:
            return
        context = get_context(flow)
        if not isinstance(flow.client_conn.proxy_mode, ReverseMode):
            self._route_forward(flow)
            return
        path = flow.request.path
        bare_path = path.split("?", 1)[0]
        if bare_path in LOCAL_PATHS or bare_path.startswith(ADMIN_PREFIX):
            context.route = ROUTE_LOCAL
            return
        try:
            token_route = parse_token_route(path)
        except RouteError as e:
            flow.response = make_error(context, e.code, str(e))
            return
        if token_route is not None:
            context.filter_mode = token_route.filter_mode
            if token_route.is_port:
                self._route_port(flow, token_route.token, token_route.rest)
            else:
                await self._route_token(flow, token_route.token, token_route.rest)
            if flow.response is None:
                self._check_filter_mode(flow)
        elif bare_path == "/v2" or bare_path.startswith("/v2/"):
            self._route_generic(flow)
        elif bare_path == "/v1" or bare_path.startswith("/v1/"):
            self._route_direct(flow)
        else:
            flow.response = make_error(context, "route_not_found",
                                       f"no route for {bare_path}; use /v1/__gw__/t/<token>/...")

    @staticmethod
    def _check_filter_mode(flow: http.HTTPFlow) -> None:
        """A suffix weakens the token's policy (`__redact` drops injection checks, `__passthrough` all of
        them): the client may use one only where the operator's policy allows it."""
        context = get_context(flow)
        if context.filter_mode == FILTER_FULL:
            return
        policy = policy_named(shipped_policies(), context.policy)
        if context.filter_mode not in policy.filter_modes:
            flow.response = make_error(
                context, "filter_mode_not_allowed",
                f"the policy {policy.name!r} of this route does not allow the __{context.filter_mode} suffix",
                extra={"allowed": [m for m in policy.filter_modes if m != FILTER_FULL]})

    async def _route_token(self, flow: http.HTTPFlow, token: str, rest: str) -> None:
        context = get_context(flow)
        record = await self.state.token_cache.lookup(token)
        if record is None:
            flow.response = make_error(context, "token_not_found", "unknown gateway token")
            return
        context.route, context.token = ROUTE_TOKEN, record
        context.upstream, context.policy = record.upstream_base, record.policy
        point_at(flow, join_upstream(record.upstream_base, rest))

    def _route_port(self, flow: http.HTTPFlow, token: str, rest: str) -> None:
        context = get_context(flow)
        port = int(token)
        base = self.docker_upstreams.get(port)
        if base is None and ctx.options.aegis_enable_local_port_routing and 1 <= port <= 65535:
            if port in self._own_ports():
                flow.response = make_error(context, "token_not_found",
                                           f"port {port} is the gateway itself")
                return
            base = f"http://{ctx.options.aegis_local_port_host}:{port}/v1"
        if base is None:
            flow.response = make_error(context, "token_not_found",
                                       f"unknown gateway token (port {port} is not routed)")
            return
        context.route, context.upstream = ROUTE_PORT, base
        context.policy = ctx.options.aegis_port_routes_policy
        point_at(flow, join_upstream(base, rest))

    def _route_generic(self, flow: http.HTTPFlow) -> None:
        context = get_context(flow)
        target = flow.request.headers.get(TARGET_URL_HEADER, "").strip()
        if not target:
            flow.response = make_error(context, "missing_target_url_header",
                                       f"/v2 requests need the {TARGET_URL_HEADER} header")
            return
        if not target_allowed(target, self.v2_allowlist):
            flow.response = make_error(context, "target_not_allowed",
                                       "the target host is not in aegis_v2_target_allowlist")
            return
        del flow.request.headers[TARGET_URL_HEADER]
        parts = urlsplit(target)
        context.route, context.upstream = ROUTE_GENERIC, f"{parts.scheme}://{parts.netloc}"
        point_at(flow, target)

    def _route_direct(self, flow: http.HTTPFlow) -> None:
        context = get_context(flow)
        base = ctx.options.aegis_upstream_base_url
        if not base or not is_loopback(context.client_ip):
            flow.response = make_error(context, "token_route_required",
                                       "use a token route: /v1/__gw__/t/<token>/...")
            return
        context.route, context.upstream = ROUTE_DIRECT, base
        point_at(flow, join_upstream(validate_upstream_base(base), flow.request.path))

    def _route_forward(self, flow: http.HTTPFlow) -> None:
        context = get_context(flow)
        host = flow.request.host
        context.upstream = f"{flow.request.scheme}://{host}"
        if host_matches(host, self.llm_hosts):
            context.route = ROUTE_FORWARD
        elif host_matches(host, self.passthrough_hosts):
            context.route, context.filter_mode = ROUTE_PASSTHROUGH_HOST, FILTER_PASSTHROUGH
        else:
            flow.response = make_error(context, "host_not_allowed",
                                       f"the forward proxy does not serve {host}")

    def _own_ports(self) -> set[int]:
        proxyserver = ctx.master.addons.get("proxyserver")
        return {addr[1] for addr in proxyserver.listen_addrs()} if proxyserver else set()

    def request(self, flow: http.HTTPFlow) -> None:
        """Apply the token's model map to JSON bodies (`{"model": "alias"}` -> the real model)."""
        context = get_context(flow)
        if flow.response is not None or context.token is None or not context.token.model_map:
            return
        try:
            body = json.loads(flow.request.get_text(strict=True) or "null")
        except (ValueError, UnicodeDecodeError, RecursionError):
            return  # not JSON: later stages decide what to do with the body
        if isinstance(body, dict) and isinstance(body.get("model"), str):
            mapped = context.token.model_map.get(body["model"])
            if isinstance(mapped, str):
                body["model"] = mapped
                flow.request.content = dump_bytes(body)
