"""The stream editor gives the client the same text however the upstream splits its SSE bytes."""

import json
import random

import pytest

from aegis_addons import mock_upstream as mock
from aegis_addons.wire.segments import ANTHROPIC_MESSAGES, OPENAI_CHAT, OPENAI_RESPONSES
from aegis_addons.wire.sse import SseParser
from aegis_addons.wire.stream import FilterChain, StreamEditor, run_chain


class Replace:
    """Test filter: replaces `old` with `new`, holding back a tail that could start `old`."""

    def __init__(self, old: str, new: str):
        self.old, self.new, self.pending = old, new, ""

    def feed(self, text: str) -> str:
        text = (self.pending + text).replace(self.old, self.new)
        keep = 0
        for k in range(min(len(self.old) - 1, len(text)), 0, -1):
            if self.old.startswith(text[-k:]):
                keep = k
                break
        self.pending = text[len(text) - keep:] if keep else ""
        return text[:len(text) - keep] if keep else text

    def flush(self) -> str:
        out, self.pending = self.pending, ""
        return out


def chain(kind: str, tool_name: str = "") -> FilterChain:
    return FilterChain([Replace("secret", "[gone]"), Replace("[gone] word", "W")])


EVENTS = {OPENAI_CHAT: mock.chat_stream_events, OPENAI_RESPONSES: mock.responses_stream_events,
          ANTHROPIC_MESSAGES: mock.anthropic_stream_events}
TEXTS = ["a secret word and another secret", "secretsecret", "no match here", "ends with secr",
         "中文 secret 混合 secret word"]


def upstream_bytes(fmt: str, text: str, delta_chars: int | None = None, tool: bool = False) -> bytes:
    config = mock.MockConfig(reply=text, delta_chars=delta_chars,
                             tool_name="run" if tool else None,
                             tool_args=json.dumps({"cmd": text}) if tool else "{}")
    reply = mock.make_reply({"model": "m", "stream": True}, "", config)
    return b"".join(e.encode() for e in EVENTS[fmt](reply))


def client_text(fmt: str, data: bytes) -> tuple[str, list]:
    """What an SDK would assemble from the deltas, plus the parsed events."""
    parts, payloads = [], []
    for e in SseParser().feed(data):
        payload = e.json
        payloads.append(payload if payload is not None else e.data)
        if not isinstance(payload, dict):
            continue
        if fmt == OPENAI_CHAT:
            for choice in payload.get("choices", []):
                delta = choice.get("delta") or {}
                parts.append(delta.get("content") or "")
                for call in delta.get("tool_calls") or []:
                    parts.append(call.get("function", {}).get("arguments") or "")
        elif fmt == ANTHROPIC_MESSAGES and payload.get("type") == "content_block_delta":
            delta = payload["delta"]
            parts.append(delta.get("text") or delta.get("partial_json") or "")
        elif fmt == OPENAI_RESPONSES and payload.get("type", "").endswith(".delta"):
            parts.append(payload["delta"])
    return "".join(parts), payloads


def run_editor(fmt: str, data: bytes, cuts: list[int]) -> bytes:
    editor = StreamEditor(fmt, chain)
    out, last = [], 0
    for cut in cuts + [len(data)]:
        out += editor(data[last:cut])
        last = cut
    out += editor(b"")
    return b"".join(out)


def splits(data: bytes, seed: int) -> dict[str, list[int]]:
    rng = random.Random(seed)
    boundaries = [i + 2 for i in range(len(data) - 1) if data[i:i + 2] == b"\n\n"]
    return {"one byte": list(range(1, len(data))),
            "random": sorted(rng.sample(range(1, len(data)), min(25, len(data) - 1))),
            "event aligned": boundaries[:-1]}


@pytest.mark.parametrize("fmt", list(EVENTS))
@pytest.mark.parametrize("tool", [False, True])
def test_streamed_text_equals_buffered_text(fmt, tool):
    for seed, text in enumerate(TEXTS):
        expected = run_chain(chain("text"), json.dumps({"cmd": text}) if tool else text)
        for delta_chars in (1, 3, None):
            data = upstream_bytes(fmt, text, delta_chars, tool)
            for name, cuts in splits(data, seed).items():
                got, payloads = client_text(fmt, run_editor(fmt, data, cuts))
                assert got == expected, (fmt, name, delta_chars, text)
                assert "secret" not in json.dumps(payloads, ensure_ascii=False)  # done events rewritten too


def test_responses_done_events_carry_filtered_text():
    data = upstream_bytes(OPENAI_RESPONSES, "the secret word", 2)
    _, payloads = client_text(OPENAI_RESPONSES, run_editor(OPENAI_RESPONSES, data, []))
    done = [p for p in payloads if isinstance(p, dict) and p.get("type") == "response.output_text.done"]
    completed = [p for p in payloads if isinstance(p, dict) and p.get("type") == "response.completed"]
    assert done[0]["text"] == "the W"
    assert completed[0]["response"]["output"][0]["content"][0]["text"] == "the W"


@pytest.mark.parametrize("fmt, ending", [(OPENAI_CHAT, "[DONE]"), (ANTHROPIC_MESSAGES, "message_stop"),
                                          (OPENAI_RESPONSES, "response.failed")])
def test_upstream_eof_without_terminal_event_is_completed(fmt, ending):
    data = upstream_bytes(fmt, "cut secret", 1)
    events = SseParser().feed(data)
    truncated = b"".join(e.raw for e in events[:len(events) // 2])
    notes = []
    editor = StreamEditor(fmt, chain, on_note=notes.append)
    out = b"".join(editor(truncated) + editor(b""))
    assert notes == ["upstream_eof_no_done"]
    last = SseParser().feed(out)[-1]
    assert ending in (last.data or "") or (last.json or {}).get("type") == ending


@pytest.mark.parametrize("fmt", list(EVENTS))
def test_cut_off_flushes_held_back_text_and_ends_with_an_error(fmt):
    data = upstream_bytes(fmt, "a secre", 1)  # "secre" is held back: it could still become "secret"
    events = SseParser().feed(data)
    last_delta = max(i for i, e in enumerate(events)
                     if any(k in e.raw for k in (b'"content":"e"', b'"text":"e"', b'"delta":"e"')))
    received = b"".join(e.raw for e in events[:last_delta + 1]) + events[last_delta + 1].raw[:9]  # half an event
    notes = []
    editor = StreamEditor(fmt, chain, trailer=lambda: b": bye\n\n", on_note=notes.append)
    before = b"".join(editor(received))
    assert "a secre" not in client_text(fmt, before)[0]          # held back while the stream flowed
    tail = editor.cut_off("peer closed")
    text, payloads = client_text(fmt, before + tail)
    assert text == "a secre" and notes == ["upstream_cut_mid_stream"]
    assert tail.endswith(b": bye\n\n")
    last = SseParser().feed(tail)[-2].json                      # the event before the trailer comment
    if fmt == OPENAI_CHAT:
        assert last["error"]["code"] == "upstream_stream_cut" and "[DONE]" not in tail.decode()
    elif fmt == ANTHROPIC_MESSAGES:
        assert last["type"] == "error" and last["error"]["code"] == "upstream_stream_cut"
        assert b"message_stop" not in tail
    else:
        assert last["type"] == "response.failed" and last["response"]["error"]["code"] == "upstream_stream_cut"
    assert editor.cut_off("again") == b"" and editor(b"more") == []   # the stream has ended


def test_cut_after_the_terminal_event_adds_only_the_trailer():
    data = upstream_bytes(OPENAI_CHAT, "all of it", None)
    editor = StreamEditor(OPENAI_CHAT, chain, trailer=lambda: b": bye\n\n")
    assert b"".join(editor(data)) == data
    assert editor.cut_off("peer closed") == b": bye\n\n"


def test_untouched_events_pass_byte_for_byte_and_trailer_is_added():
    data = upstream_bytes(OPENAI_CHAT, "nothing to change", None)
    editor = StreamEditor(OPENAI_CHAT, chain, trailer=lambda: b": bye\n\n")
    out = b"".join(editor(data) + editor(b""))
    assert out == data + b": bye\n\n"


def test_parser_handles_crlf_comments_and_multiline_data():
    raw = b": comment\r\nevent: x\r\ndata: line1\r\ndata: line2\r\n\r\ndata: {\"a\": 1}\n\n"
    for cut in range(1, len(raw)):
        parser = SseParser()
        events = parser.feed(raw[:cut]) + parser.feed(raw[cut:]) + parser.close()
        assert [(e.event, e.data) for e in events] == [("x", "line1\nline2"), (None, '{"a": 1}')]
        assert events[0].other == [": comment"] and b"".join(e.raw for e in events) == raw


@pytest.mark.parametrize("raw", [b'data:  {"a": 1}\n\n', b'data:\ndata: {"a": 1}\n\n', b'data:\t{"a": 1}\n\n'])
def test_data_a_json_parser_reads_is_json(raw):
    """Clients parse the data field with a JSON parser, which skips leading whitespace: so must the
    gateway, or such an event would pass unfiltered."""
    (event,) = SseParser().feed(raw)
    assert event.json == {"a": 1}


def test_anthropic_block_start_that_carries_text_is_checked_too():
    """A content block normally starts empty; text (or tool input) already in its start event goes
    through the block's filters like a delta, so the client cannot be handed it unchecked."""
    events = [
        'event: message_start\ndata: {"type":"message_start","message":{"id":"m","type":"message","role":"assistant","content":[],"model":"c","stop_reason":null,"usage":{"input_tokens":1,"output_tokens":1}}}\n\n',
        'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":"my secret word "}}\n\n',
        'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"and a secret"}}\n\n',
        'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
        'event: content_block_start\ndata: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"t","name":"run","input":{"cmd":"a secret"}}}\n\n',
        'event: content_block_stop\ndata: {"type":"content_block_stop","index":1}\n\n',
        'event: message_stop\ndata: {"type":"message_stop"}\n\n',
    ]
    out = run_editor(ANTHROPIC_MESSAGES, "".join(events).encode(), [])
    assert b"secret" not in out
    text, payloads = client_text(ANTHROPIC_MESSAGES, out)
    assert text == "my W and a [gone]" + json.dumps({"cmd": "a [gone]"}, ensure_ascii=False)
    starts = [p["content_block"] for p in payloads if isinstance(p, dict) and p.get("type") == "content_block_start"]
    assert starts == [{"type": "text", "text": ""}, {"type": "tool_use", "id": "t", "name": "run", "input": {}}]


def test_anthropic_message_start_that_carries_content_is_checked_too():
    """`message_start` normally has no content; blocks an upstream puts there are filtered whole."""
    start = {"type": "message_start", "message": {
        "id": "m", "type": "message", "role": "assistant", "model": "c", "stop_reason": None,
        "usage": {"input_tokens": 1, "output_tokens": 1},
        "content": [{"type": "text", "text": "my secret word"},
                    {"type": "tool_use", "id": "t", "name": "run", "input": {"cmd": "a secret"}}]}}
    events = [f"event: message_start\ndata: {json.dumps(start)}\n\n",
              'event: message_stop\ndata: {"type":"message_stop"}\n\n']
    out = run_editor(ANTHROPIC_MESSAGES, "".join(events).encode(), [])
    assert b"secret" not in out
    first = SseParser().feed(out)[0]
    assert first.json["message"]["content"] == [
        {"type": "text", "text": "my W"},
        {"type": "tool_use", "id": "t", "name": "run", "input": {"cmd": "a [gone]"}}]


def test_chat_delta_content_as_a_list_of_parts_is_checked_too():
    chunk = {"id": "c", "object": "chat.completion.chunk", "model": "m",
             "choices": [{"index": 0, "delta": {"content": [{"type": "text", "text": "my secret "},
                                                            {"type": "text", "text": "word"}]},
                          "finish_reason": None}]}
    end = {"id": "c", "object": "chat.completion.chunk", "model": "m",
           "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
    raw = f"data: {json.dumps(chunk)}\n\ndata: {json.dumps(end)}\n\ndata: [DONE]\n\n".encode()
    out = run_editor(OPENAI_CHAT, raw, [])
    assert b"secret" not in out
    texts = []
    for event in SseParser().feed(out):
        payload = event.json
        if isinstance(payload, dict):
            for choice in payload["choices"]:
                content = choice["delta"].get("content")
                if isinstance(content, list):
                    texts += [p["text"] for p in content]
                elif isinstance(content, str):
                    texts.append(content)
    assert "".join(texts) == "my W"


def test_responses_item_sent_whole_is_checked_too():
    """An upstream may send an item whole, with no deltas: its text is filtered where it appears."""
    item = {"id": "msg_1", "type": "message", "status": "completed", "role": "assistant",
            "content": [{"type": "output_text", "annotations": [], "text": "a secret word"}]}
    call = {"id": "fc_1", "type": "function_call", "status": "completed", "call_id": "c", "name": "run",
            "arguments": json.dumps({"cmd": "a secret"})}
    events = [
        {"type": "response.created", "response": {"id": "r", "output": [], "status": "in_progress"}},
        {"type": "response.output_item.done", "output_index": 0, "item": item},
        {"type": "response.output_item.done", "output_index": 1, "item": call},
        {"type": "response.completed", "response": {"id": "r", "status": "completed", "output": [item, call]}},
    ]
    data = "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events).encode()
    out = run_editor(OPENAI_RESPONSES, data, [])
    assert b"secret" not in out
    payloads = [e.json for e in SseParser().feed(out)]
    final = payloads[-1]["response"]["output"]
    assert final[0]["content"][0]["text"] == "a W" and json.loads(final[1]["arguments"]) == {"cmd": "a [gone]"}
