"""Unicode tricks that hide or disguise text: `anomaly.<kind>` findings.

- `anomaly.invisible`: zero-width and other invisible characters used to split words or carry hidden data.
  A BOM at the very start, a zero-width joiner inside an emoji sequence (👩‍💻) and the presentation
  selector of a keycap emoji (1️⃣) are normal and not counted; a zero-width (non-)joiner next to a non-Latin letter is normal in Arabic, Persian and Indic
  scripts and not counted either. Fewer than `INVISIBLE_THRESHOLD` counted characters are not reported.
- `anomaly.bidi`: bidirectional embedding, override and isolate controls (the Trojan Source trick: code or
  text that displays differently from how it reads). LRM/RLM marks are normal in right-to-left text and
  not reported.
- `anomaly.tag_chars`: Unicode tag characters (U+E0000 block) spell invisible ASCII. The hidden text is
  decoded and returned, so the injection rules can scan it. Tag sequences after the black flag (🏴, the
  England/Scotland/Wales flags) are emoji and not reported.
- `anomaly.homoglyph`: words mixing Latin letters with Cyrillic or Greek look-alikes (`pаypal` with a
  Cyrillic `а`).

All checks are skipped for text holding none of the characters they look for (one search), the common case.
"""

from __future__ import annotations

import re
import unicodedata

from aegis_addons.detect.encoding import DecodedPayload
from aegis_addons.detect.findings import Finding

INVISIBLE_THRESHOLD = 3

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060-\u2064\ufeff\u00ad\u180e\u034f\u115f\u1160"
                         "\u3164\uffa0\ufe00-\ufe0f\U000e0100-\U000e01ef]")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_BIDI_OVERRIDE = frozenset("\u202d\u202e")  # LRO/RLO reverse what follows: the strongest trick
_TAG_RUN = re.compile("[\U000e0000-\U000e007f]+")
_BLACK_FLAG = "\U0001f3f4"
_GREEK_CYRILLIC = re.compile("[\u0370-\u03ff\u0400-\u052f]")
_ASCII_LETTER = re.compile("[A-Za-z]")
_WORD = re.compile(r"[^\W\d_]+")
# Every character any check below looks at; text without one of them is skipped with one C-level search.
_ANY_SUSPECT = re.compile("[\u00ad\u034f\u0370-\u052f\u115f\u1160\u180e\u200b-\u200d\u202a-\u202e"
                          "\u2060-\u2064\u2066-\u2069\u3164\ufe00-\ufe0f\ufeff\uffa0"
                          "\U000e0000-\U000e007f\U000e0100-\U000e01ef]")


def _is_emoji(ch: str) -> bool:
    cp = ord(ch)
    return (0x1F000 <= cp <= 0x1FAFF or 0x2600 <= cp <= 0x27BF or cp == 0xFE0F
            or unicodedata.category(ch) == "So")


def _is_non_latin_letter(ch: str) -> bool:
    return ch.isalpha() and not ch.isascii()


def _counts(text: str, i: int, ch: str) -> bool:
    """Whether the invisible character `ch` at `i` is suspicious rather than a normal use."""
    if ch == "\ufeff" and i == 0:
        return False
    before = text[i - 1] if i > 0 else ""
    after = text[i + 1] if i + 1 < len(text) else ""
    if ch == "\u200d" and before and after and _is_emoji(before) and _is_emoji(after):
        return False
    if "\ufe00" <= ch <= "\ufe0f" and before and _is_emoji(before):
        return False  # emoji presentation selectors
    if ch in "\ufe0e\ufe0f" and after == "\u20e3" and before and before in "0123456789#*":
        return False  # keycap emoji: digit, presentation selector, combining keycap (1️⃣)
    if ch in "\u200c\u200d" and ((before and _is_non_latin_letter(before))
                                 or (after and _is_non_latin_letter(after))):
        return False
    return True


def _invisible(text: str) -> list[Finding]:
    positions = [m.start() for m in _ZERO_WIDTH.finditer(text) if _counts(text, m.start(), m.group())]
    if len(positions) < INVISIBLE_THRESHOLD:
        return []
    score = min(0.9, 0.5 + 0.05 * len(positions))
    return [Finding("anomaly.invisible", positions[0], positions[-1] + 1, score, "invisible_chars",
                    f"invisible characters: {len(positions)}")]


def _bidi(text: str) -> list[Finding]:
    found = list(_BIDI.finditer(text))
    if not found:
        return []
    override = any(m.group() in _BIDI_OVERRIDE for m in found)
    return [Finding("anomaly.bidi", found[0].start(), found[-1].end(), 0.8 if override else 0.6,
                    "bidi_controls",
                    f"{len(found)} bidi control characters" + (" incl. override" if override else ""))]


def _tags(text: str) -> tuple[list[Finding], list[DecodedPayload]]:
    findings: list[Finding] = []
    payloads: list[DecodedPayload] = []
    for m in _TAG_RUN.finditer(text):
        if m.start() > 0 and text[m.start() - 1] == _BLACK_FLAG and len(m.group()) <= 8:
            continue
        hidden = "".join(chr(ord(c) - 0xE0000) for c in m.group() if 0xE0020 <= ord(c) <= 0xE007E)
        findings.append(Finding("anomaly.tag_chars", m.start(), m.end(), 0.85, "unicode_tags",
                                f"invisible tag characters: {len(m.group())}"))
        if hidden.strip():
            payloads.append(DecodedPayload(hidden, m.start(), m.end(), ("unicode_tags",)))
    return findings, payloads


def _homoglyphs(text: str) -> list[Finding]:
    if not _GREEK_CYRILLIC.search(text):
        return []
    mixed = [m for m in _WORD.finditer(text)
             if _ASCII_LETTER.search(m.group()) and _GREEK_CYRILLIC.search(m.group())]
    if not mixed:
        return []
    score = min(0.8, 0.5 + 0.1 * (len(mixed) - 1))
    return [Finding("anomaly.homoglyph", mixed[0].start(), mixed[-1].end(), score, "mixed_script_words",
                    f"words mixing Latin with Cyrillic or Greek letters: {len(mixed)}")]


def scan_unicode(text: str) -> tuple[list[Finding], list[DecodedPayload]]:
    """Anomaly findings for `text`, and the text hidden in tag characters (to be scanned in turn)."""
    if text.isascii() or not _ANY_SUSPECT.search(text):
        return [], []
    tag_findings, hidden = _tags(text)
    return _invisible(text) + _bidi(text) + tag_findings + _homoglyphs(text), hidden
