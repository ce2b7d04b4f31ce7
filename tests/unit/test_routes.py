import pytest

from aegis_addons.wire.routes import (
    RouteError,
    host_matches,
    join_upstream,
    parse_docker_upstreams,
    parse_token_route,
    target_allowed,
    validate_upstream_base,
)


@pytest.mark.parametrize("path, token, mode, rest", [
    ("/v1/__gw__/t/abc123/chat/completions", "abc123", "full", "/chat/completions"),
    ("/v1/__gw__/t/abc123__redact/v1/messages", "abc123", "redact", "/v1/messages"),
    ("/v1/__gw__/t/abc123__passthrough/models?limit=5", "abc123", "passthrough", "/models?limit=5"),
    ("/v1/__gw__/t/abc123", "abc123", "full", ""),
    ("/v1/__gw__/t/abc123?x=1", "abc123", "full", "/?x=1"),
    ("/v1/__gw__/t/8317/chat/completions", "8317", "full", "/chat/completions"),
])
def test_parse_token_route(path, token, mode, rest):
    route = parse_token_route(path)
    assert (route.token, route.filter_mode, route.rest) == (token, mode, rest)


def test_parse_token_route_rejects():
    assert parse_token_route("/v1/chat/completions") is None
    with pytest.raises(RouteError) as e:
        parse_token_route("/v1/__gw__/t/abc__nope/x")
    assert e.value.code == "invalid_filter_mode"
    with pytest.raises(RouteError) as e:
        parse_token_route("/v1/__gw__/t/a%2Fb/x")
    assert e.value.code == "token_not_found"
    with pytest.raises(RouteError):
        parse_token_route("/v1/__gw__/t//x")


def test_port_token_flag():
    assert parse_token_route("/v1/__gw__/t/8080/x").is_port
    assert not parse_token_route("/v1/__gw__/t/8080a/x").is_port


@pytest.mark.parametrize("base, rest, expected", [
    # openai SDK: base_url=.../t/<tok> -> /chat/completions
    ("https://api.openai.com/v1", "/chat/completions", "https://api.openai.com/v1/chat/completions"),
    # Anthropic SDK: base_url=.../t/<tok> -> /v1/messages; must not become /v1/v1/messages
    ("https://api.anthropic.com/v1", "/v1/messages", "https://api.anthropic.com/v1/messages"),
    ("https://api.anthropic.com", "/v1/messages", "https://api.anthropic.com/v1/messages"),
    ("http://127.0.0.1:9000/v1/", "/models?limit=2", "http://127.0.0.1:9000/v1/models?limit=2"),
    ("http://h/api/v1", "", "http://h/api/v1"),
    ("http://h/api/v1", "/?a=b", "http://h/api/v1?a=b"),
    ("http://h/v1", "/v10/x", "http://h/v1/v10/x"),          # only the same segment is folded
    ("http://h/openai/v1beta", "/v1beta/models", "http://h/openai/v1beta/models"),
])
def test_join_upstream(base, rest, expected):
    assert join_upstream(base, rest) == expected


@pytest.mark.parametrize("bad", ["", "ftp://x", "http://", "http://h/v1?x=1", "http://u:p@h/v1",
                                 "http://h:99999/v1", 42])
def test_validate_upstream_base_rejects(bad):
    with pytest.raises(ValueError):
        validate_upstream_base(bad)


def test_validate_upstream_base_normalises():
    assert validate_upstream_base(" https://api.openai.com/v1/ ") == "https://api.openai.com/v1"


def test_docker_upstreams():
    assert parse_docker_upstreams("8317:cli-proxy-api, 8080:svc:9000") == {
        8317: "http://cli-proxy-api:8317/v1", 8080: "http://svc:9000/v1"}
    assert parse_docker_upstreams("") == {}
    for bad in ("8317", "x:host", "70000:h", "1:h:0", "1:bad/host"):
        with pytest.raises(ValueError):
            parse_docker_upstreams(bad)


def test_host_matching_and_v2_allowlist():
    assert host_matches("api.openai.com", ["api.openai.com"])
    assert host_matches("x.openai.azure.com", ["*.openai.azure.com"])
    assert not host_matches("openai.azure.com", ["*.openai.azure.com"])
    assert not host_matches("evilapi.openai.com", ["api.openai.com"])
    assert host_matches("10.1.2.3", ["10.0.0.0/8"]) and not host_matches("11.1.2.3", ["10.0.0.0/8"])
    allow = ["127.0.0.1", "api.example.com:8443"]
    assert target_allowed("http://127.0.0.1:9000/v1/x", allow)
    assert target_allowed("https://api.example.com:8443/v1", allow)
    assert not target_allowed("https://api.example.com/v1", allow)       # port 443 is not listed
    assert not target_allowed("file:///etc/passwd", allow)
    assert not target_allowed("http://127.0.0.1.evil.com/", allow)
    assert not target_allowed("not a url", allow)


@pytest.mark.parametrize("allow, url, allowed", [
    (["::1"], "http://[::1]:8080/v1", True),              # a bare IPv6 address has no port
    (["[::1]"], "http://[::1]:8080/v1", True),
    (["[::1]:8080"], "http://[::1]:8080/v1", True),
    (["[::1]:8080"], "http://[::1]:9090/v1", False),
    (["fd00::/8"], "http://[fd00::5]/v1", True),
    (["::1"], "http://[::2]/v1", False),
])
def test_v2_allowlist_with_ipv6(allow, url, allowed):
    assert target_allowed(url, allow) is allowed


def test_long_paths_are_parsed_but_not_remembered():
    parse_token_route.cache_clear()
    long_path = "/v1/__gw__/t/tok/" + "x" * 10_000
    assert parse_token_route(long_path).rest == "/" + "x" * 10_000
    assert parse_token_route.cache_info().currsize == 0
    assert parse_token_route("/v1/__gw__/t/tok/chat/completions").token == "tok"
    assert parse_token_route.cache_info().currsize == 1


def test_short_key_cache_remembers_only_short_keys():
    from aegis_addons.caching import short_key_cache
    calls = []

    @short_key_cache(4, maxsize=8)
    def upper(text: str) -> str:
        calls.append(text)
        return text.upper()

    assert [upper("ab"), upper("ab"), upper("abcdef"), upper("abcdef")] == ["AB", "AB", "ABCDEF", "ABCDEF"]
    assert calls == ["ab", "abcdef", "abcdef"] and upper.cache_info().currsize == 1
