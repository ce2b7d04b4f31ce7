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
back to the exact original span (`to_original`). The map is built lazily, only when a finding needs it
(and not at all when normalization changed nothing), with array operations; the views themselves are
built by C-level passes: runs of characters that may change go through a `str.translate` table, and the
whitespace regexes start with a character class so the engine skips other characters in C. Two approximations are documented here: NFKC is applied character by character,
so a base letter and a separate combining accent are not composed (they never are in the words the rules
look for); and outside the Basic Multilingual Plane only the blocks attackers use are normalized
(mathematical alphanumerics, enclosed alphanumerics, CJK compatibility ideographs, tags, variation
selectors).
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np

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
_LEET_HINT = re.compile(r"[013457@$](?:(?<=[a-zA-Z].)|(?=[a-zA-Z]))")  # a leet character touching a letter
_WORDISH = re.compile(r"[\w@$]")
_WORDISH_RUN = re.compile(r"[\w@$]*")
_LEET_WORD = re.compile(r"(?<![\w@$])[\w@$]*?(?:[a-zA-Z][013457@$]|[013457@$][a-zA-Z])[\w@$]*")

# Whitespace is collapsed in two C-level passes: line breaks (with the blanks around them) first.
# Each starts with a plain whitespace class, so the regex engine skips non-blank characters in C; the
# lookbehinds then tell the alternatives apart. `_NEWLINE_RUN` is `[^\S\n]+\n\s*|\n\s+` and `_SPACE_RUN`
# is `[^\S\n]{2,}|[^\S\n ]` written that way.
_NEWLINE_RUN = re.compile(r"\s(?:(?<=[^\S\n])[^\S\n]*\n\s*|(?<=\n)\s+)")  # a bare "\n" stays
_SPACE_RUN = re.compile(r"[^\S\n](?:[^\S\n]+|(?<=[^\S\n ]))")
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
_CHANGED = [cp for cp in _SCANNED if _changes(cp)]
_NEEDS_CHANGE = re.compile(_char_class(_CHANGED))


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
# The same as a `str.translate` table, filled at import (a few thousand entries): translating runs of
# non-ASCII characters in C is several times faster than a regex over a class this large.
_TRANSLATE: dict[int, str] = {cp: _normalize_char(chr(cp)) for cp in _CHANGED}
_TABLE.update(_TRANSLATE)
# Runs of what translation may touch: controls and non-ASCII characters, but not the common Chinese
# characters (CJK Unified Ideographs and Extension A), which normalization never changes.
_MAYBE_CHANGED_RUN = re.compile(r"[^\t\n\r\x20-\x7e\u3400-\u4dbf\u4e00-\u9fff]+")
assert not any(0x3400 <= cp <= 0x4DBF or 0x4E00 <= cp <= 0x9FFF for cp in _CHANGED)
_CHANGED_POINTS = np.array(_CHANGED, dtype=np.uint32)  # sorted
_CHANGED_LENGTHS = np.array([len(_TRANSLATE[cp]) for cp in _CHANGED], dtype=np.int64)


def _translate_run(m: re.Match[str]) -> str:
    return m.group().translate(_TRANSLATE)



def _collapse(text: str) -> tuple[str, str]:
    """(text after the line-break pass, text after both passes)."""
    # `in` tests run in C and spare the regex passes for text that does not need them
    if "\n" in text:
        text = _NEWLINE_RUN.sub("\n", text)
    lines_done = text
    if "  " in text or _ODD_SPACE.search(text):
        text = _SPACE_RUN.sub(" ", text)
    return lines_done, text


def _deleted_by(pattern: re.Pattern[str], text: str) -> np.ndarray | None:
    """Positions of `text` that `pattern.sub(<one character>, text)` drops, or None when it drops none.

    Each match is replaced by one character that takes the place (and the origin) of the match's first
    character, so the others are dropped.
    """
    spans = [m.span() for m in pattern.finditer(text) if m.end() - m.start() > 1]
    if not spans:
        return None
    bounds = np.array(spans, dtype=np.int64)
    change = np.zeros(len(text) + 1, dtype=np.int64)
    change[bounds[:, 0] + 1] += 1  # matches do not overlap, so no index repeats
    change[bounds[:, 1]] -= 1
    return np.cumsum(change[:-1]) > 0


class NormalizedText:
    """The normalized views of one text and the map from their offsets to the original's."""

    __slots__ = ("_folded", "_leet_spans", "_origin", "_steps", "original", "text")

    def __init__(self, original: str, text: str, steps: tuple[str, str] | None = None) -> None:
        self.original = original
        self.text = text
        self._steps = steps  # the text after translation and after the line-break pass, for the offset map
        self._folded: str | None = None
        self._leet_spans: list[tuple[int, int]] = []
        self._origin: np.ndarray | None = None

    def _fold(self) -> None:
        parts: list[str] = []
        pos = 0
        if not _LEET_HINT.search(self.text):
            self._folded = self.text
            return
        for start, end in self._leet_words():
            word = self.text[start:end]
            folded = word.translate(_LEET)
            if folded != word:
                parts += (self.text[pos:start], folded)
                pos = end
                self._leet_spans.append((start, end))
        self._folded = "".join(parts) + self.text[pos:] if parts else self.text

    def _leet_words(self):
        """Spans of the words `_LEET_WORD` matches, found from the (rare) leet characters outwards."""
        text = self.text
        word_end = 0
        for hint in _LEET_HINT.finditer(text):
            at = hint.start()
            if at < word_end:
                continue
            start = at
            while start > word_end and _WORDISH.match(text, start - 1):
                start -= 1
                if at - start > 64:  # a long run of word characters: let the regex take over from here
                    for m in _LEET_WORD.finditer(text, word_end):
                        yield m.span()
                    return
            word_end = _WORDISH_RUN.match(text, at).end()
            yield start, word_end

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
        if not self.text:
            return 0, 0
        if self.text is self.original:  # nothing changed: offsets are the same
            return start, end
        if self._origin is None:
            self._origin = self._build_origin()
        origin = self._origin
        start = min(max(start, 0), len(origin) - 1)
        last = min(max(end - 1, start), len(origin) - 1)
        return int(origin[start]), int(origin[last]) + 1

    def spans_to_original(self, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """`to_original` for many spans at once (one array operation instead of one call per span)."""
        if not spans or not self.text or self.text is self.original:
            return [self.to_original(s, e) for s, e in spans]
        if self._origin is None:
            self._origin = self._build_origin()
        origin = self._origin
        top = len(origin) - 1
        bounds = np.array(spans, dtype=np.int64).reshape(-1, 2)
        starts = np.clip(bounds[:, 0], 0, top)
        lasts = np.clip(np.maximum(bounds[:, 1] - 1, starts), 0, top)
        return list(zip(origin[starts].tolist(), (origin[lasts] + 1).tolist()))

    def _build_origin(self) -> np.ndarray:
        """The original index of every character of `text`, built with array operations.

        The three steps of `normalize` are replayed: each original character becomes as many characters
        as its replacement has (zero when removed), then the two whitespace passes drop characters.
        """
        original = self.original
        lengths = None
        if not original.isascii() or _ASCII_CONTROL.search(original):
            points = np.frombuffer(original.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
            at = np.minimum(np.searchsorted(_CHANGED_POINTS, points), len(_CHANGED_POINTS) - 1)
            changed = _CHANGED_POINTS[at] == points
            if changed.any():
                lengths = np.ones(len(original), dtype=np.int64)
                lengths[changed] = _CHANGED_LENGTHS[at[changed]]
        if lengths is None:
            origin = np.arange(len(original), dtype=np.int64)
        else:
            origin = np.repeat(np.arange(len(original), dtype=np.int64), lengths)
        steps = self._steps
        if steps is None:
            steps = _translate(original), _collapse(_translate(original))[0]
        for pattern, text in ((_NEWLINE_RUN, steps[0]), (_SPACE_RUN, steps[1])):
            dropped = _deleted_by(pattern, text)
            if dropped is not None:
                origin = origin[~dropped]
        assert len(origin) == len(self.text), "offset map out of step with the normalized view"
        return origin


def _translate(text: str) -> str:
    """Step one of `normalize`: every character through NFKC and the look-alike map, invisibles removed."""
    if text.isascii():  # the common case: only control characters can change
        return _ASCII_CONTROL.sub("", text) if _ASCII_CONTROL.search(text) else text
    return _MAYBE_CHANGED_RUN.sub(_translate_run, text)


def normalize(text: str) -> NormalizedText:
    """Normalize `text` for matching; see the module docstring for what each view contains."""
    translated = _translate(text)
    lines_done, collapsed = _collapse(translated)
    if collapsed == text:
        return NormalizedText(text, text)  # `text is original` tells `to_original` nothing moved
    return NormalizedText(text, collapsed, (translated, lines_done))
