"""Prompt-injection and jailbreak detection: rules, typoglycemia, Unicode and encoding tricks, classifier.

`InjectionDetector.scan(text, source=...)` returns `injection.<kind>` and `anomaly.<kind>` findings with
scores in [0, 1] and spans in the original text. What it does, in order:

0. Decode JSON string escapes (`escapes.py`): a tool result that is JSON text writes a line break as
   `\\n` and may write every character as `\\uXXXX`, which hides its words from all the steps below.
   Everything below runs on the decoded view; spans map back to the escaped text.
1. Normalize (`normalize.py`) and run the rule pack `rules/injection.yaml` on the normalized text and,
   around words leetspeak folding changed, on the folded view. Rule spans map back to exact original
   offsets. For speed a rule is tried only where it can start: the literal words its regex begins with
   are worked out from the regex, one trie-shaped regex finds all of them for all rules in one pass, and
   the rule's regex is `match()`ed there (see `KeywordWindowedRules`). The few rules that do not begin
   with a literal run only within `KEYWORD_WINDOW` characters of one of their keywords, so every match
   of those must contain a keyword: the pack is written that way.
   One structural rule lives here rather than in the pack, because a regex for it is slow: a token
   repeated `FLOOD_REPEATS` times in a row (`injection.delimiter`, pushing earlier instructions out of the
   context window).
2. Restore scrambled keywords (`typoglycemia.py`) and run the rules again around them; a match that
   needed a restored word becomes `injection.typoglycemia`.
3. A rule match preceded by a discussion cue (an attacker "may write", "for example", "例如", ...) is
   damped (`DISCUSSION_DAMPING`): people describing attacks are not attacking.
4. Unicode anomalies (`unicode_anomaly.py`), and text hidden in tag characters, base64, hex,
   URL-encoding, ROT13 or nested layers (`encoding.py`): decoded texts are scanned by the rules and the
   classifier; an instruction inside yields `anomaly.encoded_instruction` plus the inner finding, both
   spanning the encoded blob (offsets inside decoded text have no original counterpart).
5. The classifier (`classifier.py`), skipped when a rule already scored at least `SKIP_CLASSIFIER_AT`.
   It yields `injection.classifier` spanning its best window (the whole text for short texts); in
   untrusted content a single sentence can be that window (see `classifier.py`).

`source` says whose text it is: "user", "untrusted" (tool results, documents, fetched pages),
"assistant" (model output: echoed injections, exfiltration links) or "system" (written by the operator:
only anomalies are reported, since a system prompt is instructions by design).

Results are cached per (source, SHA-256 of the text) in a bounded LRU, because agent conversations resend
their whole history each turn.
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
from bisect import bisect_left
from collections import OrderedDict, namedtuple
from collections.abc import Iterable
from itertools import groupby
from pathlib import Path

import yaml

from aegis_addons.detect.classifier import InjectionClassifier
from aegis_addons.detect.encoding import DecodedPayload, find_encoded_payloads
from aegis_addons.detect.escapes import unescape_json
from aegis_addons.detect.findings import Finding
from aegis_addons.detect.lines import line_end, line_start
from aegis_addons.detect.normalize import NormalizedText, normalize
from aegis_addons.detect.rulepack import RegexRule, RulePackError, load_rule_pack
from aegis_addons.detect.typoglycemia import unscramble
from aegis_addons.detect.unicode_anomaly import scan_unicode
from aegis_addons.paths import RULES_DIR

DEFAULT_RULES = RULES_DIR / "injection.yaml"
SOURCES = ("user", "untrusted", "assistant", "system")
DISCUSSION_DAMPING = 0.55  # a quoted or described attack keeps about half its score: below the 0.5 line
DISCUSSION_WINDOW = 80  # characters before a match searched for a discussion cue
SKIP_CLASSIFIER_AT = 0.85
REPORT_FLOOR = 0.3  # findings scoring less are noise, not evidence, and are dropped
TYPOGLYCEMIA_FACTOR = 0.95
FLOOD_REPEATS = 60
FLOOD_SCORE = 0.5
QUOTES = "\"'“«「『"  # a match right after one of these is quoted
# ... unless that quote opens the value of a key (`"body": "Ignore…`): a JSON string is data, not a quotation
_VALUE_OPENER = re.compile(r"[\"']\s*:\s*$")
MANY_MATCHES = 8  # from this many rule matches in one text, cue searches are narrowed first
KEYWORD_WINDOW = 300  # longer than any rule's match, so a match around a keyword is never cut

# Where a kind of finding matters more or less than its rule says. An exfiltration link typed by the user
# is mostly someone sharing a URL; the same link in a tool result or in the model's answer is the attack.
SOURCE_FACTORS: dict[tuple[str, str], float] = {
    ("user", "injection.exfil_link"): 0.75,
    ("untrusted", "injection.indirect_instruction"): 1.1,  # orders to the reader, planted in a document
    ("untrusted", "injection.fake_message"): 1.1,
    ("untrusted", "injection.delimiter"): 1.1,
}


# Rule categories scanned only in untrusted content (see InjectionDetector.__init__).
UNTRUSTED_ONLY_CATEGORIES = frozenset({"injection.indirect_instruction"})

Span = tuple[int, int]
RuleMatch = tuple[RegexRule, int, int]  # a rule and the span it matched
CacheInfo = namedtuple("CacheInfo", "hits misses maxsize currsize")  # as functools.lru_cache


def _merge(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


_UPPER_LITERAL = re.compile(r"(?<!\\)[A-Z]")
_WORD_CHAR = re.compile(r"[a-z0-9_]")


SHORT_LITERAL = 5  # leading literals shorter than this are lengthened where the pattern allows

try:  # the standard library's regex parser, private: a Python without it only loses the fast path
    from re import _constants as sre
    from re import _parser as parser
except ImportError:  # pragma: no cover
    sre = parser = None

_BOUNDARY_AT = () if sre is None else (sre.AT_BOUNDARY, sre.AT_BEGINNING, sre.AT_BEGINNING_LINE,
                                        sre.AT_BEGINNING_STRING)


Lead = tuple[str, bool, str]  # (literal, after_boundary, not_after): see _leading_literals


def _single_chars(items: list) -> str | None:
    """The characters of a one-character pattern (`-` or `[-=]`), or None."""
    if len(items) != 1:
        return None
    op, av = items[0]
    if op is sre.LITERAL:
        return chr(av)
    if op is sre.IN and all(o is sre.LITERAL for o, _ in av):
        return "".join(chr(c) for _, c in av)
    return None


def _leading_literals(pattern: re.Pattern[str]) -> frozenset[Lead] | None:
    """(literal, after_boundary, not_after) triples, one of whose literals every non-empty match of
    `pattern` starts with, or None. `after_boundary` says a `\\b` precedes the literal, so when the
    literal starts with a word character the match can only start after a non-word character;
    `not_after` holds the characters a lookbehind like `(?<!-)` forbids right before the literal ("" for
    none), so `(?<!-)---` is not tried inside a long run of dashes.

    Worked out from the parsed regex: zero-width assertions are skipped, groups and alternations are
    followed, optional parts add what may come after them. Anything else at the front (a character class
    of more than a few characters, a repeat of one, a lookahead) gives None.
    """
    if parser is None or pattern.flags & re.IGNORECASE:
        return None

    def lead(items: list, i: int = 0, bounded: bool = False, not_after: str = "") -> set[Lead] | None:
        while i < len(items):
            op, av = items[i]
            if op is sre.AT:
                # a start of text or line is a boundary too: the region start is tried on its own, and
                # a line start follows a newline, which the search after a non-word character covers
                bounded = bounded or av in _BOUNDARY_AT
                i += 1
                continue
            if op is sre.ASSERT_NOT and av[0] == -1 and (chars := _single_chars(list(av[1]))):
                not_after = "".join(sorted(set(not_after + chars)))
                i += 1
                continue
            if op is sre.LITERAL:
                run = ""
                while i < len(items) and items[i][0] is sre.LITERAL:
                    run += chr(items[i][1])
                    i += 1
                if len(run) < SHORT_LITERAL and i < len(items):
                    # the parser factors shared prefixes out (`ps|p\.s` is `p` + `(?:s|\.s)`): a short
                    # run is lengthened by what must follow it, so "p" is not tried at every "p"
                    rest = lead(items, i)
                    if rest and all(literal for literal, _, _ in rest):
                        return {(run + literal, bounded, not_after) for literal, _, _ in rest}
                return {(run, bounded, not_after)}
            if op is sre.SUBPATTERN:
                found = lead(list(av[-1]), 0, bounded, not_after)
            elif op is sre.BRANCH:
                found = set()
                for branch in av[1]:
                    part = lead(list(branch), 0, bounded, not_after)
                    if part is None:
                        return None
                    found |= part
            elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
                found = lead(list(av[2]), 0, bounded, not_after)
                if found is not None and av[0] == 0:
                    found.add(("", bounded, not_after))
            elif op is sre.IN and len(av) <= 12 and all(o is sre.LITERAL for o, _ in av):
                found = {(chr(c), bounded, not_after) for _, c in av}
            else:
                return None
            if found is None:
                return None
            empty = {e for e in found if not e[0]}
            if empty:  # this part may match nothing: what follows may lead as well
                rest = lead(items, i + 1, all(b for _, b, _ in empty),
                            "".join(sorted(set.intersection(*(set(g) for _, _, g in empty)))))
                if rest is None:
                    return None
                found = (found - empty) | rest
            return found
        return {("", bounded, not_after)}

    try:
        found = lead(list(parser.parse(pattern.pattern, pattern.flags)))
    except Exception:  # noqa: BLE001 - an unusual pattern only loses the fast path
        return None
    if not found or any(not literal for literal, _, _ in found):
        return None
    return frozenset(found)


def _trie_pattern(words: Iterable[str]) -> str:
    """A regex matching any of `words`, longest first, written as a trie so each step is one comparison."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


class KeywordWindowedRules:
    """Runs injection rules on lower-cased text, and only where they can match.

    Matching lower-cased text without IGNORECASE is two to three times faster in Python's `re`, so
    patterns are written in lower case. Injection rules use `regex`, `keywords`, `score` and `flags` of the
    rule-pack format; validators, context words, entropy and groups are for other packs and are refused
    here rather than silently ignored.

    Most rules start with one of a few literal words (`ignore|disregard|...`). Those words are worked out
    from each regex, and one trie-shaped regex finds all of them, for all rules, in a single pass; a rule
    is then tried with `match()` only at the places where one of its leading words occurs. Occurrences
    are visited left to right and a rule's next try starts after its previous match, so the findings are
    exactly those of `finditer` over the whole text, at a fraction of the cost. The few rules that start
    with something else (a line start, a character class) run as before: within `KEYWORD_WINDOW`
    characters of one of their keywords (found with `str.find`, in C).
    """

    def __init__(self, rules: list[RegexRule], where: str) -> None:
        for rule in rules:
            if rule.validator or rule.context or rule.min_entropy or rule.group != 0:
                raise RulePackError(f"{where}: rule {rule.id!r}: injection rules support only "
                                    "regex, keywords, score and flags")
            if _UPPER_LITERAL.search(rule.pattern.pattern):
                raise RulePackError(f"{where}: rule {rule.id!r}: write the pattern in lower case, "
                                    "it is matched against lower-cased text")
        self.rules = rules
        rules_of: dict[str, set[int]] = {}  # leading literal -> indices of the rules it leads
        unbounded: set[str] = set()  # literals some rule may match without a word boundary before them
        not_after: dict[str, set[str]] = {}  # literal -> characters no rule it leads may follow
        windowed: list[int] = []
        for index, rule in enumerate(rules):
            leads = _leading_literals(rule.pattern)
            if leads is None:
                windowed.append(index)
                continue
            for literal, bounded, forbidden in leads:
                rules_of.setdefault(literal, set()).add(index)
                not_after[literal] = not_after.get(literal, set(forbidden)) & set(forbidden)
                if not (bounded and _WORD_CHAR.match(literal)):
                    unbounded.add(literal)
        self._windowed = windowed
        self._keywords = sorted({k for i in windowed for k in rules[i].keywords})
        # A trie regex returns the longest literal at a position; every shorter literal it starts with
        # occurs there too, so a place's rules are those of all its literal's prefixes.
        self._rules_at: dict[str, tuple[int, ...]] = {
            lit: tuple(sorted({i for other, idx in rules_of.items() if lit.startswith(other) for i in idx}))
            for lit in rules_of}
        # A place is skipped when the character before it is one that every rule tried there forbids.
        self._not_after: dict[str, frozenset[str]] = {}
        for lit in rules_of:
            forbidden = set.intersection(*(not_after[o] for o in rules_of if lit.startswith(o)))
            if forbidden:
                self._not_after[lit] = frozenset(forbidden)
        # A literal that may start anywhere can start inside another one, which the search has already
        # consumed: such offsets are looked at with `match()`, unless the character before the offset
        # rules out every literal that could start there (so a run of `%` is not tried at each `%`).
        # (Literals after a word boundary need no such care: their search consumes only the character
        # before them.)
        self._inner: dict[str, tuple[int, ...]] = {
            lit: tuple(k for k in range(1, len(lit))
                       if any((o.startswith(lit[k:]) or lit[k:].startswith(o))
                              and lit[k - 1] not in self._not_after.get(o, ()) for o in unbounded))
            for lit in rules_of}
        # Literals that follow a word boundary and start with a word character are searched together
        # with the character before them: most characters of a text are inside words, and a search whose
        # first character must be a non-word one skips them in C. The others are searched as they are.
        words = [lit for lit in rules_of if lit not in unbounded]
        self._any = re.compile(_trie_pattern(rules_of)) if rules_of else None
        self._after_break = re.compile(f"[^a-z0-9_](?=({_trie_pattern(words)}))") if words else None
        self._anywhere = re.compile(_trie_pattern(unbounded)) if unbounded else None

    def scan(self, text: str, near: list[Span] | None = None) -> list[Finding]:
        """Matches in `text` as findings; with `near`, only matches starting around those spans."""
        return [Finding(rule.category, start, end, rule.score, rule.id) for rule, start, end in self.matches(text, near)]

    def matches(self, text: str, near: list[Span] | None = None) -> list[RuleMatch]:
        """(rule, start, end) of every match in `text`; with `near`, only matches starting around those
        spans. (Findings are made by the caller, once per match, with their final score.)"""
        lowered = text.lower()  # same length as text: normalize() maps the one letter that would grow
        n = len(text)
        regions = [(0, n)] if near is None else _merge(
            [(max(0, s - KEYWORD_WINDOW), min(n, e + KEYWORD_WINDOW)) for s, e in near])
        out = self._scan_anchored(lowered, regions) if self._any is not None else []
        if self._windowed:
            out += self._scan_windowed(lowered, regions)
        return out

    def _scan_anchored(self, lowered: str, regions: list[Span]) -> list[RuleMatch]:
        any_lead, inner, rules_at = self._any, self._inner, self._rules_at
        places: list[tuple[int, str]] = []
        for lo, hi in regions:
            m = any_lead.match(lowered, lo)  # at the region's start no character precedes
            if m is not None:
                places.append((lo, m.group()))
            if self._after_break is not None:
                places += [(m.start(1), m.group(1)) for m in self._after_break.finditer(lowered, lo, hi)]
            if self._anywhere is not None:
                for m in self._anywhere.finditer(lowered, lo, hi):
                    places.append((m.start(), m.group()))
                    for k in inner[m.group()]:
                        inside = self._anywhere.match(lowered, m.start() + k)
                        if inside is not None:
                            places.append((inside.start(), inside.group()))
        places.sort()
        rules, not_after = self.rules, self._not_after
        next_start = [0] * len(rules)
        found: list[tuple[int, int, int]] = []
        for pos, literal in places:
            if pos and literal in not_after and lowered[pos - 1] in not_after[literal]:
                continue
            for index in rules_at[literal]:
                if pos < next_start[index]:
                    continue
                m = rules[index].pattern.match(lowered, pos)
                if m is not None and m.end() > pos:
                    found.append((index, pos, m.end()))
                    next_start[index] = m.end()
        found.sort()
        return [(rules[i], s, e) for i, s, e in found]

    def _scan_windowed(self, lowered: str, regions: list[Span]) -> list[RuleMatch]:
        n = len(lowered)
        # keyword -> windows around its occurrences. A window reaches 2 * KEYWORD_WINDOW past its
        # occurrence, so the search can jump KEYWORD_WINDOW ahead: an occurrence it skips has its whole
        # window inside the current one. A frequent keyword thus costs a few `find` calls, not one each.
        windows_of: dict[str, list[Span]] = {}
        for keyword in self._keywords:
            found = []
            for lo, hi in regions:
                i = lowered.find(keyword, lo, hi)
                while i >= 0:
                    found.append((max(0, i - KEYWORD_WINDOW), min(n, i + len(keyword) + 2 * KEYWORD_WINDOW)))
                    i = lowered.find(keyword, i + KEYWORD_WINDOW, hi)
            if found:
                windows_of[keyword] = found
        out = []
        for index in self._windowed:
            rule = self.rules[index]
            if rule.keywords:
                windows = _merge([w for k in rule.keywords for w in windows_of.get(k, ())])
            else:
                windows = regions
            for lo, hi in windows:
                out += [(rule, m.start(), m.end()) for m in rule.pattern.finditer(lowered, lo, hi)
                        if m.end() > m.start()]
        return out


def token_flood(lowered: str) -> list[Finding]:
    """A token repeated FLOOD_REPEATS times in a row; counting words first keeps the common case cheap."""
    words = lowered.split()
    if len(words) < FLOOD_REPEATS:
        return []
    # A run of FLOOD_REPEATS equal words holds two neighbouring words of every (FLOOD_REPEATS // 2)-th
    # one: a text without an equal pair among those few samples has no run.
    samples = words[::FLOOD_REPEATS // 2]
    if not any(map(str.__eq__, samples, samples[1:])):
        return []
    # a run of FLOOD_REPEATS equal words has FLOOD_REPEATS - 1 equal neighbours; counting them is C-level
    if sum(map(str.__eq__, words, words[1:])) < FLOOD_REPEATS - 1:
        return []
    # the token of the first long run (the most common word of the text may be another one)
    token = next((word for word, run in groupby(words) if sum(1 for _ in run) >= FLOOD_REPEATS), None)
    if token is None:
        return []
    t = re.escape(token)
    run = re.search(rf"(?<!\S){t}(?:\s+{t}){{{FLOOD_REPEATS - 1},}}(?!\S)", lowered)
    if run is None:
        return []
    return [Finding("injection.delimiter", run.start(), run.end(), FLOOD_SCORE, "token_flood",
                    f"one token repeated {FLOOD_REPEATS}+ times")]


def _load_discussion_cues(path: Path, key: str = "discussion_cues") -> list[re.Pattern[str]]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [re.compile(p) for p in doc.get(key, [])]  # matched on lower-cased text


class InjectionDetector:
    """Scans text segments for prompt injection; thread-safe, one instance per process is enough."""

    def __init__(self, rules_path: str | Path = DEFAULT_RULES, *,
                 classifier: InjectionClassifier | None = None, use_classifier: bool = True,
                 cache_size: int = 4096) -> None:
        rules = load_rule_pack(rules_path)
        self.rules = KeywordWindowedRules(rules, str(rules_path))
        # Orders about the reader's own answer matter only where a stranger wrote them: typed by the user
        # they are requests, in an answer a draft. Other sources skip those rules (and their cost).
        self._rules_outside_untrusted = KeywordWindowedRules(
            [r for r in rules if r.category not in UNTRUSTED_ONLY_CATEGORIES], str(rules_path))
        self._cues = _load_discussion_cues(Path(rules_path))
        quotation_cues = _load_discussion_cues(Path(rules_path), "quotation_cues")
        self._quotation_cue = (re.compile("|".join(f"(?:{c.pattern})" for c in quotation_cues))
                               if quotation_cues else None)
        # one search for all cues; `$` in a cue is the end of the searched slice (the match's start)
        self._cue = re.compile("|".join(f"(?:{c.pattern})" for c in self._cues)) if self._cues else None
        # Every cue match starts with one of these literals: a text with many rule matches first finds
        # where they occur, and looks for cues only before matches that have one in their window.
        # (A literal after `\b` that starts with a word character is looked for at word starts only:
        # the cue "it can" should not send every "ambiguity" to the cue search.)
        leads = [_leading_literals(c) for c in self._cues]
        self._cue_hint = None
        if leads and all(leads):
            anywhere = {lit for lead in leads for lit, bounded, _ in lead if not (bounded and _WORD_CHAR.match(lit))}
            at_word_start = {lit for lead in leads for lit, _, _ in lead} - anywhere
            hint = [f"\\b(?:{_trie_pattern(at_word_start)})"] if at_word_start else []
            hint += [_trie_pattern(anywhere)] if anywhere else []
            self._cue_hint = re.compile("(?=" + "|".join(hint) + ")")
        if classifier is None and use_classifier:
            classifier = InjectionClassifier.load()
        self.classifier = classifier
        self._cache: OrderedDict[tuple[str, bytes], tuple[Finding, ...]] = OrderedDict()
        self._cache_size = cache_size
        self._hits = self._misses = 0
        self._lock = threading.Lock()

    # ------------------------------------------------------------------------------------------ public
    def scan(self, text: str, *, source: str = "user") -> list[Finding]:
        """Findings for one text segment, sorted by start; see the module docstring."""
        if source not in SOURCES:
            raise ValueError(f"unknown source {source!r}; expected one of {', '.join(SOURCES)}")
        key = (source, hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest())
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                self._hits += 1
                return list(cached)
            self._misses += 1
        findings = tuple(self._scan(text, source))
        with self._lock:
            self._cache[key] = findings
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return list(findings)

    def cache_info(self) -> CacheInfo:
        """Hits, misses, maximum and current size of the segment cache, like functools.lru_cache."""
        with self._lock:
            return CacheInfo(self._hits, self._misses, self._cache_size, len(self._cache))

    def cache_clear(self) -> None:
        with self._lock:
            self._cache.clear()
            self._hits = self._misses = 0

    # ------------------------------------------------------------------------------------------ steps
    def _scan(self, text: str, source: str) -> list[Finding]:
        # JSON string escapes (a tool result that is JSON text) are decoded first: `\nIgnore` and
        # `\u5ffd\u7565…` hide their words from every step below. Spans map back to the escaped text.
        view = unescape_json(text)
        if view is None:
            return self._scan_view(text, source)
        return view.findings_to_original(self._scan_view(view.text, source))

    def _scan_view(self, text: str, source: str) -> list[Finding]:
        anomalies, hidden = scan_unicode(text)
        if source == "system":
            return sorted(anomalies, key=lambda f: f.start)
        norm = normalize(text)
        rules = self.rules if source == "untrusted" else self._rules_outside_untrusted
        findings, top_rule_score = self._rule_findings(norm, rules, source)  # source factors applied already
        others = self._payload_findings(hidden + find_encoded_payloads(text), rules)
        # skipped on the rules' own scores: a source factor weighs a finding, it does not make it certain
        if self.classifier is not None and max([top_rule_score] + [f.score for f in others]) < SKIP_CLASSIFIER_AT:
            others += self._classifier_findings(norm, sentences=source == "untrusted")
        findings += [self._adjust(f, source) for f in others + anomalies]
        return sorted(_dedupe([f for f in findings if f.score >= REPORT_FLOOR]),
                      key=lambda f: (f.start, -f.score))

    def _rule_findings(self, norm: NormalizedText, rules: KeywordWindowedRules,
                       source: str) -> tuple[list[Finding], float]:
        """Rule matches on the normalized, folded and unscrambled views, mapped to original offsets, with
        their final scores (discussion damping and the source factor), and the top score before the source
        factor. A text can match hundreds of times (a repeated delimiter line), so each match becomes a
        Finding only here, once."""
        # (category, start, end, score, rule id, detail) in normalized offsets
        matches = [(r.category, s, e, r.score, r.id, "") for r, s, e in rules.matches(norm.text)]
        matches += [(f.category, f.start, f.end, f.score, f.rule, f.detail) for f in token_flood(norm.text.lower())]
        if norm.leet_spans:
            matches += [(r.category, s, e, r.score, r.id, "") for r, s, e in rules.matches(norm.folded, near=norm.leet_spans)]
        restored, scrambled = unscramble(norm.folded)
        if scrambled:
            for r, s, e in rules.matches(restored, near=[(s, e) for s, e, _ in scrambled]):
                if any(s < end and start < e for start, end, _ in scrambled):
                    matches.append(("injection.typoglycemia", s, e, r.score * TYPOGLYCEMIA_FACTOR,
                                    f"typoglycemia:{r.id}", f"scrambled-letter form of {r.category}"))
        if not matches:
            return [], 0.0
        out = []
        top = 0.0
        lowered = norm.text.lower()
        discussed: dict[int, bool] = {}  # a text with many matches often has several at one start
        hints = None
        if len(matches) > MANY_MATCHES and self._cue_hint is not None:
            hints = [m.start() for m in self._cue_hint.finditer(lowered)]
        spans = norm.spans_to_original([(m[1], m[2]) for m in matches])
        for (category, at, _, score, rule, detail), (start, end) in zip(matches, spans):
            damped = discussed.get(at)
            if damped is None:
                damped = self._discussed(lowered, at, hints)
                discussed[at] = damped
            score = round(score * (DISCUSSION_DAMPING if damped else 1.0), 4)
            top = max(top, score)
            factor = SOURCE_FACTORS.get((source, category))
            if factor is not None:
                score = round(min(1.0, score * factor), 4)
            out.append(Finding(category, start, end, score, rule, detail or _reason(category, damped)))
        return out, top

    def _discussed(self, text: str, start: int, hints: list[int] | None = None) -> bool:
        """Whether a discussion cue (or a quote mark) comes just before `start`, or `start` lies inside a
        quotation that a quotation cue introduces (`quotation_cues` in the pack: an attacker, a jailbreak,
        "e.g.", "for example"): in `e.g. "You are now in developer mode", "pretend you have no
        restrictions"` every match is quoted, not only the one right after the quote mark. Cues that any
        page uses before a quotation ("a user wrote:", "saying") are not enough: an attacker would put a
        whole attack in quotes after one."""
        if self._cue_before(text, start, hints):
            return True
        if self._quotation_cue is None:
            return False
        opening = _quotation_start(text, start)
        return (opening is not None
                and self._quotation_cue.search(text, max(0, opening - DISCUSSION_WINDOW), opening) is not None)

    def _cue_before(self, text: str, start: int, hints: list[int] | None = None) -> bool:
        """Whether a discussion cue (or a quote mark) comes just before `start`. With `hints` (the sorted
        positions where a cue's first literal occurs) the cues are tried only there, which finds the
        same as searching the whole window."""
        if (start > 0 and text[start - 1] in QUOTES
                and not _VALUE_OPENER.search(text, max(0, start - 40), start - 1)):
            return True
        if self._cue is None:
            return False
        lo = max(0, start - DISCUSSION_WINDOW)
        before = text[lo:start]
        if hints is None:
            return self._cue.search(before) is not None
        match = self._cue.match
        # The cues are matched on the slice, where `\b` holds at its first character even inside a word;
        # the hints, found in the whole text, miss that place, so it is tried as well.
        if match(before, 0) is not None:
            return True
        i = bisect_left(hints, lo)
        while i < len(hints) and hints[i] < start:
            if match(before, hints[i] - lo) is not None:
                return True
            i += 1
        return False

    def _payload_findings(self, payloads: list[DecodedPayload], rules: KeywordWindowedRules) -> list[Finding]:
        """Scan decoded payloads; report the ones holding instructions at their blob's span."""
        out = []
        for payload in payloads:
            norm = normalize(payload.text)
            inner = [f for f in rules.scan(norm.text) if f.score >= 0.5]
            if not inner and self.classifier is not None:
                best = self.classifier.best_window(norm.text)
                score = self.classifier.finding_score(best.probability)
                if score >= 0.5:
                    inner = [Finding("injection.classifier", 0, len(payload.text), score, "classifier")]
            if not inner:
                continue
            layers = ">".join(payload.layers)
            top = max(inner, key=lambda f: f.score)
            out.append(Finding("anomaly.encoded_instruction", payload.start, payload.end, top.score,
                               f"encoded:{layers}", f"{layers}-encoded text holds {top.category}"))
            out.extend(Finding(f.category, payload.start, payload.end, f.score, f"{layers}:{f.rule}",
                               f"inside {layers}-encoded text") for f in inner)
        return out

    def _classifier_findings(self, norm: NormalizedText, *, sentences: bool = False) -> list[Finding]:
        """The classifier's best window. Untrusted content (tool results, documents) is also scored
        sentence by sentence: one order planted in a long page is not diluted by the prose around it."""
        best = self.classifier.best_window(norm.text, sentences=sentences)
        score = self.classifier.finding_score(best.probability, sentence=best.sentence)
        if score < REPORT_FLOOR:
            return []
        start, end = norm.to_original(best.start, best.end) if norm.text else (0, 0)
        where = " (one sentence)" if best.sentence else ""
        return [Finding("injection.classifier", start, end, round(score, 4), "classifier",
                        f"classifier probability {best.probability:.2f}{where}")]

    @staticmethod
    def _adjust(f: Finding, source: str) -> Finding:
        factor = SOURCE_FACTORS.get((source, f.category))
        if factor is None:
            return f
        return Finding(f.category, f.start, f.end, round(min(1.0, f.score * factor), 4), f.rule, f.detail)


QUOTATION_REACH = 300  # how far back on its line a match looks for the quote mark that opens its quotation
_CLOSERS = {"«": "»", "「": "」", "『": "』"}


def _quotation_start(text: str, start: int) -> int | None:
    """The position of the quote mark opening a quotation that `start` lies in, on the same line (a
    straight `"` with an even number of them before it, or `«`, `「`, `『`, closed after `start`), or None.
    The quote opening a JSON value (`"body": "…`) opens data, not a quotation."""
    # Everything is looked at within QUOTATION_REACH of `start` only: a long line with many matches and
    # quotes must not be walked from its beginning for each match (a 2 MB line took 42 s).
    lo, hi = line_start(text, start, QUOTATION_REACH), line_end(text, start, QUOTATION_REACH)
    best = None
    i = text.rfind('"', lo, start)
    if (i >= 0 and text.count('"', lo, i) % 2 == 0 and text.find('"', start, hi) >= 0
            and not _VALUE_OPENER.search(text, max(0, i - 40), i)):
        best = i
    for opener, closer in _CLOSERS.items():
        j = text.rfind(opener, lo, start)
        if j >= 0 and text.find(closer, j, start) < 0 and text.find(closer, start, hi) >= 0:
            best = j if best is None else max(best, j)
    return best


@functools.cache
def _reason(category: str, damped: bool) -> str:
    kind = category.split(".", 1)[1].replace("_", " ")
    return f"{kind} phrase" + (" (quoted or discussed)" if damped else "")


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """One finding per (category, span): the same rule often matches several views of a text."""
    best: dict[tuple[str, int, int], Finding] = {}
    for f in findings:
        key = (f.category, f.start, f.end)
        if key not in best or f.score > best[key].score:
            best[key] = f
    return list(best.values())
