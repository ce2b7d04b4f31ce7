"""JSON string escapes decoded, with a way back to the original offsets.

Tool results are often JSON text (an MCP server's answer, `gh api`, a fetched API response), and inside
JSON a line break is `\\n`, a quote `\\"` and any character may be `\\uXXXX`. Scanned as it is, such text
hides what it says: `\\nIgnore all previous instructions` starts with the word "nIgnore", and
`\\u5ffd\\u7565\\u4e4b\\u524d\\u7684\\u6307\\u4ee4` (忽略之前的指令) or `\\u003c|im_start|\\u003e` hold no
word at all. `unescape_json()` decodes the escapes JSON defines wherever they stand (the text need not
parse as JSON: a truncated tool result, a log line with an embedded JSON string) and keeps, for every
decoded character, the span of original text it came from.

Backslashes in other text (a Windows path, a regex, LaTeX) decode too: `C:\\new` reads as a line break
and "ew". The decoded view is only scanned for injections, never forwarded, so this costs nothing but
the odd changed word in a path.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np

from aegis_addons.detect.findings import Finding

_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|([nrtbf\"\\/]))")
_SIMPLE = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", '"': '"', "\\": "\\", "/": "/"}


@dataclass(frozen=True, slots=True)
class UnescapedText:
    """Decoded text; `starts[i]`/`ends[i]` is the original span the decoded character `i` came from."""

    text: str
    starts: np.ndarray
    ends: np.ndarray

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of the decoded text to the span of original text it came from."""
        if not len(self.starts):
            return 0, 0
        last = len(self.starts) - 1
        first = min(max(start, 0), last)
        if end <= start:
            return int(self.starts[first]), int(self.starts[first])
        return int(self.starts[first]), int(self.ends[min(end - 1, last)])

    def findings_to_original(self, findings: Iterable[Finding]) -> list[Finding]:
        """Findings on the decoded text, their spans moved to the original."""
        return [replace(f, start=start, end=end) for f in findings
                for start, end in [self.to_original(f.start, f.end)]]


def unescape_json(text: str, decode: str = "nrtbf\"\\/") -> UnescapedText | None:
    """`text` with JSON string escapes decoded, or None when it holds none (the common case, in C).
    `decode` names the one-character escapes to decode (`\\uXXXX` always is); the others are kept as
    written, e.g. `decode="/"` for a view that only joins what `\\/` and `\\u0040` split."""
    # the common case, in C: no escape of the kinds asked for (code is full of `\\n` a `/` view ignores)
    if "\\u" not in text and not any(f"\\{c}" in text for c in decode):
        return None
    matches = [m for m in _ESCAPE.finditer(text) if m.group(1) is not None or m.group(2) in decode]
    if not matches:
        return None
    pieces: list[str] = []
    starts: list[np.ndarray] = []
    ends: list[np.ndarray] = []
    pos = 0
    i = 0
    while i < len(matches):
        m = matches[i]
        start, end = m.span()
        if start > pos:  # plain text before the escape: one character each
            pieces.append(text[pos:start])
            starts.append(np.arange(pos, start))
            ends.append(np.arange(pos + 1, start + 1))
        if m.group(2) is not None:
            char = _SIMPLE[m.group(2)]
        else:
            code = int(m.group(1), 16)
            following = matches[i + 1] if i + 1 < len(matches) else None
            if (0xD800 <= code < 0xDC00 and following is not None and following.start() == end
                    and following.group(1) is not None and 0xDC00 <= int(following.group(1), 16) < 0xE000):
                # a surrogate pair is one character (an emoji, a tag character, a rare ideograph)
                code = 0x10000 + ((code - 0xD800) << 10) + (int(following.group(1), 16) - 0xDC00)
                end = following.end()
                i += 1
            char = "\ufffd" if 0xD800 <= code < 0xE000 else chr(code)  # a lone surrogate is no character
        pieces.append(char)
        starts.append(np.array([start]))
        ends.append(np.array([end]))
        pos = end
        i += 1
    if pos < len(text):
        pieces.append(text[pos:])
        starts.append(np.arange(pos, len(text)))
        ends.append(np.arange(pos + 1, len(text) + 1))
    return UnescapedText("".join(pieces), np.concatenate(starts), np.concatenate(ends))
