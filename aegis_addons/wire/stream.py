"""The stream editor: rewrites the text inside SSE answers of all three formats as they flow.

Every channel of an answer (each choice's text, each tool call's arguments, each Responses output
item, each Anthropic content block) gets its own chain of text filters. A filter is a chunk-invariant
transform: whatever way the text is split into `feed` calls, `feed(...) + ... + flush()` returns the
same text as one `feed(whole) + flush()`. That is what makes a streamed answer reach the client with
exactly the text a buffered answer gets: the buffered path runs the same chains over the whole text.

Each incoming delta event is re-emitted carrying what the chain releases for it (possibly nothing,
while a filter holds back text that a pattern could still span). When a channel ends (`finish_reason`,
`content_block_stop`, `response.output_text.done`, ...) its chain is flushed into a delta placed before
the ending event, and "done" events that repeat the full text get the filtered text, so SDKs that read
either see the same answer. If the upstream stops without its terminal event, the editor flushes
everything and adds the protocol's proper ending itself (noted as `upstream_eof_no_done`). If the
upstream connection breaks mid-stream (`cut_off`), the text held back so far is flushed, checked like
any other, and the stream ends with the protocol's error event (code `upstream_stream_cut`), never with
a normal ending, so the client knows its answer is incomplete; a half-received event is dropped.

When a filter withholds the rest of the answer (`should_stop()` turns true), the editor ends the
stream right after the event that carried the block marker: the protocol's proper end with a
content-filter reason (`finish_reason: content_filter` + `[DONE]`, `stop_reason: refusal` +
`message_stop`, `response.completed` with the output so far), then nothing more. Text other channels
still held back is dropped, never sent.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any, Protocol

from aegis_addons.wire.segments import ANTHROPIC_MESSAGES, OPENAI_CHAT, OPENAI_RESPONSES
from aegis_addons.wire.sse import SseEvent, SseParser

TEXT, TOOL_ARGS = "text", "tool_args"


class TextFilter(Protocol):
    def feed(self, text: str) -> str: ...

    def flush(self) -> str: ...


class FilterChain:
    """Filters applied in order; flushing one feeds its remainder through the ones after it."""

    def __init__(self, filters: list[TextFilter]):
        self.filters = filters

    def feed(self, text: str) -> str:
        for f in self.filters:
            text = f.feed(text)
        return text

    def flush(self) -> str:
        text = ""
        for f in self.filters:
            text = (f.feed(text) if text else "") + f.flush()
        return text


def run_chain(chain: FilterChain, text: str) -> str:
    """The buffered path: one feed of the whole text, then flush."""
    return chain.feed(text) + chain.flush()


# (channel kind: TEXT or TOOL_ARGS, tool name or "") -> a fresh chain
ChainFactory = Callable[[str, str], FilterChain]


class Channel:
    def __init__(self, chain: FilterChain):
        self.chain = chain
        self.emitted: list[str] = []
        self.closed = False

    def feed(self, text: str) -> str:
        out = self.chain.feed(text)
        self.emitted.append(out)
        return out

    def close(self) -> str:
        if self.closed:
            return ""
        self.closed = True
        out = self.chain.flush()
        self.emitted.append(out)
        return out

    @property
    def text(self) -> str:
        return "".join(self.emitted)


class _FormatEditor:
    def __init__(self, make_chain: ChainFactory):
        self.make_chain = make_chain
        self.channels: dict[Any, Channel] = {}
        self.finished = False  # the upstream's terminal event was seen

    def channel(self, key: Any, kind: str, tool_name: str = "") -> Channel:
        if key not in self.channels:
            self.channels[key] = Channel(self.make_chain(kind, tool_name))
        return self.channels[key]

    def handle(self, event: SseEvent) -> list[SseEvent]:
        raise NotImplementedError

    def end_of_stream(self) -> list[SseEvent]:
        """Events to add when the upstream closed the stream without its terminal event."""
        raise NotImplementedError

    def block_end(self, just_sent: list[SseEvent]) -> list[SseEvent]:
        """Events that end the stream after a block; `just_sent` (the events emitted for the event that
        carried the block) may be amended in place."""
        raise NotImplementedError

    def cut_off(self, message: str) -> list[SseEvent]:
        """Events to send when the upstream connection broke mid-stream: the held-back text of every
        open channel, then the protocol's error event."""
        raise NotImplementedError


STREAM_CUT_CODE = "upstream_stream_cut"


def _cut_error(message: str) -> dict:
    """The gateway's error object, in the shape OpenAI-style SDKs raise from (see errors.envelope)."""
    return {"message": f"the upstream connection broke mid-answer: {message}", "type": "aegisgate_error",
            "code": STREAM_CUT_CODE}


class OpenAIChatEditor(_FormatEditor):
    def __init__(self, make_chain: ChainFactory):
        super().__init__(make_chain)
        self.template: dict | None = None   # the last chunk, for synthesized chunks
        self.finished_choices: set[int] = set()
        self.tool_names: dict[tuple[int, int | str], str] = {}

    def handle(self, event: SseEvent) -> list[SseEvent]:
        if event.data is not None and event.data.strip() == "[DONE]":
            self.finished = True
            return self._close_open(finish_reason=None) + [event]
        chunk = event.json
        if not isinstance(chunk, dict) or not isinstance(chunk.get("choices"), list):
            return [event]
        self.template = chunk
        changed = False
        for choice in chunk["choices"]:
            if not isinstance(choice, dict):
                continue
            index = choice.get("index", 0)
            delta = choice.get("delta")
            if isinstance(delta, dict):
                changed |= self._feed_delta(index, delta)
            if choice.get("finish_reason"):
                self.finished_choices.add(index)
                delta = choice.setdefault("delta", {}) if not isinstance(delta, dict) else delta
                changed |= self._flush_into(index, delta)
        return [event.with_json(chunk)] if changed else [event]

    def _feed_delta(self, index: int, delta: dict) -> bool:
        changed = False
        if isinstance(delta.get("content"), str):
            out = self.channel((index, "content"), TEXT).feed(delta["content"])
            changed |= out != delta["content"]
            delta["content"] = out
        elif isinstance(delta.get("content"), list):
            # Content as a list of parts (`[{"type": "text", "text": "…"}]`), as some compatible
            # upstreams send it: the text parts go through the same channel, in order.
            for part in delta["content"]:
                if isinstance(part, dict) and isinstance(part.get("text"), str):
                    out = self.channel((index, "content"), TEXT).feed(part["text"])
                    changed |= out != part["text"]
                    part["text"] = out
        for call in delta.get("tool_calls") or []:
            function = call.get("function") if isinstance(call, dict) else None
            if isinstance(function, dict) and isinstance(function.get("name"), str):
                self.tool_names.setdefault((index, call.get("index", 0)), function["name"])
            if isinstance(function, dict) and isinstance(function.get("arguments"), str):
                name = self.tool_names.get((index, call.get("index", 0)), "")
                out = self.channel((index, "tool", call.get("index", 0)), TOOL_ARGS, name).feed(function["arguments"])
                changed |= out != function["arguments"]
                function["arguments"] = out
        legacy = delta.get("function_call")  # the older `functions` API: one call per choice
        if isinstance(legacy, dict):
            if isinstance(legacy.get("name"), str):
                self.tool_names.setdefault((index, "function_call"), legacy["name"])
            if isinstance(legacy.get("arguments"), str):
                name = self.tool_names.get((index, "function_call"), "")
                out = self.channel((index, "function_call"), TOOL_ARGS, name).feed(legacy["arguments"])
                changed |= out != legacy["arguments"]
                legacy["arguments"] = out
        return changed

    def _flush_into(self, index: int, delta: dict) -> bool:
        changed = False
        for key, channel in self.channels.items():
            if key[0] != index or channel.closed:
                continue
            rest = channel.close()
            if not rest:
                continue
            changed = True
            if key[1] == "content":
                delta["content"] = (delta.get("content") or "") + rest
            elif key[1] == "function_call":
                legacy = delta.setdefault("function_call", {})
                legacy["arguments"] = (legacy.get("arguments") or "") + rest
            else:
                calls = delta.setdefault("tool_calls", [])
                entry = next((c for c in calls if c.get("index", 0) == key[2]), None)
                if entry is None:
                    entry = {"index": key[2], "function": {"arguments": ""}}
                    calls.append(entry)
                function = entry.setdefault("function", {})
                function["arguments"] = (function.get("arguments") or "") + rest
        return changed

    def _close_open(self, finish_reason: str | None) -> list[SseEvent]:
        """Chunks that flush channels still open; with `finish_reason`, also end unfinished choices."""
        indexes = {key[0] for key, channel in self.channels.items() if not channel.closed}
        if finish_reason:
            indexes |= ({key[0] for key in self.channels} | {0}) - self.finished_choices
        out = []
        for index in sorted(indexes):
            delta: dict = {}
            self._flush_into(index, delta)
            finish = finish_reason if index not in self.finished_choices else None
            if not delta and not finish:
                continue
            base = {k: v for k, v in (self.template or {}).items() if k in ("id", "object", "created", "model")}
            base.setdefault("object", "chat.completion.chunk")
            base["choices"] = [{"index": index, "delta": delta, "finish_reason": finish}]
            out.append(SseEvent(b"").with_json(base))
        return out

    def end_of_stream(self) -> list[SseEvent]:
        return self._close_open(finish_reason="stop") + [SseEvent(b"", data="[DONE]")]

    def cut_off(self, message: str) -> list[SseEvent]:
        error = _cut_error(message)
        return self._close_open(finish_reason=None) + [SseEvent(b"").with_json({"error": error,
                                                                              "error_code": error["code"]})]

    def block_end(self, just_sent: list[SseEvent]) -> list[SseEvent]:
        for i, event in enumerate(just_sent):   # a finish_reason the upstream sent with the block
            chunk = event.json
            if isinstance(chunk, dict) and any(isinstance(c, dict) and c.get("finish_reason")
                                               for c in chunk.get("choices") or []):
                for c in chunk["choices"]:
                    if isinstance(c, dict) and c.get("finish_reason"):
                        c["finish_reason"] = "content_filter"
                just_sent[i] = event.with_json(chunk)
        out = []
        for index in sorted(({key[0] for key in self.channels} | {0}) - self.finished_choices):
            base = {k: v for k, v in (self.template or {}).items() if k in ("id", "object", "created", "model")}
            base.setdefault("object", "chat.completion.chunk")
            base["choices"] = [{"index": index, "delta": {}, "finish_reason": "content_filter"}]
            out.append(SseEvent(b"").with_json(base))
        return out + [SseEvent(b"", data="[DONE]")]


class AnthropicEditor(_FormatEditor):
    def __init__(self, make_chain: ChainFactory):
        super().__init__(make_chain)
        self.kinds: dict[int, str] = {}   # block index -> TEXT or TOOL_ARGS
        self.tool_names: dict[int, str] = {}
        self.open_blocks: set[int] = set()

    def channel(self, key: Any, kind: str, tool_name: str = "") -> Channel:
        self.kinds.setdefault(key, kind)
        return super().channel(key, kind, tool_name or self.tool_names.get(key, ""))

    def handle(self, event: SseEvent) -> list[SseEvent]:
        payload = event.json
        if not isinstance(payload, dict):
            return [event]
        kind = payload.get("type") or event.event
        if kind == "message_start":
            return [event.with_json(payload)] if self._check_start_content(payload.get("message")) else [event]
        if kind == "content_block_start":
            block = payload.get("content_block") or {}
            index = payload.get("index", 0)
            self.open_blocks.add(index)
            if isinstance(block.get("name"), str):
                self.tool_names[index] = block["name"]
            is_tool = block.get("type") in ("tool_use", "server_tool_use")
            channel = self.channel(index, TOOL_ARGS if is_tool else TEXT)
            # A block normally starts empty and grows by deltas; what a start already carries goes through
            # the block's channel as a first delta, so it is checked like the rest (clients add it up alike).
            start_value = block.get("input") if is_tool else block.get("text")
            if is_tool and isinstance(start_value, dict) and start_value:
                text, block["input"] = json.dumps(start_value, ensure_ascii=False), {}
            elif not is_tool and isinstance(start_value, str) and start_value:
                text, block["text"] = start_value, ""
            else:
                return [event]
            out = channel.feed(text)
            delta = {"type": "input_json_delta", "partial_json": out} if is_tool else {"type": "text_delta", "text": out}
            return [event.with_json(payload), SseEvent(b"", event="content_block_delta").with_json(
                {"type": "content_block_delta", "index": index, "delta": delta})]
        if kind == "content_block_delta":
            delta = payload.get("delta") or {}
            field = {"text_delta": "text", "input_json_delta": "partial_json"}.get(delta.get("type"))
            if field and isinstance(delta.get(field), str):
                channel = self.channel(payload.get("index", 0), TOOL_ARGS if field == "partial_json" else TEXT)
                out = channel.feed(delta[field])
                if out != delta[field]:
                    delta[field] = out
                    return [event.with_json(payload)]
            return [event]
        if kind == "content_block_stop":
            self.open_blocks.discard(payload.get("index", 0))
            return self._flush_block(payload.get("index", 0)) + [event]
        if kind == "message_stop":
            self.finished = True
            return [e for index in list(self.channels) for e in self._flush_block(index)] + [event]
        return [event]

    def _check_start_content(self, message: object) -> bool:
        """A message normally starts with no content; blocks already in `message_start` are complete,
        so each goes through a channel of its own, whole, before the client sees it. True if changed."""
        if not isinstance(message, dict) or not isinstance(message.get("content"), list):
            return False
        changed = False
        for i, block in enumerate(message["content"]):
            if not isinstance(block, dict):
                continue
            if block.get("type") in ("tool_use", "server_tool_use") and isinstance(block.get("input"), dict):
                if not block["input"]:
                    continue
                channel = self.channel(("message_start", i), TOOL_ARGS, str(block.get("name") or ""))
                out = channel.feed(json.dumps(block["input"], ensure_ascii=False)) + channel.close()
                try:
                    checked = json.loads(out)
                except ValueError:
                    checked = {}
                if checked != block["input"]:
                    block["input"], changed = checked if isinstance(checked, dict) else {}, True
            elif isinstance(block.get("text"), str) and block["text"]:
                channel = self.channel(("message_start", i), TEXT)
                out = channel.feed(block["text"]) + channel.close()
                if out != block["text"]:
                    block["text"], changed = out, True
        return changed

    def _flush_block(self, index: int) -> list[SseEvent]:
        channel = self.channels.get(index)
        if channel is None or channel.closed:
            return []
        rest = channel.close()
        if not rest:
            return []
        if self.kinds.get(index) == TOOL_ARGS:
            delta = {"type": "input_json_delta", "partial_json": rest}
        else:
            delta = {"type": "text_delta", "text": rest}
        return [SseEvent(b"", event="content_block_delta").with_json(
            {"type": "content_block_delta", "index": index, "delta": delta})]

    def end_of_stream(self) -> list[SseEvent]:
        out = []
        for index, channel in self.channels.items():
            if not channel.closed:
                out += self._flush_block(index)
                out.append(SseEvent(b"", event="content_block_stop").with_json(
                    {"type": "content_block_stop", "index": index}))
        out.append(SseEvent(b"", event="message_delta").with_json(
            {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
             "usage": {"output_tokens": 0}}))
        out.append(SseEvent(b"", event="message_stop").with_json({"type": "message_stop"}))
        return out

    def cut_off(self, message: str) -> list[SseEvent]:
        out = [e for index in list(self.channels) for e in self._flush_block(index)]
        error = _cut_error(message)
        out.append(SseEvent(b"", event="error").with_json(
            {"type": "error", "error": {"type": "api_error", "message": error["message"], "code": error["code"]}}))
        return out

    def block_end(self, just_sent: list[SseEvent]) -> list[SseEvent]:
        out = [SseEvent(b"", event="content_block_stop").with_json({"type": "content_block_stop", "index": index})
               for index in sorted(self.open_blocks)]
        self.open_blocks.clear()
        out.append(SseEvent(b"", event="message_delta").with_json(
            {"type": "message_delta", "delta": {"stop_reason": "refusal", "stop_sequence": None},
             "usage": {"output_tokens": 0}}))
        out.append(SseEvent(b"", event="message_stop").with_json({"type": "message_stop"}))
        return out


class OpenAIResponsesEditor(_FormatEditor):
    def __init__(self, make_chain: ChainFactory):
        super().__init__(make_chain)
        self.response: dict | None = None   # from response.created, for a synthesized ending
        self.items: dict[Any, dict] = {}     # output items as announced, for a synthesized ending

    def handle(self, event: SseEvent) -> list[SseEvent]:
        payload = event.json
        if not isinstance(payload, dict):
            return [event]
        kind = payload.get("type") or event.event
        if kind == "response.created" and isinstance(payload.get("response"), dict):
            self.response = payload["response"]
        if kind == "response.output_item.added" and isinstance(payload.get("item"), dict):
            item = copy.deepcopy(payload["item"])
            self.items[item.get("id")] = item
        if kind == "response.content_part.added" and isinstance(payload.get("part"), dict):
            item = self.items.get(payload.get("item_id"))
            if item is not None and isinstance(item.setdefault("content", []), list):
                item["content"].append(copy.deepcopy(payload["part"]))
        if kind in ("response.output_text.delta", "response.function_call_arguments.delta",
                    "response.custom_tool_call_input.delta"):
            key, channel_kind = self._key(payload, kind)
            if isinstance(payload.get("delta"), str):
                out = self.channel(key, channel_kind, self._tool_name(key)).feed(payload["delta"])
                if out != payload["delta"]:
                    payload["delta"] = out
                    return [event.with_json(payload)]
            return [event]
        if kind in ("response.output_text.done", "response.function_call_arguments.done",
                    "response.custom_tool_call_input.done"):
            key, channel_kind = self._key(payload, kind)
            channel = self.channel(key, channel_kind, self._tool_name(key))
            rest = channel.close()
            out = []
            if rest:
                delta = {k: v for k, v in payload.items() if k not in ("text", "arguments", "input")}
                delta["type"] = kind.replace(".done", ".delta")
                delta["delta"] = rest
                out.append(SseEvent(b"", event=delta["type"]).with_json(delta))
            field = key[1] if key[1] in ("arguments", "input") else "text"
            payload[field] = channel.text
            return out + [event.with_json(payload)]
        if kind == "response.content_part.done":
            part = payload.get("part") or {}
            channel = self.channels.get((payload.get("item_id"), payload.get("content_index", 0)))
            if channel is not None and isinstance(part.get("text"), str):
                part["text"] = channel.text
                return [event.with_json(payload)]
            return [event]
        if kind == "response.output_item.done" and isinstance(payload.get("item"), dict):
            self._rewrite_item(payload["item"])
            return [event.with_json(payload)]
        if kind in ("response.completed", "response.incomplete", "response.failed"):
            self.finished = True
            for item in (payload.get("response") or {}).get("output") or []:
                if isinstance(item, dict):
                    self._rewrite_item(item)
            return [event.with_json(payload)]
        return [event]

    def _tool_name(self, key: tuple[Any, Any]) -> str:
        name = (self.items.get(key[0]) or {}).get("name", "")
        return name if key[1] == "arguments" and isinstance(name, str) else ""

    @staticmethod
    def _key(payload: dict, kind: str) -> tuple[Any, str]:
        if kind.startswith("response.output_text"):
            return (payload.get("item_id"), payload.get("content_index", 0)), TEXT
        if kind.startswith("response.custom_tool_call_input"):  # free-form input (Codex's apply_patch): text
            return (payload.get("item_id"), "input"), TEXT
        return (payload.get("item_id"), "arguments"), TOOL_ARGS

    def _rewrite_item(self, item: dict) -> None:
        """The item's texts as the client has seen them. A text no delta carried (an upstream may send
        an item whole, in `output_item.done` or `response.completed` only) is filtered here, whole."""
        item_id = item.get("id")
        for k, part in enumerate(item.get("content") or []):
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                part["text"] = self._seen((item_id, k), TEXT, part["text"])
        for field, kind in (("arguments", TOOL_ARGS), ("input", TEXT)):
            if isinstance(item.get(field), str) and (field == "arguments" or item.get("type") == "custom_tool_call"):
                item[field] = self._seen((item_id, field), kind, item[field])

    def _seen(self, key: tuple[Any, Any], kind: str, text: str) -> str:
        channel = self.channels.get(key)
        if channel is None:
            channel = self.channel(key, kind, self._tool_name(key))
            channel.feed(text)
            channel.close()
        return channel.text

    def end_of_stream(self) -> list[SseEvent]:
        return self._failed("upstream_eof", "the upstream ended the stream early")

    def cut_off(self, message: str) -> list[SseEvent]:
        error = _cut_error(message)
        return self._failed(error["code"], error["message"])

    def _failed(self, code: str, message: str) -> list[SseEvent]:
        """The held-back text of every channel, then `response.failed` with `code`."""
        out = []
        for (item_id, index), channel in list(self.channels.items()):
            rest = channel.close()
            if rest:
                kind = {"arguments": "response.function_call_arguments.delta",
                        "input": "response.custom_tool_call_input.delta"}.get(index, "response.output_text.delta")
                payload = {"type": kind, "item_id": item_id, "delta": rest}
                if index not in ("arguments", "input"):
                    payload.update(output_index=0, content_index=index)
                out.append(SseEvent(b"", event=kind).with_json(payload))
        response = copy.deepcopy(self.response or {})
        response.update(status="failed", error={"code": code, "message": message})
        out.append(SseEvent(b"", event="response.failed").with_json({"type": "response.failed",
                                                                     "response": response}))
        return out

    def block_end(self, just_sent: list[SseEvent]) -> list[SseEvent]:
        """`response.completed` with the output as the client has seen it, block marker included."""
        output = []
        for item in self.items.values():
            item = copy.deepcopy(item)
            self._rewrite_item(item)
            if item.get("status") == "in_progress":
                item["status"] = "completed"
            output.append(item)
        response = copy.deepcopy(self.response or {})
        response.update(status="completed", output=output)
        return [SseEvent(b"", event="response.completed").with_json({"type": "response.completed",
                                                                    "response": response})]


_EDITORS = {OPENAI_CHAT: OpenAIChatEditor, ANTHROPIC_MESSAGES: AnthropicEditor,
            OPENAI_RESPONSES: OpenAIResponsesEditor}


class StreamEditor:
    """Bytes in, bytes out: parse SSE, let the format editor rewrite events, re-encode.

    `__call__` is mitmproxy's stream callable: called with each chunk and once with `b""` at the end;
    returns a list of byte strings (`[]` when nothing is ready: `b""` mid-stream would end an HTTP/1.1
    chunked body).
    """

    def __init__(self, fmt: str, make_chain: ChainFactory, trailer: Callable[[], bytes] | None = None,
                 on_note: Callable[[str], None] | None = None, should_stop: Callable[[], bool] | None = None):
        self.parser = SseParser()
        self.editor = _EDITORS.get(fmt, _PassthroughEditor)(make_chain)
        self.trailer = trailer
        self.on_note = on_note or (lambda note: None)
        self.should_stop = should_stop or (lambda: False)
        self.stopped = False  # the answer was withheld or cut: the stream has ended, later input is dropped
        self.trailer_sent = False
        self.bytes_out = 0

    def __call__(self, chunk: bytes) -> list[bytes]:
        if self.stopped:
            return []
        events = self.parser.feed(chunk) if chunk else self.parser.close()
        sent: list[SseEvent] = []
        for event in events:
            sent += self.editor.handle(event)
            if self.should_stop():
                sent += self.editor.block_end(sent)
                self.stopped = True
                self.on_note("answer_blocked_mid_stream")
                break
        if not chunk and not self.stopped and not self.editor.finished:
            # A block decided in this final flush is already in the flushed text; the synthesized
            # ending closes the stream either way.
            self.on_note("upstream_eof_no_done")
            sent += self.editor.end_of_stream()
        out = [e.encode() for e in sent]
        if self.stopped or not chunk:
            out += self._trailer()
        out = [b for b in out if b]
        self.bytes_out += sum(len(b) for b in out)
        return out

    def cut_off(self, message: str) -> bytes:
        """The upstream connection broke before the stream's end: the bytes still to send to the client
        before its connection is closed too (see the module docstring)."""
        if self.stopped:
            return b""
        self.stopped = True
        sent = [] if self.editor.finished else self.editor.cut_off(message)
        self.on_note("upstream_cut_mid_stream")
        out = b"".join([e.encode() for e in sent] + self._trailer())
        self.bytes_out += len(out)
        return out

    def _trailer(self) -> list[bytes]:
        if self.trailer is None or self.trailer_sent:
            return []
        self.trailer_sent = True
        return [self.trailer()]


class _PassthroughEditor(_FormatEditor):
    """Unknown formats: events pass unchanged (their bodies are not LLM answers Aegis can model)."""

    def __init__(self, make_chain: ChainFactory):
        super().__init__(make_chain)
        self.finished = True

    def handle(self, event: SseEvent) -> list[SseEvent]:
        return [event]

    def end_of_stream(self) -> list[SseEvent]:
        return []

    def block_end(self, just_sent: list[SseEvent]) -> list[SseEvent]:
        return []

    def cut_off(self, message: str) -> list[SseEvent]:
        return []
