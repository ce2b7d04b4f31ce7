"""Find text hidden in base64, hex, URL-encoding and ROT13, also nested, and hand it back for scanning.

This module only decodes; it does not judge. `find_encoded_payloads()` returns every blob that decodes to
readable text, with the span of the blob in the scanned text and the chain of encodings, and the injection
detector scans each decoded text with its rules. A payload becomes a finding (`anomaly.encoded_instruction`)
only when its decoded text holds an instruction, so ordinary base64 (images, certificates, keys, random
tokens) costs a decode attempt and is dropped: it does not decode to readable text, or what it decodes to
is harmless.

Bounds, so a hostile body cannot make decoding expensive: at most `max_layers` nested layers, blobs longer
than `max_blob` characters are skipped, decoding stops after `max_total` decoded characters or
`max_payloads` payloads.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote_plus


@dataclass(frozen=True, slots=True)
class DecodedPayload:
    """Decoded text and where its outermost encoded blob sits in the scanned text."""

    text: str
    start: int
    end: int
    layers: tuple[str, ...]  # outermost first, e.g. ("base64", "hex")


# Each blob is group 1, after a character that cannot precede it: a search whose first character must
# be such a character skips the inside of words in C, where a look-behind or a `^|` alternative makes
# the engine try every position (base64 and hex take half the time on prose). The scanned text is
# searched with a newline in front (`_decode_layer`), so a blob at its very start is found too. A base64
# blob may follow `=` (`?q=…`, `output=…`): query strings and key=value logs carry payloads too.
_BASE64 = re.compile(r"[^A-Za-z0-9+/_-]([A-Za-z0-9+/_-]{16,}={0,2})(?![A-Za-z0-9+/=_-])")
_HEX = re.compile(r"[^0-9A-Za-z]((?:\\x|0x)?[0-9a-fA-F]{2}(?:[ :,]?(?:\\x|0x)?[0-9a-fA-F]{2}){7,})"
                  r"(?![0-9A-Za-z])")
_HEX_NOISE = re.compile(r"\\x|0x|[ :,]")
_URL = re.compile(r"(?<!\S)(\S*%[0-9A-Fa-f]{2}\S*)")
_URL_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")

# ROT13 has no shape to match, so look for the ROT13 forms of words that injections use.
_ROT13_WORDS = ("ignore", "instructions", "previous", "disregard", "system prompt", "reveal",
                "password", "forget", "you are now", "developer mode")
_ROT13_FORMS = tuple(codecs.encode(w, "rot13") for w in _ROT13_WORDS)
_ROT13_HINT = re.compile("|".join(re.escape(w) for w in _ROT13_FORMS), re.IGNORECASE)


def _readable(data: bytes) -> str | None:
    """`data` as text when it is UTF-8 made of printable characters and whitespace, else None."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if len(text.strip()) < 4:
        return None
    printable = sum(1 for c in text if c.isprintable() or c in "\n\r\t")
    return text if printable >= 0.95 * len(text) and any(c.isalpha() for c in text) else None


def _decode_base64(blob: str) -> str | None:
    # base64 of text mixes cases; long words and hex do not. (Compared with the lower- and upper-cased
    # blob, which is linear; a regex like `[a-z].*[A-Z]` is quadratic on a long one-case blob.)
    if blob == blob.lower() or blob == blob.upper():
        return None
    raw = blob.rstrip("=")
    try:
        if "-" in raw or "_" in raw:
            data = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
        else:
            data = base64.b64decode(raw + "=" * (-len(raw) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None
    return _readable(data)


def _decode_hex(blob: str) -> str | None:
    digits = _HEX_NOISE.sub("", blob)
    if len(digits) % 2:
        return None
    try:
        return _readable(bytes.fromhex(digits))
    except ValueError:
        return None


def _decode_url(blob: str) -> str | None:
    if len(_URL_ESCAPE.findall(blob)) < 3:  # one or two escapes are ordinary URLs, not hiding
        return None
    decoded = unquote_plus(blob)
    return decoded if decoded != blob else None


_DECODERS: tuple[tuple[str, re.Pattern[str], Callable[[str], str | None]], ...] = (
    ("base64", _BASE64, _decode_base64),
    ("hex", _HEX, _decode_hex),
    ("url", _URL, _decode_url),
)


def _rot13_span(text: str) -> tuple[int, int] | None:
    """The lines holding ROT13 forms of attack words, or None."""
    lowered = text.lower()
    if not any(form in lowered for form in _ROT13_FORMS):  # plain `in` is far cheaper than the regex
        return None
    hits = list(_ROT13_HINT.finditer(text))
    if not hits:
        return None
    start = text.rfind("\n", 0, hits[0].start()) + 1
    end = text.find("\n", hits[-1].end())
    return start, len(text) if end < 0 else end


def _decode_layer(text: str, max_blob: int) -> list[tuple[int, int, str, str]]:
    """(start, end, encoding, decoded) for each blob in `text` that decodes to readable text."""
    out = []
    padded = "\n" + text  # see _BASE64: offsets in `padded` are one more than in `text`
    for name, pattern, decode in _DECODERS:
        if name == "url" and _URL_ESCAPE.search(text) is None:  # `%` alone is common in prose
            continue
        for m in pattern.finditer(padded):
            blob = m.group(1)
            if len(blob) > max_blob:
                continue
            decoded = decode(blob)
            if decoded is not None:
                out.append((m.start(1) - 1, m.end(1) - 1, name, decoded))
    span = _rot13_span(text)
    if span is not None:
        out.append((span[0], span[1], "rot13", codecs.encode(text[span[0]:span[1]], "rot13")))
    return out


def find_encoded_payloads(text: str, *, max_layers: int = 3, max_blob: int = 65_536,
                          max_total: int = 262_144, max_payloads: int = 32) -> list[DecodedPayload]:
    """Every readable text hidden in `text`, up to `max_layers` deep; spans are in `text`'s offsets."""
    payloads: list[DecodedPayload] = []
    total = 0
    frontier: list[tuple[str, int, int, tuple[str, ...]]] = [(text, 0, len(text), ())]
    for _ in range(max_layers):
        next_frontier = []
        for current, outer_start, outer_end, layers in frontier:
            for start, end, name, decoded in _decode_layer(current, max_blob):
                if len(payloads) >= max_payloads or total + len(decoded) > max_total:
                    return payloads
                span = (start, end) if not layers else (outer_start, outer_end)
                payload = DecodedPayload(decoded, span[0], span[1], (*layers, name))
                payloads.append(payload)
                total += len(decoded)
                next_frontier.append((decoded, span[0], span[1], payload.layers))
        frontier = next_frontier
        if not frontier:
            break
    return payloads
