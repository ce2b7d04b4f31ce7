"""A mock LLM provider that speaks the real OpenAI and Anthropic wire formats.

The README demo, the end-to-end tests and the benchmarks put this server behind the gateway in place
of a real provider, so that real SDK clients (``openai``, ``anthropic``) can talk through Aegis without
network access or API keys. It answers:

- ``POST /v1/chat/completions``: OpenAI Chat Completions, JSON or SSE (``chat.completion.chunk``); a
  tool call is a legacy ``function_call`` when the request uses ``functions``;
- ``POST /v1/responses``: a call of a tool the request declares ``custom`` carries free-form ``input``;
- ``POST /v1/responses``: OpenAI Responses, JSON or SSE (``response.*`` events);
- ``POST /v1/messages``: Anthropic Messages, JSON or SSE (``message_start`` ... ``message_stop``);
- ``GET /v1/models``: a model list, in Anthropic's shape when the client sends ``anthropic-version``;
- ``GET /__mock__/requests`` / ``DELETE /__mock__/requests``: the recorded requests, and clearing them.

Every API path also answers without the ``/v1`` prefix, because a gateway's upstream base may or may
not end in ``/v1``. Every request except the ``/__mock__/`` ones is recorded, so tests can assert what
actually reached the upstream.

The answer is shaped by a :class:`MockConfig` (server defaults) and, per request, by ``x-mock-*``
headers, which win; see ``HEADER_CONTROLS``. Examples: ``x-mock-reply: hi``, ``x-mock-echo: 1``,
``x-mock-delta-chars: 3``, ``x-mock-delay-ms: 20``, ``x-mock-split-bytes: 1``, ``x-mock-status: 429``,
``x-mock-drop-after: 4``, ``x-mock-tool-name: get_weather`` with ``x-mock-tool-args: {"city": "Paris"}``,
``x-mock-content-type: text/plain`` (a JSON answer under another content type).

Run it with ``python scripts/mock_llm.py --port 9000``, start it inside a test with
:func:`start_mock_upstream`, or in a background thread with :class:`MockUpstreamThread`.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gzip
import json
import re
import socket
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

DEFAULT_REPLY = "Hello from the mock upstream."
DEFAULT_MODELS = ("gpt-4o-mini", "gpt-4.1", "claude-haiku-4-5", "claude-opus-4-6")
CONTROL_PREFIX = "/__mock__/"


# --------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class MockConfig:
    """How the mock answers. Server-wide defaults; each field can be overridden per request."""

    reply: str = DEFAULT_REPLY
    echo: bool = False  # reply with the text of the last user message instead of `reply`
    delta_chars: int | None = None  # characters per streamed delta; None: word-ish pieces
    delay_ms: float = 0.0  # pause between two SSE events
    ttfb_ms: float = 0.0  # pause before the response headers
    split_bytes: int | None = None  # write each SSE event in pieces of this many bytes
    tool_name: str | None = None  # when set, the answer is a call of this tool
    tool_args: str = "{}"  # the tool call's arguments, a JSON text
    status: int = 200  # 400..599: answer with the provider's error body instead
    drop_after: int | None = None  # close the stream after this many events, before the last one
    crlf: bool = False  # end SSE lines with \r\n instead of \n
    gzip: bool = False  # gzip non-streamed JSON bodies (content-encoding: gzip)
    content_type: str = "application/json"  # the content type of non-streamed JSON bodies
    models: tuple[str, ...] = DEFAULT_MODELS

    def __post_init__(self) -> None:
        for name in ("delta_chars", "split_bytes"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"{name} must be >= 1, got {value}")
        for name in ("delay_ms", "ttfb_ms"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")
        if self.drop_after is not None and self.drop_after < 0:
            raise ValueError(f"drop_after must be >= 0, got {self.drop_after}")
        if self.status != 200 and not 400 <= self.status <= 599:
            raise ValueError(f"status must be 200 or an error status 400..599, got {self.status}")


def _parse_bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"expected a boolean (1/0, true/false), got {value!r}")


# Request header -> (MockConfig field, parser). Header names are matched case-insensitively.
HEADER_CONTROLS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "x-mock-reply": ("reply", str),
    "x-mock-echo": ("echo", _parse_bool),
    "x-mock-delta-chars": ("delta_chars", int),
    "x-mock-delay-ms": ("delay_ms", float),
    "x-mock-ttfb-ms": ("ttfb_ms", float),
    "x-mock-split-bytes": ("split_bytes", int),
    "x-mock-tool-name": ("tool_name", str),
    "x-mock-tool-args": ("tool_args", str),
    "x-mock-status": ("status", int),
    "x-mock-drop-after": ("drop_after", int),
    "x-mock-crlf": ("crlf", _parse_bool),
    "x-mock-gzip": ("gzip", _parse_bool),
    "x-mock-content-type": ("content_type", str),
}


def apply_header_controls(config: MockConfig, headers: Mapping[str, str]) -> MockConfig:
    """The config for one request: ``config`` with every ``x-mock-*`` header applied.

    Raises ValueError naming the header when a value does not parse or is out of range.
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    for header, (field_name, parse) in HEADER_CONTROLS.items():
        if header in lowered:
            try:
                config = dataclasses.replace(config, **{field_name: parse(lowered[header])})
            except ValueError as exc:
                raise ValueError(f"invalid {header} header {lowered[header]!r}: {exc}") from None
    return config


# --------------------------------------------------------------------------- recorded requests


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the mock received it."""

    method: str
    path: str  # raw path with query string, exactly as sent
    headers: dict[str, str]  # lower-case names; repeated headers joined with ", "
    body: str  # the body decoded as UTF-8 (undecodable bytes replaced)
    json: Any = None  # the parsed body, when it is JSON

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


REQUESTS_KEY = web.AppKey("mock_requests", list[RecordedRequest])
CONFIG_KEY = web.AppKey("mock_config", MockConfig)


async def _record(request: web.Request) -> None:
    raw = await request.read()  # aiohttp caches the body, so handlers can read it again
    body = raw.decode("utf-8", errors="replace")
    try:
        parsed = json.loads(body) if body else None
    except ValueError:
        parsed = None
    headers: dict[str, str] = {}
    for name, value in request.headers.items():
        key = name.lower()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    request.app[REQUESTS_KEY].append(
        RecordedRequest(request.method, request.raw_path, headers, body, parsed)
    )


@web.middleware
async def _recording_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    if not request.path.startswith(CONTROL_PREFIX):
        await _record(request)
    return await handler(request)


# --------------------------------------------------------------------------- text helpers


_WORDISH = re.compile(r"\s*\S+|\s+")


def split_deltas(text: str, delta_chars: int | None = None) -> list[str]:
    """Cut ``text`` into stream deltas: ``delta_chars`` characters each, or word-ish pieces.

    Word-ish pieces carry their leading whitespace (``"Hello big world"`` -> ``"Hello"``, ``" big"``,
    ``" world"``), which is how provider tokens usually look.
    """
    if delta_chars:
        return [text[i : i + delta_chars] for i in range(0, len(text), delta_chars)]
    return _WORDISH.findall(text)


def _text_of(content: Any) -> str:
    """The text of a message's content: a string, or the text parts of a content-part list."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [
            part["text"]
            for part in content
            if isinstance(part, dict)
            and part.get("type") in ("text", "input_text")
            and isinstance(part.get("text"), str)
        ]
        return "\n".join(texts)
    return ""


def last_user_text(body: Mapping[str, Any]) -> str:
    """The text of the last user message of a Chat, Responses or Messages request body."""
    if isinstance(body.get("input"), str):  # Responses accepts the prompt as a bare string
        return body["input"]
    items = body.get("messages") or body.get("input") or []
    for item in reversed(items):
        if isinstance(item, dict) and item.get("role") == "user":
            return _text_of(item.get("content"))
    return ""


def _estimate_tokens(text: str) -> int:
    # The providers' rule of thumb: about four characters per token.
    return max(1, len(text) // 4)


def _new_id(prefix: str) -> str:
    return prefix + uuid.uuid4().hex[:24]


@dataclass(frozen=True)
class Reply:
    """What one request gets back, independent of the wire format."""

    model: str
    text: str  # the answer text; empty for a tool call
    pieces: list[str]  # the streamed deltas: of the text, or of the tool arguments
    tool_name: str | None
    tool_args: str
    input_tokens: int
    request: Mapping[str, Any]  # the request body, for fields the answer echoes back

    @property
    def output_tokens(self) -> int:
        return max(1, len(self.pieces))


def make_reply(body: Mapping[str, Any], raw_body: str, config: MockConfig) -> Reply:
    model = body.get("model") if isinstance(body.get("model"), str) else "mock-model"
    if config.tool_name:
        text = ""
        pieces = split_deltas(config.tool_args, config.delta_chars)
    else:
        text = last_user_text(body) if config.echo else config.reply
        pieces = split_deltas(text, config.delta_chars)
    return Reply(
        model=model,
        text=text,
        pieces=pieces,
        tool_name=config.tool_name,
        tool_args=config.tool_args,
        input_tokens=_estimate_tokens(raw_body),
        request=body,
    )


# --------------------------------------------------------------------------- SSE


@dataclass(frozen=True)
class SseEvent:
    data: str
    event: str | None = None

    def encode(self, newline: str = "\n") -> bytes:
        lines = [f"event: {self.event}"] if self.event else []
        lines.append(f"data: {self.data}")
        return (newline.join(lines) + newline + newline).encode()


def _json_event(payload: Mapping[str, Any], event: str | None = None) -> SseEvent:
    return SseEvent(json.dumps(payload, ensure_ascii=False, separators=(",", ":")), event)


# --------------------------------------------------------------------------- OpenAI Chat Completions


def _chat_usage(reply: Reply) -> dict[str, int]:
    return {
        "prompt_tokens": reply.input_tokens,
        "completion_tokens": reply.output_tokens,
        "total_tokens": reply.input_tokens + reply.output_tokens,
    }


def chat_completion(reply: Reply) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": None, "refusal": None, "annotations": []}
    if reply.tool_name and reply.request.get("functions"):  # the older `functions` API answers so
        message["function_call"] = {"name": reply.tool_name, "arguments": reply.tool_args}
        finish_reason = "function_call"
    elif reply.tool_name:
        message["tool_calls"] = [
            {
                "id": _new_id("call_"),
                "type": "function",
                "function": {"name": reply.tool_name, "arguments": reply.tool_args},
            }
        ]
        finish_reason = "tool_calls"
    else:
        message["content"] = reply.text
        finish_reason = "stop"
    return {
        "id": _new_id("chatcmpl-"),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": reply.model,
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish_reason}],
        "usage": _chat_usage(reply),
        "service_tier": "default",
        "system_fingerprint": "fp_mock",
    }


def chat_stream_events(reply: Reply) -> list[SseEvent]:
    include_usage = bool((reply.request.get("stream_options") or {}).get("include_usage"))
    base = {
        "id": _new_id("chatcmpl-"),
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": reply.model,
        "service_tier": "default",
        "system_fingerprint": "fp_mock",
    }

    def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> SseEvent:
        payload = {
            **base,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}],
        }
        if include_usage:  # with include_usage, every chunk carries "usage": null until the last
            payload["usage"] = None
        return _json_event(payload)

    if reply.tool_name and reply.request.get("functions"):
        events = [chunk({"role": "assistant", "content": None,
                         "function_call": {"name": reply.tool_name, "arguments": ""}, "refusal": None})]
        events += [chunk({"function_call": {"arguments": piece}}) for piece in reply.pieces]
        events.append(chunk({}, "function_call"))
    elif reply.tool_name:
        first_call = {
            "index": 0,
            "id": _new_id("call_"),
            "type": "function",
            "function": {"name": reply.tool_name, "arguments": ""},
        }
        events = [chunk({"role": "assistant", "content": None, "tool_calls": [first_call], "refusal": None})]
        events += [
            chunk({"tool_calls": [{"index": 0, "function": {"arguments": piece}}]}) for piece in reply.pieces
        ]
        events.append(chunk({}, "tool_calls"))
    else:
        events = [chunk({"role": "assistant", "content": "", "refusal": None})]
        events += [chunk({"content": piece}) for piece in reply.pieces]
        events.append(chunk({}, "stop"))
    if include_usage:
        events.append(_json_event({**base, "choices": [], "usage": _chat_usage(reply)}))
    events.append(SseEvent("[DONE]"))
    return events


def openai_error(status: int, message: str, request_id: str) -> dict[str, Any]:
    """OpenAI's error body; OpenAI reports the request id only in the x-request-id header."""
    kinds = {401: ("invalid_request_error", "invalid_api_key"), 429: ("requests", "rate_limit_exceeded")}
    default = ("server_error", None) if status >= 500 else ("invalid_request_error", None)
    error_type, code = kinds.get(status, default)
    return {"error": {"message": message, "type": error_type, "param": None, "code": code}}


# --------------------------------------------------------------------------- OpenAI Responses


def _responses_usage(reply: Reply) -> dict[str, Any]:
    return {
        "input_tokens": reply.input_tokens,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": reply.output_tokens,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": reply.input_tokens + reply.output_tokens,
    }


def _response_object(
    reply: Reply, response_id: str, created_at: int, status: str, output: list[Any]
) -> dict[str, Any]:
    done = status == "completed"
    request = reply.request
    return {
        "id": response_id,
        "object": "response",
        "created_at": created_at,
        "status": status,
        "background": False,
        "error": None,
        "incomplete_details": None,
        "instructions": request.get("instructions"),
        "max_output_tokens": request.get("max_output_tokens"),
        "model": reply.model,
        "output": output,
        "parallel_tool_calls": request.get("parallel_tool_calls", True),
        "previous_response_id": request.get("previous_response_id"),
        "reasoning": {"effort": None, "summary": None},
        "store": request.get("store", True),
        "temperature": request.get("temperature", 1.0),
        "text": {"format": {"type": "text"}},
        "tool_choice": request.get("tool_choice", "auto"),
        "tools": request.get("tools", []),
        "top_p": request.get("top_p", 1.0),
        "truncation": "disabled",
        "usage": _responses_usage(reply) if done else None,
        "user": None,
        "metadata": request.get("metadata") or {},
    }


def _output_text_part(text: str) -> dict[str, Any]:
    return {"type": "output_text", "annotations": [], "logprobs": [], "text": text}


def _custom_tool(reply: Reply) -> bool:
    """Is the called tool declared as a free-form (`custom`) tool, like Codex's apply_patch? Its call
    carries `input` text instead of JSON `arguments`."""
    return bool(reply.tool_name) and any(
        isinstance(tool, dict) and tool.get("type") == "custom" and tool.get("name") == reply.tool_name
        for tool in reply.request.get("tools") or [])


def _output_item(reply: Reply, item_id: str, call_id: str, status: str, *, finished: bool) -> dict[str, Any]:
    """The Responses output item, as announced (``finished=False``) or complete."""
    if _custom_tool(reply):
        return {"id": item_id, "type": "custom_tool_call", "status": status, "call_id": call_id,
                "input": reply.tool_args if finished else "", "name": reply.tool_name}
    if reply.tool_name:
        return {
            "id": item_id,
            "type": "function_call",
            "status": status,
            "arguments": reply.tool_args if finished else "",
            "call_id": call_id,
            "name": reply.tool_name,
        }
    content = [_output_text_part(reply.text)] if finished else []
    return {"id": item_id, "type": "message", "status": status, "content": content, "role": "assistant"}


def _responses_ids(reply: Reply) -> tuple[str, str, str]:
    item_id = _new_id("fc_" if reply.tool_name else "msg_")
    return _new_id("resp_"), item_id, _new_id("call_")


def responses_object(reply: Reply) -> dict[str, Any]:
    response_id, item_id, call_id = _responses_ids(reply)
    item = _output_item(reply, item_id, call_id, "completed", finished=True)
    return _response_object(reply, response_id, int(time.time()), "completed", [item])


def responses_stream_events(reply: Reply) -> list[SseEvent]:
    response_id, item_id, call_id = _responses_ids(reply)
    created_at = int(time.time())
    events: list[SseEvent] = []

    def emit(event_type: str, **fields: Any) -> None:
        payload = {"type": event_type, "sequence_number": len(events), **fields}
        events.append(_json_event(payload, event_type))

    where = {"item_id": item_id, "output_index": 0}
    announced = _output_item(reply, item_id, call_id, "in_progress", finished=False)
    finished = _output_item(reply, item_id, call_id, "completed", finished=True)

    emit("response.created", response=_response_object(reply, response_id, created_at, "in_progress", []))
    emit("response.in_progress", response=_response_object(reply, response_id, created_at, "in_progress", []))
    emit("response.output_item.added", output_index=0, item=announced)
    if _custom_tool(reply):
        for piece in reply.pieces:
            emit("response.custom_tool_call_input.delta", **where, delta=piece)
        emit("response.custom_tool_call_input.done", **where, input=reply.tool_args)
    elif reply.tool_name:
        for piece in reply.pieces:
            emit("response.function_call_arguments.delta", **where, delta=piece)
        emit("response.function_call_arguments.done", **where, arguments=reply.tool_args)
    else:
        emit("response.content_part.added", **where, content_index=0, part=_output_text_part(""))
        for piece in reply.pieces:
            emit("response.output_text.delta", **where, content_index=0, delta=piece, logprobs=[])
        emit("response.output_text.done", **where, content_index=0, text=reply.text, logprobs=[])
        emit("response.content_part.done", **where, content_index=0, part=_output_text_part(reply.text))
    emit("response.output_item.done", output_index=0, item=finished)
    completed = _response_object(reply, response_id, created_at, "completed", [finished])
    emit("response.completed", response=completed)
    return events


# --------------------------------------------------------------------------- Anthropic Messages


def _anthropic_usage(input_tokens: int, output_tokens: int) -> dict[str, Any]:
    return {
        "input_tokens": input_tokens,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "output_tokens": output_tokens,
    }


def _anthropic_message(
    reply: Reply, content: list[Any], stop_reason: str | None, output_tokens: int
) -> dict[str, Any]:
    return {
        "id": _new_id("msg_"),
        "type": "message",
        "role": "assistant",
        "model": reply.model,
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": _anthropic_usage(reply.input_tokens, output_tokens),
    }


def anthropic_message(reply: Reply) -> dict[str, Any]:
    if reply.tool_name:
        # A non-streamed tool_use block carries the arguments as an object, so they must parse.
        try:
            tool_input = json.loads(reply.tool_args)
        except ValueError:
            raise ValueError("x-mock-tool-args must be a JSON object for a Messages tool_use block") from None
        if not isinstance(tool_input, dict):
            raise ValueError("x-mock-tool-args must be a JSON object for a Messages tool_use block")
        block = {"type": "tool_use", "id": _new_id("toolu_"), "name": reply.tool_name, "input": tool_input}
        return _anthropic_message(reply, [block], "tool_use", reply.output_tokens)
    block = {"type": "text", "text": reply.text}
    return _anthropic_message(reply, [block], "end_turn", reply.output_tokens)


def anthropic_stream_events(reply: Reply) -> list[SseEvent]:
    def emit(event_type: str, **fields: Any) -> SseEvent:
        return _json_event({"type": event_type, **fields}, event_type)

    if reply.tool_name:
        block = {"type": "tool_use", "id": _new_id("toolu_"), "name": reply.tool_name, "input": {}}
        deltas = [{"type": "input_json_delta", "partial_json": piece} for piece in reply.pieces]
        stop_reason = "tool_use"
    else:
        block = {"type": "text", "text": ""}
        deltas = [{"type": "text_delta", "text": piece} for piece in reply.pieces]
        stop_reason = "end_turn"
    return [
        emit("message_start", message=_anthropic_message(reply, [], None, 1)),
        emit("content_block_start", index=0, content_block=block),
        emit("ping"),
        *(emit("content_block_delta", index=0, delta=delta) for delta in deltas),
        emit("content_block_stop", index=0),
        emit(
            "message_delta",
            delta={"stop_reason": stop_reason, "stop_sequence": None},
            usage={"output_tokens": reply.output_tokens},
        ),
        emit("message_stop"),
    ]


def anthropic_error(status: int, message: str, request_id: str) -> dict[str, Any]:
    kinds = {
        400: "invalid_request_error",
        401: "authentication_error",
        403: "permission_error",
        404: "not_found_error",
        413: "request_too_large",
        429: "rate_limit_error",
        529: "overloaded_error",
    }
    error_type = kinds.get(status, "api_error" if status >= 500 else "invalid_request_error")
    return {"type": "error", "error": {"type": error_type, "message": message}, "request_id": request_id}


# --------------------------------------------------------------------------- HTTP handlers


@dataclass(frozen=True)
class _Api:
    """One provider's wire format: how it answers, streams and fails."""

    complete: Callable[[Reply], dict[str, Any]]
    stream_events: Callable[[Reply], list[SseEvent]]
    error: Callable[[int, str, str], dict[str, Any]]  # (status, message, request id) -> body
    request_id_header: str


CHAT = _Api(chat_completion, chat_stream_events, openai_error, "x-request-id")
RESPONSES = _Api(responses_object, responses_stream_events, openai_error, "x-request-id")
MESSAGES = _Api(anthropic_message, anthropic_stream_events, anthropic_error, "request-id")


def _json_response(
    payload: Any, config: MockConfig, api: _Api, status: int = 200, request_id: str | None = None
) -> web.Response:
    headers = {api.request_id_header: request_id or _new_id("req_")}
    body = json.dumps(payload, ensure_ascii=False).encode()
    if config.gzip:
        body = gzip.compress(body)
        headers["content-encoding"] = "gzip"
    headers["content-type"] = config.content_type
    return web.Response(body=body, status=status, headers=headers)


def _error_response(api: _Api, status: int, message: str, config: MockConfig) -> web.Response:
    request_id = _new_id("req_")
    return _json_response(api.error(status, message, request_id), config, api, status, request_id)


def _pieces(data: bytes, size: int | None) -> list[bytes]:
    if not size:
        return [data]
    return [data[i : i + size] for i in range(0, len(data), size)]


async def _stream(
    request: web.Request, events: Sequence[SseEvent], config: MockConfig, api: _Api
) -> web.StreamResponse:
    response = web.StreamResponse(
        headers={
            "content-type": "text/event-stream; charset=utf-8",
            "cache-control": "no-cache",
            api.request_id_header: _new_id("req_"),
        }
    )
    await response.prepare(request)
    newline = "\r\n" if config.crlf else "\n"
    # Dropping always withholds at least the terminal event, whatever N is.
    cut = None if config.drop_after is None else min(config.drop_after, len(events) - 1)
    for index, event in enumerate(events):
        if index == cut:
            # Close the socket without the final empty chunk: the client sees a cut connection.
            # aiohttp's own write_eof afterwards meets a closed transport and gives up quietly.
            assert request.transport is not None
            request.transport.close()
            return response
        if index and config.delay_ms:
            await asyncio.sleep(config.delay_ms / 1000)
        for piece in _pieces(event.encode(newline), config.split_bytes):
            await response.write(piece)  # one chunk and one socket send per piece
    await response.write_eof()
    return response


async def _apply_controls(request: web.Request, api: _Api) -> MockConfig | web.Response:
    """The request's effective config, or the early answer it asks for (bad header, error status)."""
    try:
        config = apply_header_controls(request.app[CONFIG_KEY], request.headers)
    except ValueError as exc:
        return _error_response(api, 400, str(exc), request.app[CONFIG_KEY])
    if config.ttfb_ms:
        await asyncio.sleep(config.ttfb_ms / 1000)
    if config.status != 200:
        return _error_response(api, config.status, f"Simulated upstream error {config.status}.", config)
    return config


def _generation_handler(api: _Api) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handle(request: web.Request) -> web.StreamResponse:
        config = await _apply_controls(request, api)
        if isinstance(config, web.Response):
            return config
        raw = await request.text()
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return _error_response(api, 400, "The request body must be a JSON object.", config)
        reply = make_reply(body, raw, config)
        try:
            if body.get("stream"):
                return await _stream(request, api.stream_events(reply), config, api)
            return _json_response(api.complete(reply), config, api)
        except ValueError as exc:
            return _error_response(api, 400, str(exc), config)

    return handle


async def _models(request: web.Request) -> web.StreamResponse:
    # Both SDKs list models at GET /v1/models; only Anthropic's sends anthropic-version.
    anthropic = "anthropic-version" in request.headers
    api = MESSAGES if anthropic else CHAT
    config = await _apply_controls(request, api)
    if isinstance(config, web.Response):
        return config
    if anthropic:
        data = [
            {"type": "model", "id": name, "display_name": name, "created_at": "2025-01-01T00:00:00Z"}
            for name in config.models
        ]
        first, last = (data[0]["id"], data[-1]["id"]) if data else (None, None)
        payload: dict[str, Any] = {"data": data, "has_more": False, "first_id": first, "last_id": last}
    else:
        data = [
            {"id": name, "object": "model", "created": 1735689600, "owned_by": "mock"}
            for name in config.models
        ]
        payload = {"object": "list", "data": data}
    return _json_response(payload, config, api)


async def _list_requests(request: web.Request) -> web.Response:
    return web.json_response([recorded.to_dict() for recorded in request.app[REQUESTS_KEY]])


async def _clear_requests(request: web.Request) -> web.Response:
    request.app[REQUESTS_KEY].clear()
    return web.Response(status=204)


def make_app(config: MockConfig | None = None) -> web.Application:
    """The mock as an aiohttp application; ``app[REQUESTS_KEY]`` is the list of recorded requests."""
    app = web.Application(middlewares=[_recording_middleware])
    app[CONFIG_KEY] = config or MockConfig()
    app[REQUESTS_KEY] = []
    for prefix in ("/v1", ""):
        app.router.add_post(f"{prefix}/chat/completions", _generation_handler(CHAT))
        app.router.add_post(f"{prefix}/responses", _generation_handler(RESPONSES))
        app.router.add_post(f"{prefix}/messages", _generation_handler(MESSAGES))
        app.router.add_get(f"{prefix}/models", _models)
    app.router.add_get(f"{CONTROL_PREFIX}requests", _list_requests)
    app.router.add_delete(f"{CONTROL_PREFIX}requests", _clear_requests)
    return app


# --------------------------------------------------------------------------- running it


@dataclass
class MockUpstream:
    """A running mock server (see :func:`start_mock_upstream`)."""

    app: web.Application
    runner: web.AppRunner
    host: str
    port: int
    url: str = field(init=False)

    def __post_init__(self) -> None:
        host = f"[{self.host}]" if ":" in self.host else self.host  # IPv6 literals need brackets
        self.url = f"http://{host}:{self.port}"

    @property
    def requests(self) -> list[RecordedRequest]:
        return self.app[REQUESTS_KEY]

    def clear(self) -> None:
        self.requests.clear()

    async def close(self) -> None:
        await self.runner.cleanup()


async def start_mock_upstream(
    host: str = "127.0.0.1", port: int = 0, config: MockConfig | None = None
) -> MockUpstream:
    """Start the mock on the running event loop; ``port=0`` picks a free port."""
    app = make_app(config)
    # Bind the socket ourselves so the chosen port is known without reaching into aiohttp.
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    return MockUpstream(app, runner, host, sock.getsockname()[1])


class MockUpstreamThread:
    """The mock on its own event loop in a daemon thread, for synchronous tests and benchmarks.

    ``with MockUpstreamThread(config) as mock: ... mock.url, mock.requests, mock.clear()``
    """

    def __init__(self, config: MockConfig | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self._config = config
        self._host = host
        self._port = port
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="mock-upstream", daemon=True)
        self._server: MockUpstream | None = None

    def start(self) -> MockUpstreamThread:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(
            start_mock_upstream(self._host, self._port, self._config), self._loop
        )
        self._server = future.result(timeout=10)
        return self

    def stop(self) -> None:
        if self._loop.is_closed():
            return
        if self._server is not None:
            asyncio.run_coroutine_threadsafe(self._server.close(), self._loop).result(timeout=10)
            self._server = None
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def __enter__(self) -> MockUpstreamThread:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def _running(self) -> MockUpstream:
        if self._server is None:
            raise RuntimeError("the mock upstream is not running; call start() or use it with `with`")
        return self._server

    @property
    def url(self) -> str:
        return self._running.url

    @property
    def port(self) -> int:
        return self._running.port

    @property
    def requests(self) -> list[RecordedRequest]:
        return self._running.requests

    def clear(self) -> None:
        self._running.clear()


# --------------------------------------------------------------------------- command line


def parse_cli(argv: Sequence[str] | None = None) -> tuple[str, int, MockConfig]:
    """The host, port and config a command line asks for."""
    parser = argparse.ArgumentParser(
        prog="mock_llm",
        description="Mock OpenAI / Anthropic upstream for demos, tests and benchmarks. "
        "Per-request x-mock-* headers override these defaults.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9000, help="0 picks a free port")
    parser.add_argument("--reply", default=DEFAULT_REPLY, help="the answer text")
    parser.add_argument("--echo", action="store_true", help="answer with the last user message")
    parser.add_argument("--delta-chars", type=int, help="characters per streamed delta (default: word-ish)")
    parser.add_argument("--delay-ms", type=float, default=0.0, help="pause between SSE events")
    parser.add_argument("--ttfb-ms", type=float, default=0.0, help="pause before the response headers")
    parser.add_argument("--split-bytes", type=int, help="write each SSE event in pieces of N bytes")
    parser.add_argument("--tool-name", help="answer with a call of this tool")
    parser.add_argument("--tool-args", default="{}", help="the tool call's arguments (JSON)")
    parser.add_argument("--status", type=int, default=200, help="answer every request with this error status")
    parser.add_argument("--drop-after", type=int, help="cut streams after N events")
    parser.add_argument("--crlf", action="store_true", help="end SSE lines with CRLF")
    parser.add_argument("--gzip", action="store_true", help="gzip non-streamed JSON bodies")
    args = parser.parse_args(argv)
    try:
        config = MockConfig(
            reply=args.reply,
            echo=args.echo,
            delta_chars=args.delta_chars,
            delay_ms=args.delay_ms,
            ttfb_ms=args.ttfb_ms,
            split_bytes=args.split_bytes,
            tool_name=args.tool_name,
            tool_args=args.tool_args,
            status=args.status,
            drop_after=args.drop_after,
            crlf=args.crlf,
            gzip=args.gzip,
        )
    except ValueError as exc:
        parser.error(str(exc))
    return args.host, args.port, config


async def _serve(host: str, port: int, config: MockConfig) -> None:
    server = await start_mock_upstream(host, port, config)
    print(
        f"mock LLM upstream listening on {server.url}"
        f" (OpenAI base URL: {server.url}/v1, Anthropic base URL: {server.url})",
        flush=True,
    )
    try:
        await asyncio.Event().wait()  # serve until interrupted
    finally:
        await server.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point: serve the mock until Ctrl-C."""
    host, port, config = parse_cli(argv)
    try:
        asyncio.run(_serve(host, port, config))
    except KeyboardInterrupt:
        pass
    return 0
