"""Private keys inside base64 that does not start with them.

`base64_private_key` (rules/secrets.yaml) finds base64 that starts with the base64 of `-----BEGIN`
(`LS0tLS1CRUdJTi`). Base64 can also hold a key further in: a PEM file with a blank line or openssl's
`Bag Attributes` lines first, a certificate chain before the key, or a file encoded twice (a
kubeconfig with `client-key-data`, a Kubernetes secret of a base64 file). A regex cannot follow such a
blob across the lines `base64` wraps it in and past any length, so this detector does it in steps:

1. find the base64 of `PRIVATE KEY-----` at each of its three alignments (and of that base64 again,
   for a file encoded twice), also cut by a line break: one regex of literal characters;
2. widen each hit to the whole blob around it: base64 lines of one width joined by line breaks (also
   `\\n` written out in JSON, a `\\` line continuation), with their indentation, and a shorter last line;
3. decode the blob around the hit, at each of the four alignments (the window, or the blob, may start
   anywhere in a group of four characters), and keep the blob when the text holds a PEM
   private key with key material (`validators.pem_private_key_in`), or holds base64 that does (once).

Each character is widened over at most once, so the scan is linear in the text.
"""

from __future__ import annotations

import base64
import binascii
import re

from aegis_addons.detect import validators
from aegis_addons.detect.findings import Finding

CATEGORY = "secret.base64_private_key"
RULE = "base64_embedded_private_key"
DECODE_AROUND_HIT = 8192  # characters decoded either side of a hit: the key's header and body start


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
# A line break inside a blob: trailing spaces, a newline (or `\r\n`, either written out in JSON, or a
# `\` line continuation) and indentation
_BREAK = r"[ \t]*(?:\\?\r?\n|\\r\\n|\\n)[ \t]{0,200}"
_MARKER = re.compile("|".join(f"(?:{_BREAK})?".join(map(re.escape, m)) for m in MARKERS))
_RUN = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_LINE_BREAK = re.compile(_BREAK)


class EmbeddedBase64KeyDetector:
    """`scan(text)` returns a finding for each base64 blob that holds a PEM private key anywhere."""

    def scan(self, text: str) -> list[Finding]:
        found: list[Finding] = []
        done = 0  # the end of the last blob widened: hits before it are inside it
        for hit in (m.start() for m in _MARKER.finditer(text)):
            if hit < done:
                continue
            start, end = _blob(text, hit, done)
            done = end
            if holds_private_key(_window(text, start, end, hit)):
                found.append(Finding(CATEGORY, start, end, 0.95, RULE,
                                     "base64 holding a PEM private key after other content"))
        return found


def holds_private_key(compact: str, depth: int = 0) -> bool:
    """Whether base64 (no whitespace), decoded at one of its four alignments, holds a PEM private
    key, or holds base64 that does (a file encoded twice)."""
    for skip in range(4):
        body = compact[skip:]
        try:
            text = base64.b64decode(body[:len(body) // 4 * 4]).decode("latin-1")
        except (binascii.Error, ValueError):
            continue
        if validators.pem_private_key_in(text):
            return True
        if depth == 0:
            for m in _MARKER.finditer(text):
                if holds_private_key(_window(text, *_blob(text, m.start(), 0), m.start()), 1):
                    return True
            inner = text.find("LS0tLS1CRUdJTi")  # a base64 PEM inside (`client-key-data: LS0t...`)
            if inner >= 0 and validators.base64_pem_private_key(text[inner:_blob(text, inner, 0)[1]]):
                return True
    return False


def _compact(blob: str) -> str:
    return re.sub(r"\s|\\[rn]|\\", "", blob)


def _window(text: str, start: int, end: int, hit: int) -> str:
    """The blob `[start, end)` cut to DECODE_AROUND_HIT characters either side of `hit`, compacted."""
    return _compact(text[max(start, hit - DECODE_AROUND_HIT):min(end, hit + DECODE_AROUND_HIT)])


def _blob(text: str, hit: int, floor: int) -> tuple[int, int]:
    """The blob holding `hit`: lines of base64 of the same width joined by line breaks, and a last line
    that may be shorter; it does not start before `floor`."""
    start = _run_start(text, hit, floor)
    end = _RUN.match(text, hit).end()
    width = end - start
    # Lines before: each must be as wide as the hit's line (a shorter run is the end of a word, a
    # label or a hash on the line above); the hit's line may itself be the short last line.
    brk = _LINE_BREAK.match(text, end)
    last_line = text[end - 1:end] == "=" or brk is None or _RUN.match(text, brk.end()).end() - brk.end() < 16
    while True:
        brk = _break_before(text, start, floor)
        if brk is None or text[brk - 1:brk] == "=":  # a padded line ends a blob: not the line above
            break
        run_start = _run_start(text, brk, floor)
        size = brk - run_start
        if size == 0 or not (size == width or (last_line and size > width)):
            break
        start, width, last_line = run_start, size, False
    # Lines after: as wide as the line before them, or one shorter last line, padded or random (not a
    # word, `EOF`, and not the start of `tls.crt:` or `other: value`). A line of more than 200
    # characters is a blob of its own (`base64 -w0`), not wrapped: the next line is another one.
    while text[end - 1:end] != "=" and width <= 200:
        brk = _LINE_BREAK.match(text, end)
        if brk is None:
            break
        run_end = _RUN.match(text, brk.end()).end()
        line = text[brk.end():run_end]
        if len(line) == width:
            end = run_end
            continue
        if 0 < len(line) < width and (line.endswith("=") or (
                not (line.isalpha() and (line.islower() or line.isupper()))
                and not text[run_end:run_end + 1].strip(" \t\r\n\"'\\,}]"))):
            end = run_end
        break
    return start, end


def _is_b64(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in "+/")


def _run_start(text: str, end: int, floor: int) -> int:
    """Where the run of base64 characters that ends at `end` starts, not before `floor`; the `n` or
    `r` of a `\n`/`\r` written out in JSON is a line break, not base64."""
    start = end
    while start > floor and _is_b64(text[start - 1]):
        start -= 1
    if start < end and text[start] in "nr" and start > floor and text[start - 1] == "\\":
        start += 1
    return start


_BREAK_BEFORE = re.compile(_BREAK + "$")


def _break_before(text: str, pos: int, floor: int) -> int | None:
    """The position where a line break that ends right at `pos` starts, or None."""
    m = _BREAK_BEFORE.search(text, max(floor, pos - 220), pos)
    return m.start() if m is not None and m.end() == pos else None
