"""Exact-value redaction: operator-configured secrets are found wherever and however they appear.

The operator lists values that must never reach a provider (a database password, an internal API key).
`ExactValueMatcher` finds each of them in a text segment also when the value is written

  * JSON-escaped, as in tool-call arguments that are JSON inside JSON
    (`\\n`, `\\"`, `\\\\`, `\\/`, `\\u00e9`);
  * split across lines: a newline (`\\n`, `\\r\\n`, or their JSON escapes) plus indentation inserted
    anywhere inside the value, as happens when code is wrapped.

Each value becomes one regex in which every character may appear literally or in any of its JSON
escapes, and a line break may sit between any two characters. Values shorter than
`MIN_VALUE_LENGTH` are refused: they would match inside ordinary words and numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from aegis_addons.detect.findings import Finding

CATEGORY = "secret.configured_value"
MIN_VALUE_LENGTH = 6

# A line break inserted inside a value: real or JSON-escaped, followed by indentation.
_LINE_BREAK = r"(?:\r?\n|\\r\\n|\\n)[ \t]*"
_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "/": "\\/", "\n": "\\n", "\r": "\\r", "\t": "\\t",
                  "\b": "\\b", "\f": "\\f"}


class ExactValueError(ValueError):
    """A configured value that cannot be used safely (too short, empty)."""


def _char_pattern(ch: str) -> str:
    """Every way a JSON encoder may write `ch`: literally, with a short escape or as `\\uXXXX`."""
    forms = [re.escape(ch)]
    if ch in _SHORT_ESCAPES:
        forms.append(re.escape(_SHORT_ESCAPES[ch]))
    code = ord(ch)
    if code > 0xFFFF:  # outside the BMP JSON uses a surrogate pair
        code -= 0x10000
        high, low = 0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF)
        forms.append(rf"\\u(?i:{high:04x})\\u(?i:{low:04x})")
    else:
        forms.append(rf"\\u(?i:{code:04x})")
    return "(?:" + "|".join(forms) + ")"


def value_pattern(value: str) -> str:
    """The regex source matching `value` in any of the tolerated encodings."""
    return f"(?:{_LINE_BREAK})?".join(_char_pattern(ch) for ch in value)


@dataclass(frozen=True, slots=True)
class ExactMatch:
    finding: Finding
    value: str  # the configured value (decoded), whatever encoding the text used


class ExactValueMatcher:
    """Finds operator-configured secret values; `scan(text)` returns `secret.configured_value` findings."""

    def __init__(self, values: Iterable[str]) -> None:
        unique = []
        for value in values:
            if not isinstance(value, str) or not value.strip():
                raise ExactValueError("configured secret values must be non-empty strings")
            if len(value) < MIN_VALUE_LENGTH:
                raise ExactValueError(
                    f"a configured secret value of {len(value)} characters is too short: values "
                    f"need at least {MIN_VALUE_LENGTH} characters, shorter ones would match inside "
                    f"ordinary words and numbers")
            if value not in unique:
                unique.append(value)
        # Longest first, so a value containing another one is matched whole.
        self._position = {value: i + 1 for i, value in enumerate(unique)}  # for `detail`
        self.values: tuple[str, ...] = tuple(sorted(unique, key=len, reverse=True))
        self._pattern = (re.compile("|".join(f"({value_pattern(v)})" for v in self.values))
                         if self.values else None)
        # Prefilter: a value can only be present if its first character (or an escape's backslash) is.
        self._first_chars = {v[0] for v in self.values} | {"\\"}

    def __len__(self) -> int:
        return len(self.values)

    def matches(self, text: str) -> list[ExactMatch]:
        if self._pattern is None or not any(c in text for c in self._first_chars):
            return []
        out = []
        for m in self._pattern.finditer(text):
            value = self.values[m.lastindex - 1]  # one group per value, in self.values order
            out.append(ExactMatch(Finding(CATEGORY, m.start(), m.end(), 1.0, "exact_value",
                                          f"configured secret value #{self._position[value]}"),
                                  value))
        return out

    def scan(self, text: str) -> list[Finding]:
        return [m.finding for m in self.matches(text)]
