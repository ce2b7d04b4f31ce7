"""Text normalization before injection matching, with a way back to the original offsets.

Attackers dress the same words up so that a literal regex misses them: fullwidth or mathematical
letters (`ｉｇｎｏｒｅ`, `𝐢𝐠𝐧𝐨𝐫𝐞`), Cyrillic or Greek look-alikes (`іgnоrе`), zero-width characters between
letters (`ig\u200bnore`), leetspeak (`1gn0r3`) and odd spacing. `normalize()` builds two views:

- `text`: every character through NFKC, then the confusables map below; invisible and control characters
  removed; runs of spaces collapsed to one space and runs of whitespace holding a line break to one `\\n`.
  Case is kept (rules match case-insensitively).
- `folded`: `text` with leetspeak folded to letters (`1gn0r3` -> `ignore`) in words that mix letters with
  leet digits or symbols, character for character, so it shares `text`'s offsets. Numbers stay numbers.

Offsets: every character of the views comes from exactly one original character, so a span in a view maps
back to the exact original span (`to_original`). The map costs a Python loop, so it is built lazily, only
when a finding needs it; the views themselves are built by C-level regex passes that touch only the
characters that change. Two approximations are documented here: NFKC is applied character by character,
so a base letter and a separate combining accent are not composed (they never are in the words the rules
look for); and outside the Basic Multilingual Plane only the blocks attackers use are normalized
(mathematical alphanumerics, enclosed alphanumerics, CJK compatibility ideographs, tags, variation
selectors).
"""

from __future__ import annotations

import re
import unicodedata

# Characters that render as nothing (or nearly) and are used to split words: zero-width space/joiners,
# word joiner and invisible operators, bidi marks and controls, BOM, soft hyphen, Mongolian vowel
# separator, combining grapheme joiner, Hangul fillers. Unicode tag characters (U+E0000..U+E007F) and
# variation selectors are removed too: both can smuggle data but never change how a word reads.
_INVISIBLE = frozenset(
    [0x00AD, 0x034F, 0x115F, 0x1160, 0x180E, 0x3164, 0xFEFF, 0xFFA0]
    + list(range(0x200B, 0x2010))
    + list(range(0x202A, 0x202F))
    + list(range(0x2060, 0x2070))
    + list(range(0xFE00, 0xFE10))
    + list(range(0xE0000, 0xE0080))
    + list(range(0xE0100, 0xE01F0))
)

# Look-alikes NFKC leaves alone: Cyrillic and Greek letters that read as Latin ones, and a few others.
CONFUSABLES: dict[str, str] = {
    # Cyrillic lower case
    "а": "a", "в": "b", "с": "c", "ԁ": "d", "е": "e", "һ": "h", "і": "i", "ј": "j", "к": "k",
    "ӏ": "l", "м": "m", "п": "n", "о": "o", "р": "p", "ԛ": "q", "ѕ": "s", "т": "t", "у": "y",
    "ѵ": "v", "ԝ": "w", "х": "x", "ё": "e", "ї": "i",
    # Cyrillic upper case
    "А": "A", "В": "B", "С": "C", "Е": "E", "Н": "H", "І": "I", "Ј": "J", "К": "K", "М": "M",
    "О": "O", "Р": "P", "Ѕ": "S", "Т": "T", "Х": "X", "У": "Y", "Ԝ": "W", "Ӏ": "l",
    # Greek
    "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t",
    "υ": "u", "χ": "x", "γ": "y", "ϲ": "c", "ϳ": "j",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    # Latin and symbols
    "ı": "i", "ȷ": "j", "ℓ": "l", "ɑ": "a", "ɡ": "g", "ɩ": "i", "ʏ": "y", "ᴀ": "A", "ʀ": "R",
    "İ": "I",  # the one letter whose lower case is two characters; mapping it keeps lower() length-safe
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-",
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "‟": '"',
}

# Leetspeak folding for the `folded` view; one character for one so offsets stay shared with `text`.
# `1` could be `l` as well as `i`; `i` is the commoner substitution in attack words ("1gnore", "1nstruct").
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
# A word of letters, digits, @ and $ in which a leet character touches a letter.
_LEET_HINT = re.compile(r"[a-zA-Z][013457@$]|[013457@$][a-zA-Z]")  # cheap test before _LEET_WORD
_LEET_WORD = re.compile(r"(?<![\w@$])[\w@$]*?(?:[a-zA-Z][013457@$]|[013457@$][a-zA-Z])[\w@$]*")

# Whitespace is collapsed in two C-level passes: line breaks (with the blanks around them) first.
_NEWLINE_RUN = re.compile(r"[^\S\n]+\n\s*|\n\s+")  # only runs that change: a bare "\n" stays
_SPACE_RUN = re.compile(r"[^\S\n]{2,}|[^\S\n ]")
_ODD_SPACE = re.compile(r"[^\S\n ]")
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # what _NEEDS_CHANGE holds below 0x80


def _changes(cp: int) -> bool:
    ch = chr(cp)
    category = unicodedata.category(ch)
    return (cp in _INVISIBLE or ch in CONFUSABLES or category == "Cf"
            or (category == "Cc" and ch not in "\t\n\r")
            or (cp > 0x7F and unicodedata.normalize("NFKC", ch) != ch))


def _char_class(codepoints: list[int]) -> str:
    """A regex character class matching exactly `codepoints` (sorted), written as ranges."""
    parts = []
    i = 0
    while i < len(codepoints):
        j = i
        while j + 1 < len(codepoints) and codepoints[j + 1] == codepoints[j] + 1:
            j += 1
        lo, hi = codepoints[i], codepoints[j]
        parts.append(re.escape(chr(lo)) if lo == hi else f"{re.escape(chr(lo))}-{re.escape(chr(hi))}")
        i = j + 1
    return "[" + "".join(parts) + "]"


# Every character normalization changes, found once at import (about 40 ms): the BMP minus surrogates,
# and the supplementary blocks named in the module docstring.
_SCANNED = [*range(0x00, 0xD800), *range(0xE000, 0x10000), *range(0x1D400, 0x1D800),
            *range(0x1F100, 0x1F200), *range(0x1FBF0, 0x1FBFA), *range(0x2F800, 0x2FA20),
            *range(0xE0000, 0xE01F0)]
_NEEDS_CHANGE = re.compile(_char_class([cp for cp in _SCANNED if _changes(cp)]))


def _normalize_char(ch: str) -> str:
    """The replacement for one original character ('' when it is removed)."""
    if not _NEEDS_CHANGE.match(ch):
        return ch
    cp = ord(ch)
    category = unicodedata.category(ch)
    if cp in _INVISIBLE or category == "Cf" or category == "Cc":
        return ""
    out = unicodedata.normalize("NFKC", ch)
    return "".join(CONFUSABLES.get(c, c) for c in out)


class _CharTable(dict):
    """Code point -> replacement, computed and memoized on first use."""

    def __missing__(self, cp: int) -> str:
        value = _normalize_char(chr(cp))
        self[cp] = value
        return value


_TABLE = _CharTable()


def _replace(m: re.Match[str]) -> str:
    return _TABLE[ord(m.group())]


def _collapse(text: str) -> str:
    # `in` tests run in C and spare the regex passes for text that does not need them
    if "\n" in text:
        text = _NEWLINE_RUN.sub("\n", text)
    if "  " in text or _ODD_SPACE.search(text):
        text = _SPACE_RUN.sub(" ", text)
    return text


def _tracked_sub(pattern: re.Pattern[str], repl: str, text: str, origin: list[int]
                 ) -> tuple[str, list[int]]:
    """`pattern.sub(repl, text)` that also carries `origin` (one original index per character)."""
    parts: list[str] = []
    new_origin: list[int] = []
    pos = 0
    for m in pattern.finditer(text):
        parts.append(text[pos:m.start()])
        new_origin.extend(origin[pos:m.start()])
        parts.append(repl)
        new_origin.extend([origin[m.start()]] * len(repl))
        pos = m.end()
    parts.append(text[pos:])
    new_origin.extend(origin[pos:])
    return "".join(parts), new_origin


class NormalizedText:
    """The normalized views of one text and the map from their offsets to the original's."""

    __slots__ = ("original", "text", "_folded", "_leet_spans", "_origin")

    def __init__(self, original: str, text: str) -> None:
        self.original = original
        self.text = text
        self._folded: str | None = None
        self._leet_spans: list[tuple[int, int]] = []
        self._origin: list[int] | None = None

    def _fold(self) -> None:
        parts: list[str] = []
        pos = 0
        if not _LEET_HINT.search(self.text):
            self._folded = self.text
            return
        for m in _LEET_WORD.finditer(self.text):
            folded = m.group().translate(_LEET)
            if folded != m.group():
                parts += (self.text[pos:m.start()], folded)
                pos = m.end()
                self._leet_spans.append(m.span())
        self._folded = "".join(parts) + self.text[pos:] if parts else self.text

    @property
    def folded(self) -> str:
        """`text` with leet words folded (`1gn0r3` -> `ignore`); the same object when nothing folds."""
        if self._folded is None:
            self._fold()
        return self._folded

    @property
    def leet_spans(self) -> list[tuple[int, int]]:
        """Spans of `text` that `folded` changes."""
        if self._folded is None:
            self._fold()
        return self._leet_spans

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of `text` (or `folded`) to the span of the original characters it came from."""
        if self._origin is None:
            self._origin = self._build_origin()
        origin = self._origin
        if not origin:
            return 0, 0
        start = min(max(start, 0), len(origin) - 1)
        last = min(max(end - 1, start), len(origin) - 1)
        return origin[start], origin[last] + 1

    def _build_origin(self) -> list[int]:
        chars: list[str] = []
        origin: list[int] = []
        pos = 0
        for m in _NEEDS_CHANGE.finditer(self.original):  # unchanged runs are copied as ranges, in C
            i = m.start()
            chars.append(self.original[pos:i])
            origin.extend(range(pos, i))
            out = _TABLE[ord(m.group())]
            chars.append(out)
            origin.extend([i] * len(out))
            pos = i + 1
        chars.append(self.original[pos:])
        origin.extend(range(pos, len(self.original)))
        text = "".join(chars)
        text, origin = _tracked_sub(_NEWLINE_RUN, "\n", text, origin)
        text, origin = _tracked_sub(_SPACE_RUN, " ", text, origin)
        assert text == self.text, "offset map out of step with the normalized view"
        return origin


def normalize(text: str) -> NormalizedText:
    """Normalize `text` for matching; see the module docstring for what each view contains."""
    if text.isascii():  # the common case: only control characters can change
        translated = _ASCII_CONTROL.sub("", text) if _ASCII_CONTROL.search(text) else text
    else:
        translated = _NEEDS_CHANGE.sub(_replace, text)
    return NormalizedText(text, _collapse(translated))
