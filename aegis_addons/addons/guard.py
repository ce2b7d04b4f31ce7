"""Boundary checks that run before anything else looks at a request.

- who may connect: loopback only by default; `X-Forwarded-For` is believed only from trusted proxies;
- optional HMAC request signing;
- the body size limit, from `Content-Length` before the body is read, again on the real body and on
  the decoded body (every gzip member; decoding stops at the limit);
- every client-sent `x-aegis-*` header is removed, so nothing downstream can be steered by a client;
- the request id, sent upstream and returned to the client.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import time

from mitmproxy import ctx, exceptions, http

from aegis_addons.addons.state import GatewayState
from aegis_addons.caching import short_key_cache
from aegis_addons.context import get_context
from aegis_addons.errors import make_error
from aegis_addons.options import add_option, split_list
from aegis_addons.wire.content_encoding import DecodedBodyTooLarge, UndecodableBody, decode_body

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "x-aegis-signature"
TIMESTAMP_HEADER = "x-aegis-timestamp"
REQUEST_ID_HEADER = "x-aegis-request-id"
_REPLAY_MEMORY = 100_000
DECODABLE_ENCODINGS = frozenset({"gzip", "deflate", "br", "zstd"})


def strip_aegis_headers(headers: http.Headers) -> None:
    """Remove every `x-aegis-*` header (any case): only the gateway may speak in that namespace."""
    if any(name[:8].lower() == b"x-aegis-" for name, _ in headers.fields):
        headers.fields = tuple((name, value) for name, value in headers.fields
                               if name[:8].lower() != b"x-aegis-")


def client_address(peer_ip: str, forwarded_for: str | None,
                   trusted: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> str:
    """The client's address: walk `X-Forwarded-For` from the right while the hop is trusted."""
    hops = [peer_ip] + list(reversed([h.strip() for h in (forwarded_for or "").split(",") if h.strip()]))
    address = normalize_ip(hops[0])
    for hop in hops[1:]:
        if not _in_networks(address, trusted):
            break
        address = normalize_ip(hop)
    return address


# ipaddress is slow and clients are few: answers are remembered for strings as long as an address can
# be (an IPv6 literal with brackets and a zone).
_IP_CHARS = 64


@short_key_cache(_IP_CHARS, maxsize=4096)
def normalize_ip(text: str) -> str:
    try:
        ip = ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return text
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return str(ip)


@short_key_cache(_IP_CHARS, maxsize=4096)
def is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def _in_networks(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def parse_networks(spec: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    out = []
    for item in split_list(spec):
        try:
            out.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise exceptions.OptionsError(f"aegis_trusted_proxies: {item!r} is not an IP or CIDR") from None
    return out


def decoded_body(request: http.Request, limit: int) -> bytes | None:
    """The body decoded from its content-encoding (gzip, deflate, br, zstd), or None when it has none.

    A body that cannot be read cannot be scanned, so it is refused (`UndecodableBody`) rather than
    forwarded: an unknown or stacked encoding ("gzip, br"), corrupt or cut-off data, data left over.
    Decoding stops past `limit` bytes (`DecodedBodyTooLarge`): a small bomb must not cost memory.
    """
    declared = request.headers.get("content-encoding", "").strip().lower()
    if not request.raw_content or declared in ("", "identity"):
        return None
    if declared not in DECODABLE_ENCODINGS:
        raise UndecodableBody(f"content-encoding {declared!r} is not one of {', '.join(sorted(DECODABLE_ENCODINGS))}")
    return decode_body(request.raw_content, declared, limit)


def signature_payload(timestamp: str, method: str, path: str, body: bytes) -> bytes:
    """What a client signs: `<unix time>\\n<METHOD>\\n<path with query>\\n<sha256 hex of body>`."""
    return f"{timestamp}\n{method.upper()}\n{path}\n{hashlib.sha256(body).hexdigest()}".encode()


def sign(secret: str, timestamp: str, method: str, path: str, body: bytes) -> str:
    return hmac.new(secret.encode(), signature_payload(timestamp, method, path, body),
                    hashlib.sha256).hexdigest()


class Guard:
    def __init__(self, state: GatewayState):
        self.state = state
        self.trusted: list = []
        self._seen_signatures: dict[str, float] = {}

    def load(self, loader) -> None:
        add_option(loader, "aegis_enforce_loopback_only", bool, True,
                   "Refuse clients whose address is not loopback (after trusted X-Forwarded-For).")
        add_option(loader, "aegis_trusted_proxies", str, "",
                   "IPs or CIDRs of proxies whose X-Forwarded-For is believed, comma-separated.")
        add_option(loader, "aegis_enable_request_hmac_auth", bool, False,
                   "Require x-aegis-timestamp and x-aegis-signature (HMAC-SHA256) on every request.")
        add_option(loader, "aegis_request_hmac_secret", str, "",
                   "Secret for request signing; empty: the gateway key.")
        add_option(loader, "aegis_request_hmac_max_skew", int, 300,
                   "Seconds a signed request's timestamp may differ from the gateway's clock.")
        add_option(loader, "aegis_max_request_body_bytes", int, 12_000_000,
                   "Largest request body accepted, as sent and decoded from its content-encoding; "
                   "larger ones get 413 request_body_too_large.")

    def configure(self, updated: set[str]) -> None:
        if "aegis_trusted_proxies" in updated:
            self.trusted = parse_networks(ctx.options.aegis_trusted_proxies)
        if "aegis_max_request_body_bytes" in updated and ctx.options.aegis_max_request_body_bytes < 1:
            raise exceptions.OptionsError("aegis_max_request_body_bytes must be positive")
        if "aegis_request_hmac_max_skew" in updated and ctx.options.aegis_request_hmac_max_skew < 1:
            raise exceptions.OptionsError("aegis_request_hmac_max_skew must be positive")

    def _admit(self, flow: http.HTTPFlow) -> bool:
        """Record the client address; answer 403 unless the client may use the gateway."""
        context = get_context(flow)
        peer_ip = flow.client_conn.peername[0] if flow.client_conn.peername else ""
        context.client_ip = client_address(peer_ip, flow.request.headers.get("x-forwarded-for"),
                                           self.trusted)
        if ctx.options.aegis_enforce_loopback_only and not is_loopback(context.client_ip):
            log.warning("aegis: refused client %s (loopback only)", context.client_ip)
            flow.response = make_error(context, "client_not_allowed",
                                       "this gateway accepts loopback clients only")
            return False
        return True

    def http_connect(self, flow: http.HTTPFlow) -> None:
        """Forward proxy: a client that may not use the gateway does not get a tunnel either."""
        self._admit(flow)

    def requestheaders(self, flow: http.HTTPFlow) -> None:
        context = get_context(flow)
        headers = flow.request.headers
        admitted = self._admit(flow)
        # Keep the signature and the path as the client sent it for `request` (the body is not read
        # yet and the router rewrites the path), then drop every x-aegis-* header.
        flow.metadata["aegis_signature"] = (headers.get(TIMESTAMP_HEADER), headers.get(SIGNATURE_HEADER),
                                            flow.request.path)
        strip_aegis_headers(headers)

        if not admitted:
            return
        declared = headers.get("content-length", "")
        limit = ctx.options.aegis_max_request_body_bytes
        if declared.strip().isdigit() and int(declared) > limit:
            flow.response = make_error(context, "request_body_too_large",
                                       f"request body of {int(declared)} bytes exceeds the limit of {limit}",
                                       extra={"limit_bytes": limit})

    def request(self, flow: http.HTTPFlow) -> None:
        context = get_context(flow)
        if flow.response is not None:
            return
        size = len(flow.request.raw_content or b"")
        limit = ctx.options.aegis_max_request_body_bytes
        if size > limit:
            flow.response = make_error(context, "request_body_too_large",
                                       f"request body of {size} bytes exceeds the limit of {limit}",
                                       extra={"limit_bytes": limit})
            return
        try:
            decoded = decoded_body(flow.request, limit)
        except UndecodableBody:
            flow.response = make_error(context, "unsupported_content_encoding",
                                       "the request body's content-encoding cannot be decoded",
                                       extra={"content_encoding": flow.request.headers.get("content-encoding")})
            return
        except DecodedBodyTooLarge:
            flow.response = make_error(context, "request_body_too_large",
                                       f"the decoded request body exceeds the limit of {limit} bytes",
                                       extra={"limit_bytes": limit})
            return
        if ctx.options.aegis_enable_request_hmac_auth:
            problem = self._check_signature(flow)
            if problem:
                flow.response = make_error(context, "invalid_request_signature", problem)
                return
        if decoded is not None:
            # Later stages read the body through mitmproxy, which would decode only a gzip body's first
            # member: the body is written back from what was decoded here (and encoded again as declared),
            # so what is scanned is what the upstream gets.
            flow.request.content = decoded
        flow.request.headers[REQUEST_ID_HEADER] = context.request_id

    def _check_signature(self, flow: http.HTTPFlow) -> str | None:
        timestamp, signature, signed_path = flow.metadata.get("aegis_signature", (None, None, ""))
        if not timestamp or not signature:
            return f"missing {TIMESTAMP_HEADER} or {SIGNATURE_HEADER}"
        try:
            skew = abs(time.time() - float(timestamp))
        except ValueError:
            return f"{TIMESTAMP_HEADER} must be unix seconds"
        if skew > ctx.options.aegis_request_hmac_max_skew:
            return "request timestamp outside the allowed window"
        secret = ctx.options.aegis_request_hmac_secret or self.state.gateway_key
        expected = sign(secret, timestamp, flow.request.method, signed_path,
                        flow.request.raw_content or b"")
        if not hmac.compare_digest(expected, signature.strip().lower()):
            return "signature does not match"
        now = time.time()
        if signature in self._seen_signatures:
            return "signature already used (replay)"
        if len(self._seen_signatures) >= _REPLAY_MEMORY:
            horizon = now - ctx.options.aegis_request_hmac_max_skew
            self._seen_signatures = {s: t for s, t in self._seen_signatures.items() if t >= horizon}
        self._seen_signatures[signature] = now
        return None
