"""Incremental Server-Sent-Events parsing and re-encoding.

Upstream chunks split events anywhere (inside a UTF-8 character, between `\\r` and `\\n`). The parser
buffers bytes until an event is complete (a blank line ends it: `\\n\\n`, `\\r\\n\\r\\n` or `\\r\\r`) and
returns it with its raw bytes, so events nobody changes go to the client byte for byte.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass
class SseEvent:
    raw: bytes                      # exactly as received, terminator included ("" for synthetic events)
    event: str | None = None        # the `event:` field
    data: str | None = None         # `data:` lines joined with "\n"; None when the event has no data
    other: list[str] = field(default_factory=list)  # `id:`, `retry:` and comment lines, kept verbatim
    newline: str = "\n"
    _json: Any = field(default=None, repr=False)
    _json_parsed: bool = field(default=False, repr=False)

    @property
    def json(self) -> Any:
        """The data field parsed as JSON, or None (not JSON, `[DONE]`, no data)."""
        if not self._json_parsed:
            self._json_parsed = True
            # SSE strips one space after `data:`; clients parse what follows with a JSON parser, which
            # skips more whitespace (`data:  {…}`), so the gateway must read that as JSON too
            if self.data and self.data.lstrip()[:1] in ("{", "["):
                try:
                    self._json = json.loads(self.data)
                except (ValueError, RecursionError):
                    self._json = None
        return self._json

    def with_json(self, payload: Any) -> SseEvent:
        """A copy carrying `payload` as its data (re-encoded compactly, same event name)."""
        event = SseEvent(b"", self.event, json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
                         list(self.other), self.newline)
        event._json, event._json_parsed = payload, True
        return event

    def encode(self) -> bytes:
        if self.raw:
            return self.raw
        nl = self.newline
        lines = list(self.other)
        if self.event is not None:
            lines.append(f"event: {self.event}")
        if self.data is not None:
            lines.extend(f"data: {line}" for line in self.data.split("\n"))
        # a lone surrogate (JSON `"\ud83d"` decodes to one) goes back out as the same escape
        return (nl.join(lines) + nl + nl).encode("utf-8", "backslashreplace")


class SseParser:
    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, chunk: bytes) -> list[SseEvent]:
        self._buf += chunk
        return self._events(final=False)

    def close(self) -> list[SseEvent]:
        """Events left when the stream ends; an unterminated last event counts as complete."""
        events = self._events(final=True)
        if self._buf.strip():
            events.append(_parse_event(bytes(self._buf)))
        self._buf.clear()
        return events

    def _events(self, final: bool) -> list[SseEvent]:
        out = []
        while True:
            end = _event_end(self._buf, final)
            if end < 0:
                return out
            raw = bytes(self._buf[:end])
            del self._buf[:end]
            out.append(_parse_event(raw))


def _event_end(buf: bytearray, final: bool) -> int:
    """Index just past the blank line that ends the first event, or -1 if it is not complete."""
    i, n = 0, len(buf)
    previous_line_empty = True  # a blank line before any field does not end an event
    line_start = 0
    while i < n:
        c = buf[i]
        if c == 0x0A or c == 0x0D:
            if c == 0x0D:
                if i + 1 >= n and not final:
                    return -1  # "\r" at the end: a "\n" may follow in the next chunk
                nxt = i + 2 if i + 1 < n and buf[i + 1] == 0x0A else i + 1
            else:
                nxt = i + 1
            empty = i == line_start
            if empty and not previous_line_empty:
                return nxt
            previous_line_empty = empty and previous_line_empty
            line_start = i = nxt
        else:
            i += 1
    return -1


def _parse_event(raw: bytes) -> SseEvent:
    text = raw.decode("utf-8", errors="replace")
    newline = "\r\n" if "\r\n" in text else "\n"
    event, data, other = None, None, []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not line:
            continue
        if line.startswith(":"):
            other.append(line)
            continue
        name, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if name == "data":
            data = value if data is None else data + "\n" + value
        elif name == "event":
            event = value
        else:
            other.append(line)
    return SseEvent(raw, event, data, other, newline)
