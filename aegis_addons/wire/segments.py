"""Text segments of LLM API bodies: parse once, let every stage read and rewrite text, serialize once.

A wire format knows where the text is in a JSON body. `extract(body)` returns `Segment`s, each with
its role and a path into the body; stages change `segment.text`; `apply(body, segments)` writes the
changed texts back. Tool-call arguments are JSON inside a JSON string: their string leaves become
segments of their own (so a detector sees `a@b.com`, not `\"a@b.com\"`), and the arguments string is
re-encoded once after the leaves changed.

Formats: OpenAI Chat Completions, OpenAI Responses, Anthropic Messages, and a generic walk of every
string for other JSON bodies (the `/v2` proxy and unknown `/v1/...` paths).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from aegis_addons.wire.json_text import loads_strict

# Roles a segment can have. "system" is written by the operator/app; "tool_result" and "document" are
# untrusted content (written by strangers); "tool_args" are arguments the model chose.
SYSTEM, USER, ASSISTANT, TOOL_RESULT, TOOL_ARGS, DOCUMENT, OTHER = (
    "system", "user", "assistant", "tool_result", "tool_args", "document", "other")

OPENAI_CHAT, OPENAI_RESPONSES, ANTHROPIC_MESSAGES, GENERIC = (
    "openai_chat", "openai_responses", "anthropic_messages", "generic")

Path = tuple[Any, ...]
_EMBEDDED = "__json__"    # path marker: the rest of the path is inside a JSON-encoded string
_SERIALIZED = "__as_json__"  # path marker: the segment is the JSON text of the object at this path


@dataclass(eq=False)
class Segment:
    role: str
    path: Path
    text: str
    original: str = field(init=False)
    turn: int = -1  # index of the message / input item it belongs to (-1: not in a turn)
    tool_name: str = ""  # for tool-call arguments: the tool's name, when the wire gives it

    def __post_init__(self) -> None:
        self.original = self.text

    @property
    def changed(self) -> bool:
        return self.text != self.original


def detect_format(path: str) -> str:
    """The wire format of a request, from the upstream path."""
    bare = path.split("?", 1)[0].rstrip("/")
    if bare.endswith("/chat/completions"):
        return OPENAI_CHAT
    if bare.endswith("/responses"):
        return OPENAI_RESPONSES
    if bare.endswith("/messages"):
        return ANTHROPIC_MESSAGES
    return GENERIC


# --- walking -------------------------------------------------------------------------------------

# Fields whose keys a client chooses (metadata, template variables, JSON schemas): below them a key named
# like a wire field (`data`, `type`, `name`) is the client's own and its value is text like any other.
_FREE_FORM_KEYS = frozenset({"metadata", "variables", "properties", "parameters", "input_schema", "schema",
                             "json_schema", "definitions", "$defs", "extra_body"})


def _strings(value: Any, path: Path, skip: frozenset[str] = frozenset(),
             numbers: bool = False, free_form: bool = False) -> Iterator[tuple[Path, str]]:
    """Every string leaf under `value` (dict values and list items; keys are not text), in order.
    `skip`: keys of the wire's own objects whose values are left out, except below a field whose keys a
    client chooses (`_FREE_FORM_KEYS`). `numbers`: numbers are leaves too, as text (a card number in
    tool arguments is a JSON number).

    Iterative, because a hostile body may nest thousands of levels deep."""
    stack: list[tuple[Path, Any, bool]] = [(path, value, free_form or not skip)]
    while stack:
        where, item, free = stack.pop()
        if isinstance(item, str):
            yield where, item
        elif numbers and isinstance(item, int | float) and not isinstance(item, bool):
            yield where, json.dumps(item)
        elif isinstance(item, dict):
            # an opaque key hides a value, not an object under it (`text.format` holds a JSON schema);
            # the model's own reasoning is skipped whole
            stack.extend((where + (k,), v, free or k in _FREE_FORM_KEYS)
                         for k, v in reversed(list(item.items()))
                         if free or k not in skip or (isinstance(v, dict | list) and k not in _OPAQUE_TREES))
        elif isinstance(item, list):
            stack.extend((where + (i,), v, free) for i, v in reversed(list(enumerate(item))))


def _json_string_leaves(text: str, path: Path, role: str, turn: int) -> list[Segment]:
    """Segments for a JSON-encoded string (tool arguments); the raw string when it is not JSON."""
    try:  # strictly: with a key twice, the tool would read one value and a detector the other
        parsed = loads_strict(text)
    except (ValueError, RecursionError):
        return [Segment(role, path, text, turn=turn)]
    if isinstance(parsed, str):  # a bare JSON string: the text itself
        return [Segment(role, path, text, turn=turn)]
    # numbers too: a card number given as a JSON number becomes a placeholder string, still valid JSON
    return [Segment(role, path + (_EMBEDDED,) + sub, leaf, turn=turn)
            for sub, leaf in _strings(parsed, (), numbers=True)]


def _tool_args(args: str, path: Path, turn: int, raw: bool, name: Any = "") -> list[Segment]:
    if raw:
        return [Segment(TOOL_ARGS, path, args, turn=turn, tool_name=name if isinstance(name, str) else "")]
    return _json_string_leaves(args, path, TOOL_ARGS, turn)


def _content(content: Any, path: Path, role: str, turn: int, raw: bool = False) -> list[Segment]:
    """A `content` field: a string, or a list of parts whose text fields are text."""
    if isinstance(content, str):
        return [Segment(role, path, content, turn=turn)]
    out: list[Segment] = []
    if isinstance(content, list):
        for i, part in enumerate(content):
            if isinstance(part, str):
                out.append(Segment(role, path + (i,), part, turn=turn))
            elif isinstance(part, dict):
                out.extend(_part(part, path + (i,), role, turn, raw))
    return out


def _part(part: dict, path: Path, role: str, turn: int, raw: bool = False) -> list[Segment]:
    """One content part or input/output item. `raw`: tool arguments as one JSON text (answers)."""
    kind = part.get("type")
    out: list[Segment] = []
    if isinstance(part.get("text"), str):                      # text, input_text, output_text
        out.append(Segment(role, path + ("text",), part["text"], turn=turn))
    if kind in ("document", "search_result"):                  # their titles and context are the document's
        for key in ("title", "context"):
            if isinstance(part.get(key), str):
                out.append(Segment(DOCUMENT, path + (key,), part[key], turn=turn))
    if kind == "search_result":                                 # Anthropic search results (RAG)
        out.extend(_content(part.get("content"), path + ("content",), DOCUMENT, turn))
    if kind in ("tool_use", "server_tool_use") and "input" in part:   # Anthropic tool call
        if raw:
            out.append(Segment(TOOL_ARGS, path + ("input", _SERIALIZED),
                               json.dumps(part["input"], ensure_ascii=False), turn=turn,
                               tool_name=part["name"] if isinstance(part.get("name"), str) else ""))
        else:
            out.extend(Segment(TOOL_ARGS, path + ("input",) + sub, s, turn=turn)
                       for sub, s in _strings(part["input"], (), numbers=True))
    if kind == "tool_result":                                   # Anthropic tool result
        out.extend(_content(part.get("content"), path + ("content",), TOOL_RESULT, turn))
    if kind == "web_fetch_tool_result" and not raw:             # a page Anthropic's web fetch tool read
        fetched = part.get("content")
        if isinstance(fetched, dict) and isinstance(fetched.get("content"), dict):
            out.extend(_part(fetched["content"], path + ("content", "content"), DOCUMENT, turn))
    elif (isinstance(kind, str) and kind.endswith("_tool_result") and kind != "tool_result" and not raw):
        # the output of Anthropic's server tools (code execution stdout, search result titles, MCP
        # results): written by a program or a stranger, so untrusted like any tool result
        out.extend(Segment(TOOL_RESULT, path + ("content",) + sub, text, turn=turn)
                   for sub, text in _strings(part.get("content"), (), skip=_OPAQUE_KEYS) if not _binary(text))
    if isinstance(part.get("citations"), list) and not raw:     # the cited text of a source document
        for i, citation in enumerate(part["citations"]):
            if isinstance(citation, dict) and isinstance(citation.get("cited_text"), str):
                out.append(Segment(DOCUMENT, path + ("citations", i, "cited_text"), citation["cited_text"], turn=turn))
    if kind == "document":
        source = part.get("source") or {}
        if source.get("type") == "text" and isinstance(source.get("data"), str):
            out.append(Segment(DOCUMENT, path + ("source", "data"), source["data"], turn=turn))
        elif source.get("type") == "content":
            out.extend(_content(source.get("content"), path + ("source", "content"), DOCUMENT, turn))
    if kind in ("function_call", "custom_tool_call", "mcp_call") and isinstance(part.get("arguments"), str):
        out.extend(_tool_args(part["arguments"], path + ("arguments",), turn, raw, part.get("name", "")))
    if kind == "custom_tool_call" and isinstance(part.get("input"), str):
        # free-form input (Codex's apply_patch), not JSON: model-written text like an answer's
        out.append(Segment(ASSISTANT, path + ("input",), part["input"], turn=turn,
                           tool_name=part["name"] if isinstance(part.get("name"), str) else ""))
    if kind in ("function_call_output", "custom_tool_call_output", "local_shell_call_output", "mcp_call"):
        output = part.get("output")
        out.extend(_content(output, path + ("output",), TOOL_RESULT, turn))
    return out


_CHAT_ROLES = {"system": SYSTEM, "developer": SYSTEM, "user": USER, "assistant": ASSISTANT,
               "tool": TOOL_RESULT, "function": TOOL_RESULT}


def _openai_chat_request(body: dict) -> list[Segment]:
    out: list[Segment] = []
    for i, message in enumerate(body.get("messages") or []):
        if not isinstance(message, dict):
            continue
        role = _CHAT_ROLES.get(message.get("role"), OTHER)
        out.extend(_content(message.get("content"), ("messages", i, "content"), role, i))
        if isinstance(message.get("refusal"), str):
            out.append(Segment(role, ("messages", i, "refusal"), message["refusal"], turn=i))
        for j, call in enumerate(message.get("tool_calls") or []):
            args = (call.get("function") or {}).get("arguments") if isinstance(call, dict) else None
            if isinstance(args, str):
                out.extend(_tool_args(args, ("messages", i, "tool_calls", j, "function", "arguments"), i, False))
        legacy = message.get("function_call")  # the `functions` API's single call
        if isinstance(legacy, dict) and isinstance(legacy.get("arguments"), str):
            out.extend(_tool_args(legacy["arguments"], ("messages", i, "function_call", "arguments"), i, False))
    return out


def _openai_responses_request(body: dict) -> list[Segment]:
    out: list[Segment] = []
    if isinstance(body.get("instructions"), str):
        out.append(Segment(SYSTEM, ("instructions",), body["instructions"]))
    items = body.get("input")
    if isinstance(items, str):
        out.append(Segment(USER, ("input",), items, turn=0))
    elif isinstance(items, list):
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            if "role" in item:
                role = _CHAT_ROLES.get(item.get("role"), OTHER)
                out.extend(_content(item.get("content"), ("input", i, "content"), role, i))
            else:
                out.extend(_part(item, ("input", i), OTHER, i))
    return out


def _anthropic_request(body: dict) -> list[Segment]:
    out = _content(body.get("system"), ("system",), SYSTEM, -1)
    for i, message in enumerate(body.get("messages") or []):
        if isinstance(message, dict):
            role = _CHAT_ROLES.get(message.get("role"), OTHER)
            out.extend(_content(message.get("content"), ("messages", i, "content"), role, i))
    return out


# Answers keep tool arguments as one raw JSON text: a streamed answer delivers them that way, and the
# buffered path must filter exactly the text the streamed path filters.

def _openai_chat_response(body: dict) -> list[Segment]:
    out: list[Segment] = []
    for i, choice in enumerate(body.get("choices") or []):
        message = (choice.get("message") or {}) if isinstance(choice, dict) else {}
        out.extend(_content(message.get("content"), ("choices", i, "message", "content"), ASSISTANT, -1))
        for j, call in enumerate(message.get("tool_calls") or []):
            args = (call.get("function") or {}).get("arguments") if isinstance(call, dict) else None
            if isinstance(args, str):
                out.extend(_tool_args(args, ("choices", i, "message", "tool_calls", j, "function", "arguments"),
                                      -1, True, (call.get("function") or {}).get("name", "")))
        legacy = message.get("function_call")  # the older `functions` API
        if isinstance(legacy, dict) and isinstance(legacy.get("arguments"), str):
            out.extend(_tool_args(legacy["arguments"], ("choices", i, "message", "function_call", "arguments"),
                                  -1, True, legacy.get("name", "")))
    return out


def _openai_responses_response(body: dict) -> list[Segment]:
    out: list[Segment] = []
    for i, item in enumerate(body.get("output") or []):
        if not isinstance(item, dict):
            continue
        if item.get("type") == "message":
            out.extend(_content(item.get("content"), ("output", i, "content"), ASSISTANT, -1, True))
        else:
            out.extend(_part(item, ("output", i), ASSISTANT, -1, True))
    return out


def _anthropic_response(body: dict) -> list[Segment]:
    return _content(body.get("content"), ("content",), ASSISTANT, -1, True)


def _generic(body: Any, role: str) -> list[Segment]:
    return [Segment(role, path, text) for path, text in _strings(body, ())]


_REQUEST = {OPENAI_CHAT: _openai_chat_request, OPENAI_RESPONSES: _openai_responses_request,
            ANTHROPIC_MESSAGES: _anthropic_request}
_RESPONSE = {OPENAI_CHAT: _openai_chat_response, OPENAI_RESPONSES: _openai_responses_response,
             ANTHROPIC_MESSAGES: _anthropic_response}


def request_segments(fmt: str, body: Any) -> list[Segment]:
    """Segments of a request body. Unknown shapes fall back to every string (nothing is skipped)."""
    if isinstance(body, dict) and fmt in _REQUEST:
        modelled = _REQUEST[fmt](body)
        return modelled + _unclaimed_strings(body, fmt, modelled)
    return _generic(body, USER)


def response_segments(fmt: str, body: Any) -> list[Segment]:
    if isinstance(body, dict) and fmt in _RESPONSE:
        return _RESPONSE[fmt](body)
    return _generic(body, ASSISTANT)


# Values that are identifiers, enumerations or opaque data: never text, never rewritten (a changed
# signature or encrypted reasoning item would be refused by the provider, a tool name must match its
# definition, base64 data is not text).
_OPAQUE_KEYS = frozenset({"model", "role", "type", "id", "name", "call_id", "tool_call_id", "tool_use_id",
                          "previous_response_id", "file_id", "signature", "encrypted_content", "encrypted_index",
                          "encrypted_stdout",
                          "data", "file_data", "media_type", "detail", "format", "status", "cache_control", "store",
                          "include", "truncation", "service_tier", "reasoning_effort", "result",
                          "definition",  # a custom tool's grammar: a placeholder in a regex would break it
                          # the model's own reasoning, sent back as it came: a provider refuses a changed
                          # thinking block (its signature), and placeholders are never restored into it
                          "thinking", "summary"})
_OPAQUE_TREES = frozenset({"summary", "thinking", "cache_control"})  # skipped whole, objects and lists too
# A `data:` URL of an image or file is base64, not text; so is a long run of base64 characters
# (an image generation's `result`). Scanning megabytes of either costs seconds and finds nothing.
_DATA_URL = re.compile(r"data:[\w.+-]+/[\w.+-]+(?:;[\w.+-]+=[\w.+-]+)*;base64,")
_BASE64_TEXT = re.compile(r"[A-Za-z0-9+/=_-]*")
# Top-level fields that describe the request rather than carry a turn of the conversation: written by
# the application like a system prompt (tool descriptions, metadata, stop sequences, schemas).
_REQUEST_FIELDS = frozenset({"stop", "stop_sequences", "user", "metadata", "response_format", "text",
                             "tool_choice", "tools", "prompt_cache_key", "safety_identifier", "mcp_servers",
                             "container", "reasoning", "prediction", "functions", "function_call",
                             "output_config", "output_format"})


def _unclaimed_strings(body: dict, fmt: str, modelled: list[Segment]) -> list[Segment]:
    """Every string of the body the format adapter did not make a segment of, so none reaches the
    upstream unscanned: tool descriptions, metadata, message fields and part types the adapter does not
    model (a field a provider adds later). An unknown top-level field (`prompt`) is user text; the
    request's own fields and anything inside a turn are scanned like the system prompt (redacted; for
    injections, anomalies only: a tool description is the application's, not a stranger's)."""
    claimed = {seg.path[:seg.path.index(_EMBEDDED)] if _EMBEDDED in seg.path else seg.path for seg in modelled}
    turns = {OPENAI_CHAT: {"messages"}, OPENAI_RESPONSES: {"instructions", "input"},
             ANTHROPIC_MESSAGES: {"system", "messages"}}[fmt]
    out = []
    for key, value in body.items():
        if key in _OPAQUE_KEYS:
            continue
        role = SYSTEM if key in turns or key in _REQUEST_FIELDS else USER
        for sub, text in _strings(value, (key,), skip=_OPAQUE_KEYS, free_form=key in _FREE_FORM_KEYS):
            if sub not in claimed and not _binary(text):
                out.append(Segment(role, sub, text))
    return out


def _binary(text: str) -> bool:
    """A `data:…;base64,` URL, or 4 KB or more of base64 without a space: no text to scan."""
    url = _DATA_URL.match(text)
    if url is not None:
        return _BASE64_TEXT.fullmatch(text, url.end()) is not None
    return len(text) >= 4096 and _BASE64_TEXT.fullmatch(text) is not None


# --- writing back --------------------------------------------------------------------------------

def apply(body: Any, segments: list[Segment]) -> Any:
    """Write changed segment texts into `body` (in place where possible); returns the new body.

    Raises ValueError when a changed serialized object (an Anthropic tool input) is no longer JSON.
    """
    embedded: dict[Path, list[tuple[Path, str]]] = {}
    for seg in segments:
        if not seg.changed:
            continue
        if seg.path and seg.path[-1] == _SERIALIZED:
            body = _set(body, seg.path[:-1], json.loads(seg.text))
        elif _EMBEDDED in seg.path:
            cut = seg.path.index(_EMBEDDED)
            embedded.setdefault(seg.path[:cut], []).append((seg.path[cut + 1:], seg.text))
        else:
            body = _set(body, seg.path, seg.text)
    for outer, changes in embedded.items():
        parsed = json.loads(_get(body, outer))
        for sub, text in changes:
            parsed = _set(parsed, sub, text)
        body = _set(body, outer, json.dumps(parsed, ensure_ascii=False))
    return body


def _get(value: Any, path: Path) -> Any:
    for key in path:
        value = value[key]
    return value


def _set(value: Any, path: Path, new: Any) -> Any:
    if not path:
        return new
    parent = _get(value, path[:-1])
    parent[path[-1]] = new
    return value


def cut_answer(fmt: str, body: Any, path: Path) -> None:
    """End an answer body at the segment at `path`, in place, as a stream withheld there ends.

    What follows that segment on the wire is dropped (later content blocks, output items, or the tool
    calls after a choice's text) and the stop reason says the answer was filtered.
    """
    if not isinstance(body, dict) or len(path) < 2:
        return
    if fmt == OPENAI_CHAT and path[0] == "choices" and len(path) >= 4:
        choice = body["choices"][path[1]]
        message = choice.get("message") or {}
        if path[3] == "content":            # a choice's text streams before its tool calls
            message.pop("tool_calls", None)
        elif path[3] == "tool_calls":
            message["tool_calls"] = message["tool_calls"][:path[4] + 1]
        choice["finish_reason"] = "content_filter"
    elif fmt == ANTHROPIC_MESSAGES and path[0] == "content":
        body["content"] = body["content"][:path[1] + 1]
        body["stop_reason"] = "refusal"
    elif fmt == OPENAI_RESPONSES and path[0] == "output":
        body["output"] = body["output"][:path[1] + 1]
        item = body["output"][path[1]]
        if len(path) >= 4 and path[2] == "content" and isinstance(item.get("content"), list):
            item["content"] = item["content"][:path[3] + 1]
