"""Endpoints the gateway answers itself on the reverse listener.

    GET  /health               liveness
    GET  /ready                database, audit writer and token cache are usable (503 otherwise)
    POST /__gw__/register      {upstream_base, gateway_key, whitelist_key?, policy?, compat?, model_map?}
                               -> {token, base_url}
    POST /__gw__/unregister    {token, gateway_key}
    GET  /__gw__/tokens        (gateway key in the x-gateway-key header)
    POST /__gw__/rotate-key    {gateway_key} -> {gateway_key: <new key>}

The gateway key may also be given as the `x-gateway-key` header on any admin call.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import re
from typing import Any

from mitmproxy import ctx, http

from aegis_addons.addons.state import GatewayState
from aegis_addons.context import ROUTE_LOCAL, FlowContext, get_context
from aegis_addons.errors import json_response, make_error
from aegis_addons.options import add_option
from aegis_addons.policy import shipped_policies
from aegis_addons.wire.routes import TOKEN_ROUTE_PREFIX, validate_upstream_base

KEY_HEADER = "x-gateway-key"
# Conversions a token may ask for. None are implemented yet, so registering one is refused rather
# than silently accepted and ignored.
SUPPORTED_COMPAT: frozenset[str] = frozenset()
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class AdminError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def known_policies() -> set[str]:
    return set(shipped_policies())


def parse_registration(body: dict[str, Any]) -> dict[str, Any]:
    """Validate a /__gw__/register body into TokenRepository.create keyword arguments."""
    if not body.get("upstream_base"):
        raise AdminError("missing_params", "upstream_base is required")
    try:
        upstream_base = validate_upstream_base(body["upstream_base"])
    except ValueError as e:
        raise AdminError("invalid_params", str(e)) from None
    policy = body.get("policy") or "default"
    if not isinstance(policy, str) or policy not in known_policies():
        raise AdminError("invalid_params",
                         f"unknown policy {policy!r}; known: {', '.join(sorted(known_policies()))}")
    whitelist_key = body.get("whitelist_key")
    if whitelist_key is not None and (not isinstance(whitelist_key, str) or not _NAME.match(whitelist_key)):
        raise AdminError("invalid_params", "whitelist_key must be a short name ([A-Za-z0-9_.-])")
    compat = body.get("compat")
    if compat is not None and compat not in SUPPORTED_COMPAT:
        raise AdminError("invalid_params", f"compat {compat!r} is not supported by this gateway")
    model_map = body.get("model_map") or {}
    if not isinstance(model_map, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and k and v for k, v in model_map.items()):
        raise AdminError("invalid_params", "model_map must map model names to model names")
    return {"upstream_base": upstream_base, "policy": policy, "whitelist_key": whitelist_key,
            "compat": compat, "model_map": model_map}


class Admin:
    def __init__(self, state: GatewayState):
        self.state = state

    def load(self, loader) -> None:
        add_option(loader, "aegis_public_base_url", str, "",
                   "Gateway URL clients use (for base_url in /__gw__/register answers); "
                   "empty: the reverse listener's address.")

    async def request(self, flow: http.HTTPFlow) -> None:
        context = get_context(flow)
        if flow.response is not None or context.route != ROUTE_LOCAL:
            return
        path = flow.request.path.split("?", 1)[0]
        method = flow.request.method.upper()
        try:
            if (method, path) == ("GET", "/health"):
                flow.response = json_response(200, {"status": "ok"})
            elif (method, path) == ("GET", "/ready"):
                checks = await asyncio.to_thread(self.state.ready)
                ready = all(checks.values())
                flow.response = json_response(200 if ready else 503,
                                              {"status": "ready" if ready else "not_ready", "checks": checks})
            elif (method, path) == ("POST", "/__gw__/register"):
                flow.response = await self._register(flow, context)
            elif (method, path) == ("POST", "/__gw__/unregister"):
                flow.response = await self._unregister(flow)
            elif (method, path) == ("GET", "/__gw__/tokens"):
                self._authorize(flow, {})
                tokens = [t.to_public() for t in await asyncio.to_thread(self.state.tokens.list)]
                flow.response = json_response(200, {"tokens": tokens})
            elif (method, path) == ("POST", "/__gw__/rotate-key"):
                self._authorize(flow, self._json_body(flow))
                flow.response = json_response(200, {"gateway_key": self.state.rotate_gateway_key()})
            else:
                flow.response = make_error(context, "route_not_found", f"no endpoint {method} {path}")
        except AdminError as e:
            flow.response = make_error(context, e.code, str(e))

    def _json_body(self, flow: http.HTTPFlow) -> dict[str, Any]:
        try:
            body = json.loads(flow.request.get_text(strict=True) or "{}")
        except (ValueError, UnicodeDecodeError):
            raise AdminError("invalid_request_body", "the body must be a JSON object") from None
        if not isinstance(body, dict):
            raise AdminError("invalid_request_body", "the body must be a JSON object")
        return body

    def _authorize(self, flow: http.HTTPFlow, body: dict[str, Any]) -> None:
        given = body.get("gateway_key") or flow.request.headers.get(KEY_HEADER)
        if not given:
            raise AdminError("missing_params", "gateway_key is required")
        if not isinstance(given, str) or not hmac.compare_digest(given.encode(),
                                                                 self.state.gateway_key.encode()):
            raise AdminError("gateway_key_invalid", "the gateway key is not valid")

    async def _register(self, flow: http.HTTPFlow, context: FlowContext) -> http.Response:
        body = self._json_body(flow)
        self._authorize(flow, body)
        fields = parse_registration(body)
        record = await asyncio.to_thread(lambda: self.state.tokens.create(**fields))
        self.state.token_cache.put(record)
        return json_response(200, {"token": record.token,
                                   "base_url": self._public_base(flow) + TOKEN_ROUTE_PREFIX + record.token,
                                   **{k: v for k, v in record.to_public().items() if k != "token"}})

    async def _unregister(self, flow: http.HTTPFlow) -> http.Response:
        body = self._json_body(flow)
        self._authorize(flow, body)
        token = body.get("token")
        if not token or not isinstance(token, str):
            raise AdminError("missing_params", "token is required")
        removed = await asyncio.to_thread(self.state.tokens.delete, token)
        self.state.token_cache.remove(token)
        if not removed:
            raise AdminError("token_not_found", "unknown gateway token")
        return json_response(200, {"removed": token})

    @staticmethod
    def _public_base(flow: http.HTTPFlow) -> str:
        configured = ctx.options.aegis_public_base_url.rstrip("/")
        if configured:
            return configured
        host, port = flow.client_conn.sockname[:2]
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}"
