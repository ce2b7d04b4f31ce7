"""YAML rule packs: declarative regex rules with keyword prefilters, validators and context words.

A rule pack is a YAML file:

    family: secret                 # default family for categories written without one
    fragments:                     # optional: regex pieces several rules share, written once
      checked_value: '(?:\\w+\\.)?password'
    rules:
      - id: github_classic_token
        category: secret.github_token
        regex: '\\bghp_[A-Za-z0-9]{36}\\b'
        keywords: [ghp_]           # cheap prefilter: rule runs only if one keyword is in the text
        score: 0.95
        group: 0                   # which regex group is the finding (name or number; default 0)
        validator: luhn            # a name from VALIDATORS (or a list: all must pass); else dropped
        bare_validator: not_code_identifier  # like `validator`, but only for a value that stands bare
                                   # (no quote right before it, not in a `NAME=value` line of a .env
                                   # file or shell script): code names look like that, literals don't
        context: [card, visa]      # words near the match raise the score by context_boost; a word
                                   # that starts with a letter or digit must start a word of the text
                                   # (`ip` is not found in `pip`, `ach` not in `each`)
        context_boost: 0.2
        context_window: 48         # characters either side searched for context words
        requires_context: false    # true: drop the match unless a context word is near (the
                                   # context words then also act as a prefilter, like keywords)
        min_entropy: 3.0           # Shannon entropy (bits/char) the value must reach
        flags: [IGNORECASE]
        whole_value: false         # true: the finding covers the whole value even where the regex stops
                                   # early (at a space, `;`, `,`, `&`): to its closing quote, to the end
                                   # of its token, or in a URL query to the next `&` (`_whole_value_end`)
        match_at_keywords: false   # true: the regex starts with one of the keywords; it is tried
                                   # only where a keyword occurs (fast for keyword-led rules). Where
                                   # the regex shows it (literal text that begins with a keyword after
                                   # `\b` or look-arounds), the loader finds this itself (`keyword_led`)
        anchor: digits             # optional: the detector runs the rule only around candidate
                                   # spans of this kind (see PiiDetector), not over the whole text
        examples: {match: [...], no_match: [...]}   # checked by the tests, not at run time

A rule's regex names a fragment as `(?&checked_value)` (the subroutine syntax of PCRE, which Python's `re`
rejects, so it never means anything else); it is replaced by the fragment in a non-capturing group before
compiling. A fragment may use the fragments defined above it. Capturing groups inside a fragment count
in every rule that uses it, like groups written out.

Packs are validated once at load: a bad regex, an unknown validator or a missing field raises
RulePackError naming the file and rule, so a broken pack never half-loads.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import ahocorasick
import yaml

from aegis_addons.detect.findings import Finding
from aegis_addons.detect.lines import line_end, line_start_within, token_start

Validator = Callable[[str], bool]

# Validators are registered by the modules that know the domain (checksums live beside the PII rules).
VALIDATORS: dict[str, Validator] = {}


def validator(name: str) -> Callable[[Validator], Validator]:
    """Register a validator under `name` for use in rule packs."""

    def register(fn: Validator) -> Validator:
        VALIDATORS[name] = fn
        return fn

    return register


class RulePackError(ValueError):
    """A rule pack that cannot be loaded; the message names the file and the rule."""


_FLAG_NAMES = {"IGNORECASE": re.IGNORECASE, "MULTILINE": re.MULTILINE, "DOTALL": re.DOTALL,
               "VERBOSE": re.VERBOSE}


# Letters a case-insensitive regex takes for an ASCII one (`(?i)s` matches `ſ`, `(?i)i` matches `ı` and `İ`)
# that lower-casing leaves as they are: mapped here, so a keyword search finds every place the regex can.
_FOLDS_TO_ASCII = str.maketrans({"ſ": "s", "ı": "i", "İ": "i"})


def lower_same_length(text: str) -> str:
    """Lower-case without changing offsets (`İ`.lower() is two characters), so spans stay aligned;
    `ſ`, `ı` and `İ` become `s`, `i`, `i` as case-insensitive matching reads them."""
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    if "ſ" in lowered or "ı" in lowered or "İ" in lowered:
        lowered = lowered.translate(_FOLDS_TO_ASCII)
    return lowered


def shannon_entropy(value: str) -> float:
    """Bits per character; random base64 tokens score above 4, English words below 3.5."""
    if not value:
        return 0.0
    counts = Counter(value)
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def _any_in(words: tuple[str, ...], text: str) -> bool:
    """Does any of `words` occur in `text`? A loop, not a generator: this runs for every rule on every
    text and window, and a generator's set-up costs more than the few `in` tests it usually makes."""
    for word in words:
        if word in text:
            return True
    return False


# How far past its context window a context-led rule looks for its value: the longest value it takes.
_CONTEXT_MARGIN = 96


@dataclass(slots=True)
class RegexRule:
    id: str
    category: str
    pattern: re.Pattern[str]
    score: float = 0.9
    group: int | str = 0
    keywords: tuple[str, ...] = ()
    validator: Validator | None = None
    bare_validator: Validator | None = None
    context: tuple[str, ...] = ()
    context_boost: float = 0.2
    context_window: int = 48
    requires_context: bool = False
    min_entropy: float = 0.0
    anchor: str | None = None
    match_at_keywords: bool = False
    # Derived from the regex (`keyword_led`): every match starts at a keyword, so where keywords are
    # rare the regex is tried only at them; where they are common, over the whole text (same matches).
    keyword_led: bool = False
    whole_value: bool = False
    # Set by the detector for `whole_value` rules: a value it returns True for (a placeholder) is dropped
    # here, before the span is widened, since the widened span may hold unrelated words (`<br>`, "example").
    drop_value: Callable[[str], bool] | None = None
    examples: dict[str, list[str]] = field(default_factory=dict)
    context_pattern: re.Pattern[str] | None = None  # built from `context` by compile_rule

    def applies_to(self, lowered_text: str) -> bool:
        if self.requires_context and not _any_in(self.context, lowered_text):
            return False
        return not self.keywords or _any_in(self.keywords, lowered_text)

    def _has_context(self, text: str, lowered_text: str, start: int, end: int) -> bool:
        lo, hi = max(0, start - self.context_window), end + self.context_window
        if not _any_in(self.context, lowered_text[lo:hi]):  # the common case, in C
            return False
        if self.context_pattern is None:
            return True
        same_length = len(text) == len(lowered_text)
        for m in self.context_pattern.finditer(lowered_text, lo, hi):
            i = m.start()
            if (i == 0 or not _starts_alnum(m.group()) or lowered_text[i - 1] not in _ALNUM
                    or (same_length and text[i - 1].islower() and text[i].isupper())):  # camelCase: userSSN
                return True
        return False

    def _keywords_rare(self, lowered: str) -> bool:
        """Few enough keyword occurrences that trying the regex at each (a Python loop) beats one
        `finditer` over the text (in C): about one per 64 characters is where they cost the same."""
        budget = len(lowered) // 64 + 8
        for keyword in self.keywords:
            budget -= lowered.count(keyword)
            if budget < 0:
                return False
        return True

    def _keyword_matches(self, text: str, lowered: str) -> Iterator[re.Match[str]]:
        """Like finditer, but only tries the regex where a keyword starts (str.find is C-fast)."""
        starts = set()
        for keyword in self.keywords:
            pos = lowered.find(keyword)
            while pos != -1:
                starts.add(pos)
                pos = lowered.find(keyword, pos + 1)
        end = 0
        for pos in sorted(starts):
            if pos >= end and (m := self.pattern.match(text, pos)):
                end = max(m.end(), pos + 1)
                yield m

    def _matches_near_context(self, text: str, lowered: str) -> Iterator[re.Match[str]]:
        """A rule that needs a context word only looks around the context words of a long text: the
        match is kept only with one of them within `context_window` anyway, and a regex of many
        alternatives run over 100 KB costs milliseconds."""
        reach = self.context_window + _CONTEXT_MARGIN
        spans = []
        for word in self.context:
            pos = lowered.find(word)
            while pos != -1:
                spans.append((max(0, pos - reach), min(len(text), pos + len(word) + reach)))
                pos = lowered.find(word, pos + 1)
        spans.sort()
        merged: list[list[int]] = []
        for lo, hi in spans:
            if merged and lo <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], hi)
            else:
                merged.append([lo, hi])
        for lo, hi in merged:
            for m in self.pattern.finditer(text, lo, hi):
                # a match that runs into the window's end may be cut short there
                if m.end() < hi or hi == len(text):
                    yield m
                elif (whole := self.pattern.match(text, m.start())) is not None:
                    yield whole  # the value runs on past the window: take it as the whole text has it

    def scan(self, text: str, lowered_text: str | None = None) -> list[Finding]:
        lowered = lower_same_length(text) if lowered_text is None else lowered_text
        if not self.applies_to(lowered):
            return []
        found = []
        if self.match_at_keywords or (self.keyword_led and self._keywords_rare(lowered)):
            matches = self._keyword_matches(text, lowered)
        elif self.requires_context and len(text) > 4 * (self.context_window + _CONTEXT_MARGIN):
            matches = self._matches_near_context(text, lowered)
        else:
            matches = self.pattern.finditer(text)
        for m in matches:
            value = m.group(self.group)
            if not value:
                continue
            start, end = m.span(self.group)
            if self.min_entropy and shannon_entropy(value) < self.min_entropy:
                continue
            if self.validator is not None and not self.validator(value):
                continue
            if self.bare_validator is not None and not _literal(text, start, end) and not self.bare_validator(value):
                continue
            score = self.score
            if self.context:
                near = self._has_context(text, lowered, start, end)
                if self.requires_context and not near:
                    continue
                if near:
                    score = min(1.0, score + self.context_boost)
            if self.whole_value:
                if self.drop_value is not None and self.drop_value(value):
                    continue
                end = _whole_value_end(text, start, end)
                # a value cut from inside a Symfony `%env(…:NAME)%` is a reference only with its `)%`
                if self.drop_value is not None and text[end - 2:end] == ")%" and self.drop_value(text[start:end]):
                    continue
            found.append(Finding(self.category, start, end, score, self.id))
        return found


_QUOTES = "\"'`"
_ESCAPED_QUOTES = ("&quot;", "&#39;", "&#039;", "&apos;")


def _quoted(text: str, start: int) -> bool:
    """Does a quote (also an HTML-escaped one) stand right before `start`?"""
    return start > 0 and (text[start - 1] in _QUOTES or text.endswith(_ESCAPED_QUOTES, 0, start))


# `NAME=value` opening a line (also indented, after `export`, `set`, Dockerfile `ENV`/`ARG` or a YAML
# list dash): in a .env file, a shell script or a Dockerfile the value is a literal even without quotes
# (a reference would be `$NAME`), so `POSTGRES_PASSWORD=postgres_password` is a password, not a name.
_ENV_KEY_REACH = 256
_ENV_ASSIGNMENT = re.compile(r"[^\S\n]*(?:-[^\S\n]+)?(?:(?:export|set|ENV|ARG)[^\S\n]+)?[A-Z][A-Z0-9_]*=")


def _literal(text: str, start: int, end: int) -> bool:
    """Is the value at [start, end) written as a literal: quoted, or the value of an env-style assignment
    (not a keyword argument of an indented call: `    PASSWORD=db_password,`)?"""
    if _quoted(text, start):
        return True
    if text[end:end + 1] in (",", ")"):
        return False
    # (an env-style key is short: a value further than _ENV_KEY_REACH from its line's start has none)
    key_start = line_start_within(text, start, _ENV_KEY_REACH)
    return key_start is not None and _ENV_ASSIGNMENT.fullmatch(text, key_start, start) is not None


MAX_QUOTED_VALUE = 256
# (full-width punctuation ends a token: Chinese prose puts `，` right after a value, with no space)
_TOKEN_REST = re.compile(r"[^\s\"'`，。；、！？：）」』]*")
# After a quoted value's closing quote (not a doubled quote): a concatenation operator (`+`, `&`, SQL
# `||`, Lua `..`, Haskell `++`, Elixir `<>`; PHP's `.` only without spaces, as a sentence's full stop
# has one after it) and the opening quote of the next literal, with its string prefix (`N'`, `L"`,
# `u8"`, `$"`, `b"`); or that quote right after, with no space (shell `'a'"b"`). Quoted words with a
# space between are separate arguments of a command, not one value.
_JOINED_LITERAL = re.compile(r"""(?:[^\S\n]*+(?:\+\+|\.\.|<>|\|\||[+&])[^\S\n]*+|\.)?(?:u8|[bBrRfFuUEN$@L])?(["'])""")
_MAX_JOINED = 8
# (`,IP:1.2.3.4` or `,비번:` after `PW:Xq9!z`: a next label with a colon starts something else too)
_REST_STOP = re.compile(r"[;,&][\w.-]+=|[;,][^\W\d][\w.-]{0,30}[:：]|&&|\||</|<br\b|<!--|\]\(|\*\*", re.IGNORECASE)
_QUERY_VALUE_END = re.compile(r"[&#\s\"'<>]")
_CLOSING = {")": "(", "]": "[", "}": "{", ">": "<"}


def _whole_value_end(text: str, start: int, end: int) -> int:
    """Where the value found at [start, end) really ends (see `whole_value`).

    Quoted: the quote that opened it stands right before `start` (`"`, `'`, a backquote, `&quot;`,
    `\"` in JSON-in-a-string) or opens the token holding it (`-U 'alice%P@ss w0rd'`); the value then runs
    to the same quote, unescaped and not doubled, on the same line, within MAX_QUOTED_VALUE characters,
    and on through literals joined to it (`"Zq9v" & "T2kL"`, `'a' || 'b'`); a value that never closes
    ends where its last piece did. In a URL query
    (`?user=bob&password=...`) the value ends at the next `&` or `#`. Bare, it runs to the end of its
    token, up to what looks like something else: a next `;name=`, `&&`, a pipe, a closing tag or `<br>`,
    a Markdown `](` or `**`, trailing punctuation, a bracket that closes a call.
    """
    limit = line_end(text, start, MAX_QUOTED_VALUE)
    # (a token that began more than MAX_QUOTED_VALUE characters back is read from there)
    token_begin = token_start(text, start, MAX_QUOTED_VALUE)
    closing = None
    escaped = next((q for q in _ESCAPED_QUOTES if text.endswith(q, 0, start)), None)
    if escaped is not None:
        closing = escaped
    elif start >= 2 and text[start - 1] == '"' and text[start - 2] == "\\":
        closing = '\\"'
    elif start > 0 and text[start - 1] in _QUOTES:
        closing = text[start - 1]
    elif token_begin < start and text[token_begin] in _QUOTES and "=" not in text[token_begin:start]:
        closing = text[token_begin]  # not `"password=abc def"`: that quote opens the assignment
    if closing is not None:
        if closing in "\"'" and text.endswith(closing * 3, 0, start):  # Python's """...""": to its end
            close = text.find(closing * 3, end, limit)
            return end if close < 0 else max(end, close)
        i, pieces, closed_at = end, 0, None
        while True:
            i = text.find(closing, i, limit)
            if i < 0:  # unclosed: the value ends where its last piece closed
                return end if closed_at is None else max(end, closed_at)
            j = i
            while closing in "\"'`" and j > start and text[j - 1] == "\\":
                j -= 1
            if (i - j) % 2:  # an escaped quote (an odd run of backslashes before it) is part of the value
                i += 1
                continue
            closed_at = i
            if closing in "\"'" and pieces < _MAX_JOINED:
                # A doubled quote is one quote of the value (SQL, VB, YAML: 'It''s'); a literal joined
                # to another by an operator goes on in it ("Zq9v" & "T2kL", 'a' || 'b').
                if text.startswith(closing, i + 1):
                    i, pieces = i + 2, pieces + 1
                    continue
                more = _JOINED_LITERAL.match(text, i + 1, limit)
                if more is not None:
                    closing, i, pieces = more.group(1), more.end(), pieces + 1
                    continue
            return max(end, i)
    query = text.rfind("?", token_begin, start)
    if query >= 0 and "=" in text[query:start]:  # a URL query: the value runs to the next & or #
        stop = _QUERY_VALUE_END.search(text, start, max(end, limit))
        return stop.start() if stop is not None else max(end, limit)
    # Bare: the regex stops at characters that usually end a value (`, ; [ ] { } < > \`); when the
    # token goes on with more of the same value, it is kept whole (`pa55,word!X9`, `Tq8Zm4;Lp2Xq`).
    rest = _TOKEN_REST.match(text, end, max(end, limit)).group()
    cut = _REST_STOP.search(rest)  # what follows the value: `;next=`, `,next:`, `&&`, a pipe, a tag, `](`, `**`
    if cut is not None:
        rest = rest[:cut.start()]
    if "://" in rest:
        return end
    rest = rest.rstrip(",;.:")
    while rest and rest[-1] in _CLOSING and rest.count(rest[-1]) > rest.count(_CLOSING[rest[-1]]):
        rest = rest[:-1].rstrip(",;.:")  # `f(password=abc)`: the bracket closes the call, not the value
    return end + len(rest)


def _as_tuple(value: object, what: str, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value.lower(),)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(v.lower() for v in value)
    raise RulePackError(f"{where}: '{what}' must be a string or a list of strings")


def _all_of(validators: list[Validator]) -> Validator | None:
    if len(validators) <= 1:
        return validators[0] if validators else None
    return lambda value: all(check(value) for check in validators)


def _names(value: object, where: str) -> list[str]:
    """Validator names of a `validator` / `bare_validator` field, checked against VALIDATORS."""
    names = [value] if isinstance(value, str) else list(value or [])
    for name in names:
        if name not in VALIDATORS:
            raise RulePackError(f"{where}: unknown validator {name!r} "
                                f"(known: {', '.join(sorted(VALIDATORS)) or 'none'})")
    return names


_FRAGMENT_USE = re.compile(r"\(\?&(\w+)\)")


def _expand_fragments(regex: str, fragments: dict[str, str], where: str) -> str:
    def piece(m: re.Match[str]) -> str:
        if m.group(1) not in fragments:
            raise RulePackError(f"{where}: unknown fragment {m.group(1)!r}")
        return f"(?:{fragments[m.group(1)]})"
    return _FRAGMENT_USE.sub(piece, regex)


def _load_fragments(raw: object, where: str) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in raw.items()):
        raise RulePackError(f"{where}: 'fragments' must map names to regex strings")
    fragments: dict[str, str] = {}
    for name, regex in raw.items():  # in file order: a fragment may use the ones above it
        fragments[name] = _expand_fragments(regex, fragments, f"{where}: fragment {name!r}")
    return fragments


def compile_rule(raw: dict, family: str | None, where: str) -> RegexRule:
    if not isinstance(raw, dict):
        raise RulePackError(f"{where}: a rule must be a mapping")
    rule_id = raw.get("id")
    if not rule_id or not isinstance(rule_id, str):
        raise RulePackError(f"{where}: rule without an 'id'")
    where = f"{where}: rule {rule_id!r}"
    unknown = set(raw) - {"id", "category", "regex", "score", "group", "keywords", "validator", "bare_validator",
                          "context", "context_boost", "context_window", "requires_context",
                          "min_entropy", "flags", "examples", "lang", "description", "anchor",
                          "match_at_keywords", "whole_value"}
    if unknown:
        raise RulePackError(f"{where}: unknown fields {sorted(unknown)}")
    category = raw.get("category") or (f"{family}.{rule_id}" if family else None)
    if not category or "." not in category:
        raise RulePackError(f"{where}: 'category' must look like family.kind")
    if not isinstance(raw.get("regex"), str):
        raise RulePackError(f"{where}: 'regex' is required")
    flags = 0
    for name in raw.get("flags", []) or []:
        if name not in _FLAG_NAMES:
            raise RulePackError(f"{where}: unknown flag {name!r}")
        flags |= _FLAG_NAMES[name]
    try:
        pattern = re.compile(raw["regex"], flags)
    except re.error as e:
        raise RulePackError(f"{where}: bad regex: {e}") from e
    validator_names, bare_names = (_names(raw.get(key), where) for key in ("validator", "bare_validator"))
    group = raw.get("group", 0)
    if isinstance(group, int) and group > pattern.groups:
        raise RulePackError(f"{where}: group {group} but the regex has {pattern.groups}")
    if isinstance(group, str) and group not in pattern.groupindex:
        raise RulePackError(f"{where}: no group named {group!r}")
    if raw.get("match_at_keywords") and not raw.get("keywords"):
        raise RulePackError(f"{where}: 'match_at_keywords' needs 'keywords'")
    score = float(raw.get("score", 0.9))
    if not 0.0 <= score <= 1.0:
        raise RulePackError(f"{where}: score must be within [0, 1]")
    context = _as_tuple(raw.get("context"), "context", where)
    return RegexRule(
        id=rule_id,
        category=category,
        pattern=pattern,
        score=score,
        group=group,
        keywords=_as_tuple(raw.get("keywords"), "keywords", where),
        validator=_all_of([VALIDATORS[name] for name in validator_names]),
        bare_validator=_all_of([VALIDATORS[name] for name in bare_names]),
        context=context,
        context_boost=float(raw.get("context_boost", 0.2)),
        context_window=int(raw.get("context_window", 48)),
        requires_context=bool(raw.get("requires_context", False)),
        min_entropy=float(raw.get("min_entropy", 0.0)),
        anchor=raw.get("anchor"),
        match_at_keywords=bool(raw.get("match_at_keywords", False)),
        keyword_led=keyword_led(pattern, raw.get("keywords")),
        whole_value=bool(raw.get("whole_value", False)),
        examples=raw.get("examples") or {},
        context_pattern=_context_pattern(context),
    )


def keyword_led(pattern: re.Pattern[str], keywords: str | list[str] | None) -> bool:
    """Does every match of `pattern` start where one of `keywords` starts (compared lower-cased)?

    Read off the parsed regex: after zero-width assertions (`\\b`, `^`, look-arounds), every alternative
    must begin with literal text that begins with a keyword (`\\bsk-ant-(?:api|admin)`, keywords
    `sk-ant-`). Such a rule is then tried only where a keyword occurs, instead of at every position of
    the text. Anything the reading does not follow (a class, a repeat, an optional part before the first
    literal) answers False, which costs speed, never a match."""
    words = [keywords] if isinstance(keywords, str) else [str(k) for k in keywords or ()]
    words = [w.lower() for w in words if w]
    if not words:
        return False
    try:
        from re import _constants as sre, _parser as sre_parse  # the regex parser `re` itself uses
        starts = _literal_starts(list(sre_parse.parse(pattern.pattern, pattern.flags)), sre)
    except Exception:  # noqa: BLE001 - a parser of another Python version: stay on the safe side
        return False
    return bool(starts) and all(any(s.lower().startswith(w) for w in words) for s in starts)


def _literal_starts(items: list, sre) -> list[str] | None:
    """The literal text each alternative of a parsed regex begins with; None when one may begin otherwise."""
    starts = [""]
    for op, arg in items:
        if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):  # zero width: the match still starts here
            continue
        if op is sre.LITERAL:
            starts = [s + chr(arg) for s in starts]
            continue
        if op is sre.SUBPATTERN:
            inner = _literal_starts(list(arg[3]), sre)
        elif op is sre.BRANCH:
            alternatives = [_literal_starts(list(alt), sre) for alt in arg[1]]
            inner = None if any(a is None for a in alternatives) else [s for a in alternatives for s in a]
        else:
            inner = None
        if inner is not None:  # the group's literal beginnings; what follows it is not read
            starts = [s + i for s in starts for i in inner]
        break
    return None if any(s == "" for s in starts) else starts


_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


def _starts_alnum(word: str) -> bool:
    return word[:1] in _ALNUM


def _context_pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """One regex for the context words (matched on lower-cased text). `_has_context` then wants a word
    that starts with a letter or digit to start a word of the text: not after another letter or digit
    (`ip` is no context inside `pip`, `ach` none inside `each`), except at a camelCase step (`userSSN`,
    `giftCard`); it may go on (`card` is found in `cards`). CJK words are found anywhere."""
    if not words:
        return None
    return re.compile("|".join(re.escape(w.lower()) for w in sorted(words, key=len, reverse=True)))


def read_rule_pack(path: str | Path) -> tuple[str | None, list[dict]]:
    """The pack's family and its rules as written, each regex with its fragments written out."""
    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise RulePackError(f"{path}: {e}") from e
    if not isinstance(doc, dict) or not isinstance(doc.get("rules"), list):
        raise RulePackError(f"{path}: expected a mapping with a 'rules' list")
    fragments = _load_fragments(doc.get("fragments"), str(path))
    rules = [{**raw, "regex": _expand_fragments(raw["regex"], fragments, f"{path}: rule {raw.get('id')!r}")}
             if isinstance(raw, dict) and isinstance(raw.get("regex"), str) else raw for raw in doc["rules"]]
    return doc.get("family"), rules


def load_rule_pack(path: str | Path) -> list[RegexRule]:
    family, raw_rules = read_rule_pack(path)
    rules = [compile_rule(raw, family, str(path)) for raw in raw_rules]
    seen: set[str] = set()
    for r in rules:
        if r.id in seen:
            raise RulePackError(f"{path}: duplicate rule id {r.id!r}")
        seen.add(r.id)
    return rules


class RulePrefilter:
    """Which rules can match a text, from one pass over it.

    Every rule's prefilter is "one of its keywords occurs in the lower-cased text" (and, for a rule that
    requires context, "one of its context words too"). Asked rule by rule, that is ~300 Python calls and
    ~900 substring searches per text, more than the regexes themselves cost on ordinary prose. Here all
    those words go into one Aho-Corasick automaton: a single pass in C finds which of them occur, and only
    the rules they name are tried. `candidates()` gives the same rules, in the same order, as asking each
    rule's `applies_to`."""

    def __init__(self, rules: Iterable[RegexRule]):
        self.rules = list(rules)
        words: dict[str, int] = {}
        for rule in self.rules:
            for word in (*rule.keywords, *(rule.context if rule.requires_context else ())):
                words.setdefault(word, len(words))
        self._automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        for word, number in words.items():
            if word:
                self._automaton.add_word(word, number)
        if len(self._automaton):
            self._automaton.make_automaton()
        # per rule: the numbers of its keywords and of its required context words (empty: no condition)
        self._needs = [(frozenset(words[w] for w in rule.keywords),
                        frozenset(words[w] for w in rule.context) if rule.requires_context else frozenset())
                       for rule in self.rules]
        self._rules_of_word: dict[int, list[int]] = {}
        self._unconditional = []
        for index, (keywords, context) in enumerate(self._needs):
            if self.rules[index].requires_context and not context:
                continue  # requires context words but has none: never applies, as `applies_to` says
            for number in keywords or context:  # one condition is enough to name the rule
                self._rules_of_word.setdefault(number, []).append(index)
            if not keywords and not context:
                self._unconditional.append(index)
        # an empty keyword occurs in every text, as `"" in text` says
        self._empty = {words[""]} if "" in words else set()

    def candidates(self, lowered: str) -> list[RegexRule]:
        """The rules whose keywords (and required context words) occur in `lowered`, in rule order."""
        present = {number for _, number in self._automaton.iter(lowered)} if len(self._automaton) else set()
        present |= self._empty
        named = set(self._unconditional)
        for number in present:
            named.update(self._rules_of_word.get(number, ()))
        chosen = []
        for index in sorted(named):
            keywords, context = self._needs[index]
            if (not keywords or not keywords.isdisjoint(present)) and (not context or not context.isdisjoint(present)):
                chosen.append(self.rules[index])
        return chosen


def scan_rules(rules: Iterable[RegexRule], text: str) -> list[Finding]:
    """Run every rule whose prefilter passes; overlapping findings are all returned."""
    lowered = lower_same_length(text)
    out: list[Finding] = []
    for rule in rules:
        out.extend(rule.scan(text, lowered))
    return out
