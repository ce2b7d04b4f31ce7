"""Parsing gateway URLs and joining upstream paths. Pure functions, no mitmproxy.

Token routes:  /v1/__gw__/t/<token>[__redact|__passthrough]/<rest>
    <token> is a registered token, or digits (a local port, or a docker upstream mapping).
"""

from __future__ import annotations

import functools
import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from aegis_addons.caching import short_key_cache
from aegis_addons.context import FILTER_FULL, FILTER_PASSTHROUGH, FILTER_REDACT

TOKEN_ROUTE_PREFIX = "/v1/__gw__/t/"
ADMIN_PREFIX = "/__gw__/"
_FILTER_SUFFIXES = {"redact": FILTER_REDACT, "passthrough": FILTER_PASSTHROUGH}
_TOKEN_CHARS = re.compile(r"^[A-Za-z0-9-]{1,64}$")
_VERSION_SEGMENT = re.compile(r"^v\d+(?:beta\d*|alpha\d*)?$")


class RouteError(ValueError):
    """A URL that names a token route but cannot be one; `code` is the envelope code."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class TokenRoute:
    token: str
    filter_mode: str
    rest: str  # path after the token segment, starting with "/" (or ""), query string included

    @property
    def is_port(self) -> bool:
        return self.token.isdigit()


@short_key_cache(512, maxsize=4096)  # agents repeat the same few paths; results are immutable
def parse_token_route(path: str) -> TokenRoute | None:
    """None when `path` is not a token route; RouteError when it is one but malformed."""
    if not path.startswith(TOKEN_ROUTE_PREFIX):
        return None
    remainder = path[len(TOKEN_ROUTE_PREFIX):]
    cut = min((i for i in (remainder.find("/"), remainder.find("?")) if i >= 0), default=len(remainder))
    segment, rest = remainder[:cut], remainder[cut:]
    if rest.startswith("?"):
        rest = "/" + rest  # "/t/<token>?x=1" means the upstream base itself with a query
    token, sep, suffix = segment.partition("__")
    filter_mode = FILTER_FULL
    if sep:
        if suffix not in _FILTER_SUFFIXES:
            raise RouteError("invalid_filter_mode",
                             f"unknown filter mode {suffix!r}: use __redact or __passthrough")
        filter_mode = _FILTER_SUFFIXES[suffix]
    if not _TOKEN_CHARS.match(token):
        raise RouteError("token_not_found", "malformed token in the route")
    return TokenRoute(token=token, filter_mode=filter_mode, rest=rest)


def join_upstream(base: str, rest: str) -> str:
    """Append the client's path to the upstream base without doubling a version segment.

    SDKs differ: the openai SDK with base `.../t/<tok>` sends `/chat/completions`, the Anthropic SDK
    sends `/v1/messages`. With an upstream base ending in `/v1`, both must land on `/v1/...` once.
    """
    origin, base_path, version = _split_base(base)
    path, _, query = rest.partition("?")
    if version and (path == "/" + version or path.startswith("/" + version + "/")):
        path = path[len(version) + 1:]
    joined = base_path + path if path not in ("", "/") else (base_path or "/")
    url = f"{origin}{joined}"
    return f"{url}?{query}" if query else url


@functools.lru_cache(maxsize=1024)
def _split_base(base: str) -> tuple[str, str, str]:
    """`scheme://netloc`, the path without a trailing slash, and its last segment if it is a version
    (`v1`, `v1beta`); cached because every routed request joins onto one of a few upstream bases."""
    parts = urlsplit(base)
    base_path = parts.path.rstrip("/")
    base_last = base_path.rsplit("/", 1)[-1]
    return (f"{parts.scheme}://{parts.netloc}", base_path,
            base_last if base_last and _VERSION_SEGMENT.match(base_last) else "")


def validate_upstream_base(base: str) -> str:
    """Normalise an upstream base URL; ValueError with a readable reason when it is not usable."""
    if not isinstance(base, str) or not base.strip():
        raise ValueError("upstream_base must be a non-empty URL")
    parts = urlsplit(base.strip())
    if parts.scheme not in ("http", "https"):
        raise ValueError("upstream_base must start with http:// or https://")
    if not parts.hostname:
        raise ValueError("upstream_base has no host")
    if parts.query or parts.fragment:
        raise ValueError("upstream_base must not have a query string or fragment")
    if parts.username or parts.password:
        raise ValueError("upstream_base must not carry credentials")
    try:
        parts.port  # noqa: B018 - raises for an out-of-range port
    except ValueError as e:
        raise ValueError(f"upstream_base: {e}") from None
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def parse_docker_upstreams(spec: str) -> dict[int, str]:
    """`"8317:cli-proxy-api,8080:other:9000"` -> {8317: "http://cli-proxy-api:8317/v1", ...}.

    Each item is `<port-token>:<host>[:<container-port>]`; the container port defaults to the token.
    """
    out: dict[int, str] = {}
    for item in spec.replace(" ", "").split(","):
        if not item:
            continue
        fields = item.split(":")
        if len(fields) not in (2, 3) or not fields[0].isdigit() or not fields[1]:
            raise ValueError(f"docker upstream {item!r}: expected <port>:<host>[:<container-port>]")
        port = _port(fields[0], item)
        target_port = _port(fields[2], item) if len(fields) == 3 else port
        if not re.match(r"^[A-Za-z0-9.-]+$", fields[1]):
            raise ValueError(f"docker upstream {item!r}: invalid host name")
        out[port] = f"http://{fields[1]}:{target_port}/v1"
    return out


def _port(text: str, item: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise ValueError(f"docker upstream {item!r}: port must be 1-65535")
    return int(text)


def host_matches(host: str, patterns: list[str]) -> bool:
    """Does `host` match one of `patterns` (`example.com`, `*.example.com`, `10.0.0.0/8`)?"""
    host = host.lower().rstrip(".")
    for pattern in patterns:
        pattern = pattern.lower().rstrip(".")
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]) and host != pattern[2:]:
                return True
        elif "/" in pattern:
            try:
                if ipaddress.ip_address(host) in ipaddress.ip_network(pattern, strict=False):
                    return True
            except ValueError:
                continue
        elif host == pattern.strip("[]"):  # `[::1]` names the same host as `::1`
            return True
    return False


def target_allowed(url: str, allowlist: list[str]) -> bool:
    """For the /v2 proxy: an http(s) URL whose host, or host:port, is in the allowlist."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return False
    host = parts.hostname
    with_port = [p for p in allowlist if _has_port(p)]
    without_port = [p for p in allowlist if not _has_port(p)]
    host_port = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return host_matches(host, without_port) or host_port.lower() in {p.lower() for p in with_port}


def _has_port(pattern: str) -> bool:
    """`host:port` or `[v6]:port`; a bare IPv6 address (`::1`, `fd00::/8`) has no port."""
    if pattern.startswith("["):
        _, sep, tail = pattern.rpartition("]:")
        return bool(sep) and tail.isdigit()
    if pattern.count(":") != 1 or "/" in pattern:
        return False
    return pattern.partition(":")[2].isdigit()
