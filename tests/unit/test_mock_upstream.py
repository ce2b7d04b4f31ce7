"""The mock LLM upstream, driven by the real openai and anthropic SDKs and by raw HTTP."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import anthropic
import httpx
import openai
import pytest

from aegis_addons.mock_upstream import (
    DEFAULT_REPLY,
    MockConfig,
    MockUpstreamThread,
    apply_header_controls,
    parse_cli,
    split_deltas,
    start_mock_upstream,
)

TOOL_ARGS = '{"city": "Paris", "unit": "celsius", "days": [1, 2]}'
TOOL_HEADERS = {"x-mock-tool-name": "get_weather", "x-mock-tool-args": TOOL_ARGS}
USER = [{"role": "user", "content": "hi"}]


@pytest.fixture(scope="module")
def mock() -> Iterator[MockUpstreamThread]:
    with MockUpstreamThread() as server:
        yield server


@pytest.fixture(autouse=True)
def _fresh_recording(mock: MockUpstreamThread) -> None:
    mock.clear()


@pytest.fixture
def oai(mock: MockUpstreamThread) -> openai.OpenAI:
    # No retries: an error status must surface at once, not after the SDK's backoff.
    return openai.OpenAI(base_url=mock.url + "/v1", api_key="sk-test", max_retries=0)


@pytest.fixture
def claude(mock: MockUpstreamThread) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=mock.url, api_key="sk-ant-test", max_retries=0)


def _sse_data(lines: list[str]) -> list[str]:
    return [line[len("data: ") :] for line in lines if line.startswith("data: ")]


# --------------------------------------------------------------------------- OpenAI Chat Completions


def test_chat_completion(oai: openai.OpenAI) -> None:
    completion = oai.chat.completions.create(model="gpt-4o-mini", messages=USER)
    assert completion.id.startswith("chatcmpl-")
    assert completion.object == "chat.completion"
    assert completion.model == "gpt-4o-mini"
    assert completion.choices[0].message.role == "assistant"
    assert completion.choices[0].message.content == DEFAULT_REPLY
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage is not None and completion.usage.completion_tokens > 0


def test_chat_stream_with_usage(oai: openai.OpenAI) -> None:
    chunks = list(
        oai.chat.completions.create(
            model="gpt-4o-mini", messages=USER, stream=True, stream_options={"include_usage": True}
        )
    )
    assert chunks[0].choices[0].delta.role == "assistant"
    contents = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
    assert len(contents) > 1  # really streamed, not one delta
    assert "".join(contents) == DEFAULT_REPLY
    assert chunks[-2].choices[0].finish_reason == "stop"
    assert chunks[-1].choices == [] and chunks[-1].usage is not None
    usage = chunks[-1].usage
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


def test_chat_stream_tool_call_arguments_reassemble(oai: openai.OpenAI) -> None:
    stream = oai.chat.completions.create(
        model="gpt-4o-mini",
        messages=USER,
        stream=True,
        extra_headers={**TOOL_HEADERS, "x-mock-delta-chars": "3"},
    )
    chunks = list(stream)
    calls = [call for c in chunks if c.choices for call in c.choices[0].delta.tool_calls or []]
    assert calls[0].id.startswith("call_") and calls[0].function.name == "get_weather"
    assert len(calls) > 10
    assert json.loads("".join(call.function.arguments or "" for call in calls)) == json.loads(TOOL_ARGS)
    assert chunks[-1].choices[0].finish_reason == "tool_calls"


def test_chat_tool_call_non_stream(oai: openai.OpenAI) -> None:
    completion = oai.chat.completions.create(model="m", messages=USER, extra_headers=TOOL_HEADERS)
    message = completion.choices[0].message
    assert message.content is None
    assert message.tool_calls[0].function.name == "get_weather"
    assert message.tool_calls[0].function.arguments == TOOL_ARGS
    assert completion.choices[0].finish_reason == "tool_calls"


def test_paths_work_without_v1_prefix(mock: MockUpstreamThread) -> None:
    client = openai.OpenAI(base_url=mock.url, api_key="x", max_retries=0)
    completion = client.chat.completions.create(model="m", messages=USER)
    assert completion.choices[0].message.content == DEFAULT_REPLY
    assert mock.requests[-1].path == "/chat/completions"


# --------------------------------------------------------------------------- OpenAI Responses


def test_responses_create(oai: openai.OpenAI) -> None:
    response = oai.responses.create(model="gpt-4.1", input="hi", instructions="be brief")
    assert response.id.startswith("resp_")
    assert response.status == "completed"
    assert response.model == "gpt-4.1"
    assert response.instructions == "be brief"
    assert response.output[0].type == "message"
    assert response.output[0].content[0].type == "output_text"
    assert response.output_text == DEFAULT_REPLY
    assert response.usage is not None and response.usage.output_tokens > 0


def test_responses_stream_event_sequence(oai: openai.OpenAI) -> None:
    events = list(oai.responses.create(model="gpt-4.1", input="hi", stream=True))
    types = [event.type for event in events]
    deltas = types.count("response.output_text.delta")
    assert deltas > 1
    assert types == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        *["response.output_text.delta"] * deltas,
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert [event.sequence_number for event in events] == list(range(len(events)))
    assert "".join(e.delta for e in events if e.type == "response.output_text.delta") == DEFAULT_REPLY
    assert events[-1].response.output_text == DEFAULT_REPLY


def test_responses_stream_function_call(oai: openai.OpenAI) -> None:
    events = list(oai.responses.create(model="gpt-4.1", input="hi", stream=True, extra_headers=TOOL_HEADERS))
    added = next(e for e in events if e.type == "response.output_item.added")
    assert added.item.type == "function_call" and added.item.name == "get_weather"
    deltas = [e.delta for e in events if e.type == "response.function_call_arguments.delta"]
    assert len(deltas) > 1 and "".join(deltas) == TOOL_ARGS
    done = next(e for e in events if e.type == "response.function_call_arguments.done")
    assert done.arguments == TOOL_ARGS
    final = events[-1].response.output[0]
    assert final.type == "function_call" and final.arguments == TOOL_ARGS
    assert final.call_id.startswith("call_")


# --------------------------------------------------------------------------- Anthropic Messages


def test_messages_create(claude: anthropic.Anthropic) -> None:
    message = claude.messages.create(model="claude-haiku-4-5", max_tokens=100, messages=USER)
    assert message.id.startswith("msg_")
    assert message.model == "claude-haiku-4-5"
    assert message.content[0].type == "text" and message.content[0].text == DEFAULT_REPLY
    assert message.stop_reason == "end_turn" and message.stop_sequence is None
    assert message.usage.input_tokens > 0 and message.usage.output_tokens > 0


def test_messages_stream_text(claude: anthropic.Anthropic) -> None:
    with claude.messages.stream(model="claude-haiku-4-5", max_tokens=100, messages=USER) as stream:
        pieces = list(stream.text_stream)
        final = stream.get_final_message()
    assert len(pieces) > 1 and "".join(pieces) == DEFAULT_REPLY
    assert final.content[0].text == DEFAULT_REPLY
    assert final.stop_reason == "end_turn"
    assert final.usage.output_tokens == len(pieces)


def test_messages_stream_tool_use(claude: anthropic.Anthropic) -> None:
    with claude.messages.stream(
        model="claude-haiku-4-5", max_tokens=100, messages=USER, extra_headers=TOOL_HEADERS
    ) as stream:
        events = list(stream)
        final = stream.get_final_message()
    json_deltas = [e.delta for e in events if e.type == "content_block_delta"]
    assert all(delta.type == "input_json_delta" for delta in json_deltas)
    assert len(json_deltas) > 1
    block = final.content[0]
    assert block.type == "tool_use" and block.name == "get_weather" and block.id.startswith("toolu_")
    assert block.input == json.loads(TOOL_ARGS)
    assert final.stop_reason == "tool_use"


def test_messages_tool_use_non_stream(claude: anthropic.Anthropic) -> None:
    message = claude.messages.create(model="c", max_tokens=10, messages=USER, extra_headers=TOOL_HEADERS)
    assert message.content[0].type == "tool_use"
    assert message.content[0].input == json.loads(TOOL_ARGS)
    assert message.stop_reason == "tool_use"


def test_models_list_for_both_sdks(oai: openai.OpenAI, claude: anthropic.Anthropic) -> None:
    assert "gpt-4o-mini" in [model.id for model in oai.models.list()]
    assert "claude-haiku-4-5" in [model.id for model in claude.models.list()]


# --------------------------------------------------------------------------- behaviour controls


def test_echo_mode_in_all_three_formats(oai: openai.OpenAI, claude: anthropic.Anthropic) -> None:
    echo = {"X-Mock-Echo": "1"}  # header names are case-insensitive
    text = "Grüße aus Köln, jane@example.com"
    history = [{"role": "user", "content": "first"}, {"role": "assistant", "content": "ok"}]
    chat = oai.chat.completions.create(
        model="m",
        messages=[*history, {"role": "user", "content": [{"type": "text", "text": text}]}],
        extra_headers=echo,
    )
    responses = oai.responses.create(
        model="m",
        input=[{"role": "user", "content": [{"type": "input_text", "text": text}]}],
        extra_headers=echo,
    )
    responses_bare = oai.responses.create(model="m", input=text, extra_headers=echo)
    message = claude.messages.create(
        model="c", max_tokens=10, messages=[*history, {"role": "user", "content": text}], extra_headers=echo
    )
    assert chat.choices[0].message.content == text
    assert responses.output_text == text
    assert responses_bare.output_text == text
    assert message.content[0].text == text


def test_split_bytes_and_crlf_streams_still_parse(oai: openai.OpenAI, claude: anthropic.Anthropic) -> None:
    text = "Grüße 東京 — split me anywhere"  # multi-byte characters get cut mid-character
    headers = {"x-mock-reply": "", "x-mock-echo": "1", "x-mock-split-bytes": "1", "x-mock-crlf": "1"}
    chat = oai.chat.completions.create(
        model="m", messages=[{"role": "user", "content": text}], stream=True, extra_headers=headers
    )
    chat_text = "".join(c.choices[0].delta.content or "" for c in chat)
    events = oai.responses.create(
        model="m", input=text, stream=True, extra_headers={**headers, "x-mock-split-bytes": "7"}
    )
    responses_text = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    with claude.messages.stream(
        model="c", max_tokens=10, messages=[{"role": "user", "content": text}], extra_headers=headers
    ) as stream:
        claude_text = "".join(stream.text_stream)
    assert chat_text == responses_text == claude_text == text


def test_split_bytes_cuts_every_event_into_small_chunks(mock: MockUpstreamThread) -> None:
    # Read the raw chunked framing: each chunk is one write of the mock.
    body = b'{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}'
    request = (
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: mock\r\nConnection: close\r\n"
        b"Content-Type: application/json\r\nx-mock-split-bytes: 5\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    with socket.create_connection(("127.0.0.1", mock.port), timeout=5) as sock:
        sock.sendall(request)
        raw = b""
        while chunk := sock.recv(65536):
            raw += chunk
    head, _, rest = raw.partition(b"\r\n\r\n")
    assert b"transfer-encoding: chunked" in head.lower()
    sizes, payload = [], b""
    while True:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            break
        sizes.append(size)
        payload, rest = payload + rest[:size], rest[size + 2 :]
    assert max(sizes) == 5 and len(sizes) > 100
    assert payload.endswith(b"data: [DONE]\n\n")


def test_drop_after_closes_without_terminal_event(mock: MockUpstreamThread) -> None:
    lines: list[str] = []
    with pytest.raises(httpx.RemoteProtocolError):
        with httpx.stream(
            "POST",
            mock.url + "/v1/chat/completions",
            json={"model": "m", "stream": True, "messages": USER},
            headers={"x-mock-drop-after": "3"},
        ) as response:
            assert response.status_code == 200
            lines.extend(response.iter_lines())
    data = _sse_data(lines)
    assert len(data) == 3
    assert "[DONE]" not in data
    assert all(json.loads(d)["choices"][0]["finish_reason"] is None for d in data)


def test_drop_after_surfaces_as_connection_error_in_the_sdk(oai: openai.OpenAI) -> None:
    seen: list[str] = []
    with pytest.raises(openai.APIConnectionError):
        stream = oai.responses.create(
            model="m", input="hi", stream=True, extra_headers={"x-mock-drop-after": "1000"}
        )
        seen.extend(event.type for event in stream)
    assert "response.output_item.done" in seen and "response.completed" not in seen


def test_error_status_raises_the_sdk_exception(oai: openai.OpenAI, claude: anthropic.Anthropic) -> None:
    with pytest.raises(openai.InternalServerError) as server_error:
        oai.chat.completions.create(
            model="m", messages=USER, stream=True, extra_headers={"x-mock-status": "500"}
        )
    assert server_error.value.status_code == 500
    assert server_error.value.body["type"] == "server_error"

    with pytest.raises(openai.RateLimitError) as rate_limited:
        oai.responses.create(model="m", input="hi", extra_headers={"x-mock-status": "429"})
    assert rate_limited.value.code == "rate_limit_exceeded"

    with pytest.raises(anthropic.RateLimitError) as claude_limited:
        claude.messages.create(
            model="c", max_tokens=10, messages=USER, extra_headers={"x-mock-status": "429"}
        )
    assert claude_limited.value.body["type"] == "error"
    assert claude_limited.value.body["error"]["type"] == "rate_limit_error"
    assert claude_limited.value.request_id == claude_limited.value.body["request_id"]


def test_invalid_control_header_is_a_bad_request(oai: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError, match="x-mock-delta-chars"):
        oai.chat.completions.create(model="m", messages=USER, extra_headers={"x-mock-delta-chars": "0"})


def test_stream_events_are_spread_over_time(mock: MockUpstreamThread) -> None:
    delay = 0.03
    arrivals: list[float] = []
    with httpx.stream(
        "POST",
        mock.url + "/v1/chat/completions",
        json={"model": "m", "stream": True, "messages": USER},
        headers={"x-mock-delay-ms": str(delay * 1000)},
    ) as response:
        for line in response.iter_lines():
            if line.startswith("data: "):
                arrivals.append(time.monotonic())
    gaps = len(arrivals) - 1  # role chunk, 5 words, finish chunk, [DONE]
    assert gaps == 7
    assert arrivals[-1] - arrivals[0] >= 0.8 * gaps * delay
    # Spread, not one burst at the end: most gaps are near the delay (a loaded machine may let the
    # client read two events in one go now and then).
    spaced = sum(later - earlier >= 0.5 * delay for earlier, later in zip(arrivals, arrivals[1:]))
    assert spaced >= gaps - 2


def test_ttfb_delays_the_response_headers(mock: MockUpstreamThread) -> None:
    started = time.monotonic()
    response = httpx.post(
        mock.url + "/v1/messages",
        json={"model": "c", "max_tokens": 5, "messages": USER},
        headers={"x-mock-ttfb-ms": "150"},
    )
    assert response.status_code == 200
    assert time.monotonic() - started >= 0.14


def test_gzip_body(mock: MockUpstreamThread) -> None:
    response = httpx.post(
        mock.url + "/v1/chat/completions",
        json={"model": "m", "messages": USER},
        headers={"x-mock-gzip": "1"},
    )
    assert response.headers["content-encoding"] == "gzip"
    assert response.json()["choices"][0]["message"]["content"] == DEFAULT_REPLY  # httpx decoded it


# --------------------------------------------------------------------------- recording


def test_recorded_requests_hold_path_headers_and_body(mock: MockUpstreamThread, oai: openai.OpenAI) -> None:
    oai.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "my secret is 1234"}],
        extra_headers={"X-Custom": "yes"},
        extra_query={"api-version": "2025-01-01"},
    )
    assert len(mock.requests) == 1
    recorded = mock.requests[0]
    assert recorded.method == "POST"
    assert recorded.path == "/v1/chat/completions?api-version=2025-01-01"
    assert recorded.headers["authorization"] == "Bearer sk-test"
    assert recorded.headers["x-custom"] == "yes"
    assert "my secret is 1234" in recorded.body
    assert recorded.json["messages"][0]["content"] == "my secret is 1234"

    listed = httpx.get(mock.url + "/__mock__/requests").json()
    assert [entry["path"] for entry in listed] == [recorded.path]  # the control call itself is not recorded
    assert listed[0]["json"]["model"] == "gpt-4o-mini"
    assert httpx.delete(mock.url + "/__mock__/requests").status_code == 204
    assert mock.requests == []


@pytest.mark.asyncio
async def test_start_mock_upstream_uses_config_defaults_and_headers_win() -> None:
    server = await start_mock_upstream(config=MockConfig(reply="from the server config"))
    try:
        assert server.url == f"http://127.0.0.1:{server.port}"
        async with httpx.AsyncClient(base_url=server.url) as client:
            body = {"model": "c", "max_tokens": 5, "messages": USER}
            default = await client.post("/v1/messages", json=body)
            header = {"x-mock-reply": "from the header"}
            overridden = await client.post("/v1/messages", json=body, headers=header)
        assert default.json()["content"][0]["text"] == "from the server config"
        assert default.headers["request-id"].startswith("req_")
        assert overridden.json()["content"][0]["text"] == "from the header"
        assert [r.path for r in server.requests] == ["/v1/messages", "/v1/messages"]
    finally:
        await server.close()


# --------------------------------------------------------------------------- pure helpers and CLI


def test_split_deltas() -> None:
    assert split_deltas("Hello big  world ") == ["Hello", " big", "  world", " "]
    assert split_deltas("abcdefg", 3) == ["abc", "def", "g"]
    assert split_deltas("") == []


def test_header_controls_override_defaults() -> None:
    base = MockConfig(reply="default", echo=True, delay_ms=5)
    headers = {"X-MOCK-ECHO": "false", "x-mock-reply": "hi", "x-mock-status": "503"}
    config = apply_header_controls(base, headers)
    assert (config.echo, config.reply, config.status, config.delay_ms) == (False, "hi", 503, 5)
    with pytest.raises(ValueError, match="x-mock-status"):
        apply_header_controls(base, {"x-mock-status": "302"})


def test_parse_cli() -> None:
    host, port, config = parse_cli(["--port", "9100", "--echo", "--delay-ms", "20", "--tool-name", "f"])
    assert (host, port) == ("127.0.0.1", 9100)
    assert config.echo and config.delay_ms == 20 and config.tool_name == "f"
    with pytest.raises(SystemExit):
        parse_cli(["--split-bytes", "0"])
