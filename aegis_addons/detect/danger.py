"""Dangerous output: reverse shells, `curl | sh`, `rm -rf /`, injection payloads, spam, ...

`DangerDetector` runs the `rules/danger.yaml` pack over assistant text (and, through the tool-call guard,
over tool-call arguments) and returns non-overlapping `danger.<kind>` findings whose score is the risk
the output sanitizer acts on.

Two adjustments happen after the regexes, both driven by the pack:

- Discussion: a match whose preceding text (same paragraph, `discussion_window` characters) explains or
  quotes an attack ("an attacker could send", "for example", "never run") has its score multiplied by
  `discussion_factor`, so a security article passes at the default level. Tool-call arguments are run,
  not read, so the tool-call guard turns this off. The cues look only backwards: a finding's score never
  changes when more text arrives after it, which the streaming hold-back relies on.
- Trusted installers: `curl ... | sh` from a vendor's install host (rustup, Docker, Homebrew, ...)
  drops to info.

Streaming hold-back (the contract `safe_prefix_length` relies on):

- Line rules (all but the pack's `multiline_rules`) run on each line on its own: the regex sees the line
  as the whole string (`$` matches at its end, nothing after the line break is visible) and a rule runs
  on a line only when one of its keywords is in that line. A line that ends with `\n` is therefore
  final: text arriving later cannot change what any line rule finds in it.
- Multi-line rules run on the whole text and are keyword-led (`match_at_keywords`): a match can only
  start where one of the rule's keywords starts.
- No rule reads more than its `reach` characters from where a match attempt starts (bounded
  quantifiers, lookaheads counted; checked at load), and `max_pending_chars` (the pack's `max_span`)
  bounds every reach.

So `pending_start(text)` is the earliest offset a finding could still appear or change at: in the
unfinished last line, the earliest place where a line rule's match could still start (at most that
rule's reach back from the end), or an earlier keyword of a multi-line rule within that rule's reach
of the end. Everything before it is final. Discussion cues look only backwards, so they never change a
final finding's score either.

Where a line rule's match could still start is asked of the `regex` package's partial matching: a
search that runs into the end of the text reports a partial match where it started. It does not treat
a zero-width assertion at the very end as open (`\\b` after a space, `\\B`, `$`: a path that fails
there now could pass once more text arrives), so the unfinished line is searched whole and once more
without its last character: every path that reads up to the end of the line then runs into the end of
the second search and is reported, at the price of holding back a match that only that last character
rules out. A rule the
package cannot compile holds back its whole reach. So ordinary prose is released up to its last word,
and only a tail that could begin a dangerous command (`rm -`, `curl http://x | s`) waits for more text.
"""

from __future__ import annotations

import re
import re._constants as sre_c  # only to measure how far a regex can read
import re._parser as sre_parse
from bisect import bisect_right
from fnmatch import fnmatchcase
from collections.abc import Iterable, Iterator
from dataclasses import replace
from types import SimpleNamespace
from pathlib import Path

import regex as partial_re  # partial matching, for the streaming hold-back (see LineRules)
import yaml

from aegis_addons.detect.findings import Finding, resolve_overlaps
from aegis_addons.detect.injection import _leading_literals, _trie_pattern  # literal-led rules, shared
from aegis_addons.detect.rulepack import (
    RegexRule,
    RulePackError,
    load_rule_pack,
    lower_same_length,
    shannon_entropy,
    validator,
)
from aegis_addons.paths import RULES_DIR

DEFAULT_PACK = RULES_DIR / "danger.yaml"

# Scores at or below this are "info": recorded for the audit, never acted on at the default level.
INFO_SCORE = 0.3

# Validators of the danger pack's obfuscation rules (`cmdi_quote_split`, `cmdi_glob_path`): the regex finds a
# cheap candidate, the validator says whether it is one of the few commands and paths probes disguise.
_RECON_WORDS = frozenset({
    "whoami", "passwd", "uname", "ifconfig", "ipconfig", "hostname", "netstat", "cat", "bash", "wget", "curl",
    "ncat", "netcat", "python", "python3", "perl", "nslookup", "/etc/passwd", "/etc/shadow", "/etc/hosts",
    "/bin/sh", "/bin/bash", "/bin/cat", "/usr/bin/id", "/usr/bin/whoami", "/bin/nc", "/usr/bin/nc",
})
_SENSITIVE_PATHS = (
    "/etc/passwd", "/etc/shadow", "/etc/group", "/etc/hosts", "/etc/issue", "/etc/sudoers", "/bin/cat",
    "/bin/sh", "/bin/bash", "/bin/dash", "/bin/nc", "/bin/ls", "/bin/netcat", "/usr/bin/id", "/usr/bin/whoami",
    "/usr/bin/wget", "/usr/bin/curl", "/usr/bin/nc", "/usr/bin/cat", "/usr/bin/python", "/usr/bin/perl",
    "/proc/self/environ",
)
_SPLITTERS = re.compile(r"\\|''|\"\"|'|\"|\$@")


@validator("quote_split_recon")
def quote_split_recon(value: str) -> bool:
    """`w'h'o'am'i`, `c\\at`, `/e"t"c/pa"s"swd`: quotes or backslashes inside a recon command or path."""
    if len(value) > 1 and value[0] in "ubrf" and value[1] in "'\"":
        return False   # a string-literal prefix (`u"name"`, `b"ash"`), not a split word
    joined = _SPLITTERS.sub("", value)
    return joined != value and joined in _RECON_WORDS


@validator("glob_sensitive_path")
def glob_sensitive_path(value: str) -> bool:
    """`/???/??t /???/p??s??`: a `?` glob that spells a shell binary or a credential file."""
    return "?" in value and any(fnmatchcase(path, value) for path in _SENSITIVE_PATHS)


class DiscussionCues:
    """Recognises prose that explains or quotes an attack just before a match."""

    def __init__(self, cues: list[str], window: int, factor: float):
        self.pattern = re.compile("|".join(f"(?:{c})" for c in cues), re.IGNORECASE) if cues else None
        self.window = window
        self.factor = factor

    @classmethod
    def from_pack(cls, doc: dict, where: str) -> DiscussionCues:
        cues = doc.get("discussion_cues") or []
        if not isinstance(cues, list) or not all(isinstance(c, str) for c in cues):
            raise RulePackError(f"{where}: 'discussion_cues' must be a list of regexes")
        try:
            return cls(cues, int(doc.get("discussion_window", 200)),
                       float(doc.get("discussion_factor", 0.35)))
        except re.error as e:
            raise RulePackError(f"{where}: bad discussion cue: {e}") from e

    def applies(self, text: str, start: int) -> bool:
        """True when the paragraph before `start` (up to `window` characters) holds a cue."""
        if self.pattern is None:
            return False
        before = text[max(0, start - self.window):start]
        paragraph = before.rfind("\n\n")
        if paragraph != -1:
            before = before[paragraph + 2:]
        return self.pattern.search(before) is not None


def regex_reach(pattern: re.Pattern[str]) -> int:
    """How many characters a match attempt can read from where it starts: the longest match plus what
    lookaheads inspect (lookbehinds only look back). Raises RulePackError when unbounded."""

    def reach(items) -> int:
        total = 0
        for op, av in items:
            if op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT):
                if av[1] == sre_c.MAXREPEAT:
                    raise RulePackError(f"unbounded repeat in {pattern.pattern[:60]!r}")
                total += av[1] * reach(av[2])
            elif op is sre_c.SUBPATTERN:
                total += reach(av[-1])
            elif op is sre_c.ATOMIC_GROUP:
                total += reach(av)
            elif op is sre_c.BRANCH:
                total += max(reach(b) for b in av[1])
            elif op in (sre_c.ASSERT, sre_c.ASSERT_NOT):
                total += reach(av[1]) if av[0] == 1 else 0
            elif op is sre_c.GROUPREF_EXISTS:
                total += max(reach(av[1]), reach(av[2]) if av[2] else 0)
            elif op is sre_c.GROUPREF:
                total += parsed.state.groupwidths[av][1]
            elif op in (sre_c.AT, sre_c.CATEGORY):
                continue
            else:
                total += 1
        return total

    parsed = sre_parse.parse(pattern.pattern, pattern.flags)
    return reach(parsed)


class LineRules:
    """Runs rules per the streaming contract of the module docstring and says what is still pending."""

    def __init__(self, rules: list[RegexRule], multiline: Iterable[str], where: str):
        multiline = set(multiline)
        unknown = multiline - {r.id for r in rules}
        if unknown:
            raise RulePackError(f"{where}: 'multiline_rules' names unknown rules {sorted(unknown)}")
        self.line_rules: list[RegexRule] = []
        self.multi_rules: list[tuple[RegexRule, int, int]] = []   # rule, reach, longest keyword
        self.reach: dict[str, int] = {}
        for rule in rules:
            try:
                self.reach[rule.id] = regex_reach(rule.pattern)
            except RulePackError as e:
                raise RulePackError(f"{where}: rule {rule.id!r}: {e}") from e
            if rule.id in multiline:
                if not rule.match_at_keywords:
                    raise RulePackError(f"{where}: multi-line rule {rule.id!r} must set 'match_at_keywords'")
                self.multi_rules.append((rule, self.reach[rule.id], max(len(k) for k in rule.keywords)))
            else:
                if rule.context or rule.requires_context or rule.anchor:
                    raise RulePackError(f"{where}: line rule {rule.id!r} cannot use context words or anchors")
                self.line_rules.append(rule)
        # Proper prefixes of the multi-line rules' keywords: a text ending in one may be cut mid-keyword.
        self.keyword_prefixes = {k[:i] for r, _, _ in self.multi_rules for k in r.keywords for i in range(1, len(k))}
        self.longest_keyword = max((longest for _, _, longest in self.multi_rules), default=0)
        self.line_reach = max((self.reach[r.id] for r in self.line_rules), default=0)
        # For the hold-back: each line rule compiled by `regex` (partial matching), with how far back
        # from the end a match could start and still change: its reach, plus its longest keyword (the
        # rule runs on a line only once a keyword is in it). Rules `regex` cannot compile hold back
        # their whole reach (`_unbounded_back`).
        # A rule whose every match starts with one of a few literals (`bash -i`, `nc `) is asked only
        # where one occurs, or where the line ends in the start of one (lower-cased on both sides).
        self._partial: list[tuple[partial_re.Pattern[str], int, tuple[str, ...] | None]] = []
        self._unbounded_back = 0
        for rule in self.line_rules:
            back = self.reach[rule.id] + max((len(k) for k in rule.keywords), default=0)
            try:
                compiled = partial_re.compile(rule.pattern.pattern, rule.pattern.flags)
            except (partial_re.error, ValueError, TypeError):
                self._unbounded_back = max(self._unbounded_back, back)
                continue
            self._partial.append((compiled, back, _lower_case_leads(rule.pattern)))
        self._partial.sort(key=lambda item: -item[1])
        self._max_back = max([back for _, back, _ in self._partial] + [self._unbounded_back])
        # All leading literals in one pass: a lookahead trie finds every offset where one starts (the
        # longest there; the others found at that offset are its prefixes), and which rules it leads.
        rules_of: dict[str, set[int]] = {}
        for index, (_, _, leads) in enumerate(self._partial):
            for lead in leads or ():
                rules_of.setdefault(lead, set()).add(index)
        self._rules_at_lead = {lead: frozenset(i for other, idx in rules_of.items() if lead.startswith(other)
                                               for i in idx) for lead in rules_of}
        self._rules_at_cut: dict[str, set[int]] = {}  # a proper prefix of a literal -> rules it may lead
        for lead, idx in rules_of.items():
            for size in range(1, len(lead)):
                self._rules_at_cut.setdefault(lead[:size], set()).update(idx)
        self._longest_lead = max(map(len, rules_of), default=0)
        self._lead_finder = re.compile(f"(?=({_trie_pattern(rules_of)}))") if rules_of else None
        self.multi_reach = max((reach for _, reach, _ in self.multi_rules), default=0)
        self.max_reach = max(self.line_reach, self.multi_reach)
        # Keyword prefilter, computed once per text: every distinct keyword of the line rules is tested
        # with one C-level substring search, and only the keywords present are mapped to their lines and
        # on to the rules that use them (instead of looping over every rule's keywords per text).
        rules_of_keyword: dict[str, list[int]] = {}
        for index, rule in enumerate(self.line_rules):
            for keyword in rule.keywords:
                rules_of_keyword.setdefault(keyword, []).append(index)
        self._rules_of_keyword = {k: tuple(v) for k, v in rules_of_keyword.items()}
        self._line_keywords = tuple(sorted(self._rules_of_keyword))

    def scan(self, text: str) -> Iterator[Finding]:
        """Every rule's findings (overlapping ones included), line rules line by line."""
        lowered = lower_same_length(text)
        breaks = [m.start() for m in _NEWLINE.finditer(text)]
        n_lines = len(breaks) + 1
        # Which lines hold a keyword, only for the keywords present in the text (most are not).
        lines_of_rule: dict[int, set[int]] = {}
        for keyword in [k for k in self._line_keywords if k in lowered]:
            found = _keyword_lines(lowered, keyword, breaks, n_lines)
            for index in self._rules_of_keyword[keyword]:
                lines = lines_of_rule.get(index)
                if lines is None:
                    lines_of_rule[index] = set(found)
                else:
                    lines.update(found)
        for index, rule in enumerate(self.line_rules):
            if rule.keywords:
                lines = lines_of_rule.get(index)
                if not lines:
                    continue
                ordered = sorted(lines)
            else:
                ordered = range(n_lines)
            for line in ordered:
                start = breaks[line - 1] + 1 if line else 0
                end = breaks[line] if line < len(breaks) else len(text)
                yield from _line_findings(rule, text, start, end)
        for rule, _, _ in self.multi_rules:
            yield from rule.scan(text, lowered)

    def pending_start(self, text: str, since: int = 0) -> int:
        """The earliest offset at which a finding can still appear or change as `text` grows.

        `since`: what an earlier call returned for a prefix of this same text (offsets unchanged). Nothing
        could start before it then, and what cannot start somewhere never can once more text arrives,
        so the line rules are asked only from there: a stream pays for its new text, not its line."""
        n = len(text)
        start = self._line_pending_start(text, max(text.rfind("\n") + 1, min(since, n)))
        if self.multi_rules:
            tail_from = max(0, n - self.multi_reach)
            tail = lower_same_length(text[tail_from:])
            for size in range(min(self.longest_keyword - 1, len(tail)), 0, -1):
                if tail[-size:] in self.keyword_prefixes:   # a keyword cut off at the end
                    start = min(start, n - size)
                    break
            for rule, reach, _ in self.multi_rules:
                lo = max(0, n - reach) - tail_from
                for keyword in rule.keywords:
                    pos = tail.find(keyword, lo)
                    if pos != -1 and pos + tail_from < start:
                        start = pos + tail_from
        return max(0, start)


    def _line_pending_start(self, text: str, line_start: int) -> int:
        """Where a line rule's match in the unfinished last line (from `line_start`, or from a later
        offset before which nothing can start) could still start."""
        n = len(text)
        start = max(line_start, n - self._unbounded_back) if self._unbounded_back else n
        if start <= line_start:
            return start
        # One window for all rules: the farthest any rule looks back from the end, plus room for
        # lookbehinds and `\b` before a match's start (a lookbehind may look into earlier lines). Each
        # rule searches it whole and without its last character (see the module docstring).
        lo = max(line_start, n - self._max_back)
        offset = max(0, lo - _LOOKBEHIND_ROOM)
        whole, short = text[offset:n], text[offset:n - 1]
        candidates = self._lead_candidates(lower_same_length(whole), lo - offset)
        for index, (pattern, back, leads) in enumerate(self._partial):
            first = max(line_start, n - back)
            if first >= start:
                continue
            if leads is None:
                for window in (whole, short):
                    m = pattern.search(window, first - offset, partial=True)
                    if m is not None and m.start() + offset < start:
                        start = m.start() + offset
            else:
                for at in candidates.get(index, ()):
                    if at + offset >= start:
                        break
                    if at >= first - offset and (pattern.match(whole, at, partial=True) or (
                            at < len(short) and pattern.match(short, at, partial=True))):
                        start = at + offset
                        break
            if start <= lo:
                break
        return start

    def _lead_candidates(self, lowered: str, first: int) -> dict[int, list[int]]:
        """For each literal-led rule, the offsets from `first` on where one of its literals starts, or
        where `lowered` ends in the start of one (cut off by the end of the text so far), in order."""
        found: dict[int, list[int]] = {}
        if self._lead_finder is None:
            return found
        for m in self._lead_finder.finditer(lowered, first):
            for index in self._rules_at_lead[m.group(1)]:
                found.setdefault(index, []).append(m.start())
        end = len(lowered)
        for size in range(min(self._longest_lead - 1, end - first), 0, -1):
            for index in self._rules_at_cut.get(lowered[end - size:], ()):
                positions = found.setdefault(index, [])
                if end - size not in positions:
                    positions.append(end - size)
        for positions in found.values():
            positions.sort()
        return found


# How far before a match's possible start the window reaches, for lookbehinds and `\b`.
_LOOKBEHIND_ROOM = 64


def _lower_case_leads(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """The literals every match of `pattern` starts with, lower-cased (whatever the pattern's case
    flag: the search is in lower-cased text), or None (see `injection._leading_literals`)."""
    as_written = SimpleNamespace(pattern=pattern.pattern, flags=pattern.flags & ~re.IGNORECASE)
    leads = _leading_literals(as_written)  # type: ignore[arg-type]
    return None if leads is None else tuple(sorted({literal.lower() for literal, _, _ in leads}))

_NEWLINE = re.compile("\n")


def _keyword_lines(lowered: str, keyword: str, breaks: list[int], n_lines: int) -> tuple[int, ...]:
    """The indexes of the lines of `lowered` (split at `breaks`) that contain `keyword`."""
    found: list[int] = []
    pos = lowered.find(keyword)
    while pos != -1:
        line = bisect_right(breaks, pos)
        found.append(line)
        if line >= n_lines - 1:
            break
        pos = lowered.find(keyword, breaks[line] + 1)
    return tuple(found)


def _line_findings(rule: RegexRule, text: str, start: int, end: int) -> Iterator[Finding]:
    """`RegexRule.scan` restricted to text[start:end] seen as a whole string (lookbehinds may look back)."""
    for m in rule.pattern.finditer(text, start, end):
        value = m.group(rule.group)
        if not value:
            continue
        if rule.min_entropy and shannon_entropy(value) < rule.min_entropy:
            continue
        if rule.validator is not None and not rule.validator(value):
            continue
        s, e = m.span(rule.group)
        yield Finding(rule.category, s, e, rule.score, rule.id)


class HoldBack:
    """The union of several detectors' pending tails: what a stream editor must not emit yet."""

    def __init__(self, *detectors):
        self.detectors = detectors
        self.max_pending_chars = max(d.max_pending_chars for d in detectors)

    def pending_start(self, text: str, since: int = 0) -> int:
        return min(d.pending_start(text, since) for d in self.detectors)


def read_pack_document(path: str | Path) -> dict:
    """The raw YAML mapping of a pack, for the settings beside its `rules` list."""
    try:
        doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise RulePackError(f"{path}: {e}") from e
    if not isinstance(doc, dict):
        raise RulePackError(f"{path}: expected a mapping")
    return doc


def describe(rule_id: str, category: str, descriptions: dict[str, str]) -> str:
    """A short human reason for a finding: the rule's description, else its kind in words."""
    return descriptions.get(rule_id) or category.split(".", 1)[-1].replace("_", " ")


class DangerDetector:
    """Finds dangerous commands and payloads in text; see the module docstring."""

    def __init__(self, path: str | Path = DEFAULT_PACK):
        doc = read_pack_document(path)
        self.rules: list[RegexRule] = load_rule_pack(path)
        self.max_pending_chars: int = int(doc.get("max_span", 0))
        if self.max_pending_chars <= 0:
            raise RulePackError(f"{path}: 'max_span' (the longest possible match) is required")
        self.engine = LineRules(self.rules, doc.get("multiline_rules") or (), str(path))
        if self.engine.max_reach > self.max_pending_chars:
            raise RulePackError(f"{path}: a rule reads {self.engine.max_reach} characters, more than "
                                f"'max_span' ({self.max_pending_chars})")
        self.cues = DiscussionCues.from_pack(doc, str(path))
        self.not_discounted = frozenset(doc.get("not_discounted") or ())
        self.trusted_installers = tuple(h.lower() for h in doc.get("trusted_installers") or ())
        self.descriptions = {r["id"]: r["description"] for r in doc["rules"] if r.get("description")}

    def scan(self, text: str, *, discount_discussion: bool = True) -> list[Finding]:
        """Non-overlapping findings in `text`, highest risk kept where matches overlap."""
        return resolve_overlaps([self._adjust(f, text, discount_discussion) for f in self.engine.scan(text)])

    def pending_start(self, text: str, since: int = 0) -> int:
        """Where the tail that may still change begins (see the module docstring); stream editors emit
        only what lies before it. `since`: see `LineRules.pending_start`."""
        return self.engine.pending_start(text, since)

    def _adjust(self, f: Finding, text: str, discount_discussion: bool) -> Finding:
        detail = describe(f.rule, f.category, self.descriptions)
        score = f.score
        if f.category == "danger.download_exec" and any(
                host in text[f.start:f.end].lower() for host in self.trusted_installers):
            score, detail = min(score, INFO_SCORE), f"{detail}: vendor install script"
        elif (discount_discussion and f.rule not in self.not_discounted
              and self.cues.applies(text, f.start)):
            score, detail = round(score * self.cues.factor, 3), f"{detail}: quoted in a discussion"
        return replace(f, score=score, detail=detail)
