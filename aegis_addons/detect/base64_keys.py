"""Private keys inside base64 that does not start with them.

`base64_private_key` (rules/secrets.yaml) finds base64 that starts with the base64 of `-----BEGIN`
(`LS0tLS1CRUdJTi`). Base64 can also hold a key further in: a PEM file with a blank line or openssl's
`Bag Attributes` lines first, a certificate chain before the key, or a value encoded twice (a
Kubernetes secret of a base64 file). A regex cannot follow such a blob across the lines `base64` wraps
it in and past any length, so this detector does it in two steps:

1. find the base64 of `PRIVATE KEY-----` at each of its three alignments (and of that base64 again,
   for a value encoded twice), also cut by a line break: one regex of literal characters;
2. widen each hit to the whole blob around it (base64 runs joined by line breaks, also `\\n` written
   out in JSON, with their indentation), decode it and keep it when it holds a PEM private key with key
   material (`validators.base64_embedded_pem_private_key`).

Each character is widened over at most once, so the scan is linear in the text.
"""

from __future__ import annotations

import base64
import re

from aegis_addons.detect import validators
from aegis_addons.detect.findings import Finding

CATEGORY = "secret.base64_private_key"
RULE = "base64_embedded_private_key"
MAX_BLOB = 1_000_000  # characters decoded at most per blob


def _aligned(plain: bytes) -> list[str]:
    """The base64 of `plain` at each of the three byte alignments, without the characters that depend
    on the bytes around it."""
    out = []
    for k in range(3):
        encoded = base64.b64encode(b"\0" * k + plain).decode()
        first = (4 * k + 2) // 3  # characters that mix in the padding bytes before
        last = 4 * ((k + len(plain)) // 3)  # characters of whole groups only
        out.append(encoded[first:last])
    return out


_SINGLE = _aligned(b"PRIVATE KEY-----")
# Encoded twice: the base64 of each single marker, at each alignment. Each marker is cut to 14
# characters (still distinctive), so that a line break of wrapped base64 falls inside fewer of them.
MARKERS = tuple(m[:14] for m in _SINGLE + [m for s in _SINGLE for m in _aligned(s.encode())] if len(m) >= 14)
# Each marker may be cut by the line break of wrapped base64 (`base64` wraps at 76): a break is allowed
# between any two of its characters.
_BREAK = r"(?:\r?\n[ \t]{0,40}|\\r\\n|\\n)?"
_MARKER = re.compile("|".join(_BREAK.join(map(re.escape, m)) for m in MARKERS))
_B64_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
_RUN = re.compile(r"[A-Za-z0-9+/]*={0,2}")
# A line break inside a blob: a newline (or `\r\n`, or either written out in JSON) and indentation,
# followed by the next line of at least 16 base64 characters
_NEXT_LINE = re.compile(r"(?:\r?\n|\\r\\n|\\n)[ \t]{0,40}"
                        r"(?=[A-Za-z0-9+/]{16}|[A-Za-z0-9+/]{1,15}={0,2}(?![A-Za-z0-9+/=]))")  # or a short last line
_PREVIOUS_BREAK = re.compile(r"[A-Za-z0-9+/=]{16}(?:\r?\n|\\r\\n|\\n)[ \t]{0,40}$")


class EmbeddedBase64KeyDetector:
    """`scan(text)` returns a finding for each base64 blob that holds a PEM private key anywhere."""

    def scan(self, text: str) -> list[Finding]:
        hits = [m.start() for m in _MARKER.finditer(text)]
        found: list[Finding] = []
        done = 0  # the end of the last blob widened: hits before it are inside it
        for hit in hits:
            if hit < done:
                continue
            start, end = _blob_start(text, hit, done), _blob_end(text, hit)
            done = end
            if end - start <= MAX_BLOB and validators.base64_embedded_pem_private_key(text[start:end]):
                found.append(Finding(CATEGORY, start, end, 0.95, RULE,
                                     "base64 holding a PEM private key after other content"))
        return found


def _blob_end(text: str, pos: int) -> int:
    """The end of the blob holding `pos`: base64 runs joined by line breaks."""
    while True:
        pos = _RUN.match(text, pos).end()
        if text[pos - 1:pos] == "=":
            return pos  # padding ends the blob
        nxt = _NEXT_LINE.match(text, pos)
        if nxt is None:
            return pos
        pos = nxt.end()


def _blob_start(text: str, pos: int, floor: int) -> int:
    """The start of the blob holding `pos`, not before `floor`."""
    while True:
        while pos > floor and text[pos - 1] in _B64_CHARS and text[pos - 1] != "=":
            pos -= 1
            if text[pos] in "nr" and pos > floor and text[pos - 1] == "\\":
                pos += 1  # the `n` of a `\n` written out in JSON: a line break, not base64
                break
        # the run before a line break belongs to the blob when it is a full base64 line
        brk = _PREVIOUS_BREAK.search(text, max(floor, pos - 64), pos)
        if brk is None or brk.end() != pos:
            return pos
        pos = brk.start() + 16
