"""Redaction of secrets that the model writes itself, as a chunk-invariant text filter.

Runs on the answer before placeholder restoration, so values the gateway restores are never
mistaken for model-made secrets. Secrets are single tokens (keys, tokens, passwords) or PEM blocks, so
the filter releases text up to the last whitespace and holds back the word still being written and any
PEM block not yet closed; each released piece is scanned with the released text before it as
context (for look-behinds such as `password:`), and only findings that start in the new piece act.
Whatever way the answer is split, the same words are scanned with the same context, so a streamed
answer gets the same text as a buffered one.

Multi-word secrets (BIP-39 seed phrases) are out of scope here: a phrase is released word by word and
could only be judged after it was sent.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Protocol

from aegis_addons.detect.findings import Finding, resolve_overlaps
from aegis_addons.detect.placeholders import PLACEHOLDER_RE

CONTEXT_CHARS = 200          # released text kept for look-behind context
MAX_HOLD_CHARS = 16_384      # an unclosed PEM block or a giant word is released after this much
_PEM_BEGIN = "-----BEGIN "
_PEM_END = "-----END "
EXCLUDED = frozenset({"secret.bip39_seed_phrase"})
# The gateway's own placeholders (`[[AEGIS:GITHUB_TOKEN:...]]` holds `TOKEN:<id>`, which looks like an
# assignment) are restored after this filter and never redacted by it, whatever their case.
_PLACEHOLDER_ANY_CASE = re.compile(PLACEHOLDER_RE.pattern, re.IGNORECASE)


class Scanner(Protocol):
    def scan(self, text: str) -> list[Finding]: ...


def default_marker(category: str) -> str:
    return f"[aegis:redacted {category}]"


class SecretOutputFilter:
    def __init__(self, detector: Scanner, on_finding: Callable[[Finding], None] | None = None,
                 marker: Callable[[str], str] = default_marker):
        self.detector = detector
        self.on_finding = on_finding or (lambda f: None)
        self.marker = marker
        self.pending = ""
        self.context = ""

    def feed(self, text: str) -> str:
        self.pending += text
        return self._release(self._release_point())

    def flush(self) -> str:
        return self._release(len(self.pending))

    def _release_point(self) -> int:
        text = self.pending
        if len(text) > MAX_HOLD_CHARS:
            return len(text)
        begin = text.rfind(_PEM_BEGIN)
        if begin >= 0 and _PEM_END not in text[begin:]:
            return begin
        end = text.rfind(_PEM_END)
        if end >= 0 and "-----" not in text[end + len(_PEM_END):]:
            return end  # the closing line of a PEM block is still being written
        return max(text.rfind(" "), text.rfind("\n"), text.rfind("\t"), text.rfind("\r")) + 1

    def _release(self, cut: int) -> str:
        piece, self.pending = self.pending[:cut], self.pending[cut:]
        if not piece:
            return ""
        window = self.context + piece
        offset = len(self.context)
        placeholders = [m.span() for m in _PLACEHOLDER_ANY_CASE.finditer(window)]
        findings = resolve_overlaps([f for f in self.detector.scan(window)
                                     if f.family == "secret" and f.category not in EXCLUDED
                                     and f.start >= offset
                                     and not any(s < f.end and f.start < e for s, e in placeholders)])
        out, pos = [], offset
        for f in findings:
            out.append(window[pos:f.start])
            out.append(self.marker(f.category))
            self.on_finding(f)
            pos = f.end
        out.append(window[pos:])
        self.context = window[-CONTEXT_CHARS:]
        return "".join(out)
