"""Import secret rules written for gitleaks (`gitleaks.toml`) as Aegis regex rules.

Operators often already maintain a gitleaks configuration; `load_gitleaks_rules(path)` turns each
`[[rules]]` entry into a rule with category `secret.<id>`:

  * `regex` is translated from Go (RE2) syntax to Python: inline flags such as `(?i)` in the middle
    of a pattern (Python only accepts global flags at the very start) become scoped groups running
    to the end of the enclosing group, `\\z` becomes `\\Z`, `(?<name>` becomes `(?P<name>`, and POSIX
    classes (`[[:alnum:]]`) are spelled out. RE2 has no possessive or atomic constructs.
  * `secretGroup` picks the reported group; without it the first non-empty group is used, as gitleaks
    does; `keywords` become the prefilter; `entropy` the minimum Shannon entropy of the secret.
  * `[rules.allowlist]`, `[[rules.allowlists]]` and the global `[allowlist]` / `[[allowlists]]`:
    `regexes` (against the secret, or against the line for `regexTarget = "match"` / `"line"`)
    and `stopwords` drop a finding; `condition = "AND"` requires all of them. `paths` and
    `commits` are ignored: Aegis scans messages, not files in a repository.

A rule that cannot be translated (a path-only rule, Unicode classes `\\p{...}`, Go-only flags) is
skipped and reported with the reason; the import never fails because of one rule.
"""

from __future__ import annotations

import re
import tomllib
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from aegis_addons.detect.findings import Finding
from aegis_addons.detect.lines import line_end, line_start
from aegis_addons.detect.rulepack import RegexRule, shannon_entropy

# Allowlists see the match's line; on one very long line (minified JSON), this much of it either side.
_LINE_REACH = 4096

_POSIX_CLASSES = {
    "alnum": "0-9A-Za-z", "alpha": "A-Za-z", "ascii": "\\x00-\\x7F", "blank": "\\t ",
    "cntrl": "\\x00-\\x1F\\x7F", "digit": "0-9", "graph": "!-~", "lower": "a-z", "print": " -~",
    "punct": "!-/:-@\\[-`{-~", "space": "\\t\\n\\v\\f\\r ", "upper": "A-Z", "word": "0-9A-Za-z_",
    "xdigit": "0-9A-Fa-f",
}
_INLINE_FLAGS = re.compile(r"\(\?([imsU]*(?:-[imsU]+)?)\)")


class GoRegexError(ValueError):
    """A Go regex construct that has no Python equivalent."""


def go_regex_to_python(pattern: str) -> str:
    """Translate RE2 syntax to Python `re` syntax (see the module docstring for what changes)."""
    out: list[str] = []
    scoped = [0]  # per open group: how many scoped-flag groups to close with it
    i, n = 0, len(pattern)
    in_class = False
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            nxt = pattern[i + 1:i + 2]
            if nxt == "z":
                out.append("\\Z")
            elif nxt in ("p", "P"):
                raise GoRegexError("Unicode classes (\\p{...}) are not supported by Python re")
            elif nxt == "Q":
                end = pattern.find("\\E", i + 2)
                literal = pattern[i + 2:] if end == -1 else pattern[i + 2:end]
                out.append(re.escape(literal))
                i = n if end == -1 else end + 2
                continue
            elif nxt == "x" and pattern[i + 2:i + 3] == "{":
                end = pattern.index("}", i)
                out.append(f"\\U{int(pattern[i + 3:end], 16):08x}")
                i = end + 1
                continue
            else:
                out.append(pattern[i:i + 2])
            i += 2
            continue
        if in_class:
            if ch == "[" and pattern[i + 1:i + 2] == ":":
                end = pattern.find(":]", i + 2)
                name = pattern[i + 2:end] if end != -1 else ""
                if name.lstrip("^") in _POSIX_CLASSES:
                    if name.startswith("^"):
                        raise GoRegexError("negated POSIX classes are not supported")
                    out.append(_POSIX_CLASSES[name])
                    i = end + 2
                    continue
            out.append(ch)
            if ch == "]" and not _class_just_opened(out):
                in_class = False
            i += 1
            continue
        if ch == "[":
            in_class = True
            out.append(ch)
            i += 1
            # `[]...]` and `[^]...]`: a leading `]` is a literal
            for lead in ("^", "]"):
                if pattern[i:i + 1] == lead:
                    out.append(lead)
                    i += 1
            continue
        if ch == "(":
            flags = _INLINE_FLAGS.match(pattern, i)
            if flags:
                spec = flags.group(1)
                if "U" in spec:
                    raise GoRegexError("the ungreedy flag (?U) has no Python equivalent")
                if not out and "-" not in spec and spec:
                    out.append(f"(?{spec})")  # a leading global flag is valid Python
                elif spec:
                    out.append(f"(?{spec}:")
                    scoped[-1] += 1
                i = flags.end()
                continue
            if pattern.startswith("(?<", i) and pattern[i + 3:i + 4] not in ("=", "!"):
                out.append("(?P<")
                i += 3
            else:
                out.append(ch)
                i += 1
            scoped.append(0)
            continue
        if ch == ")":
            out.append(")" * scoped.pop() if len(scoped) > 1 else "")
            out.append(")")
            i += 1
            continue
        out.append(ch)
        i += 1
    out.append(")" * scoped[0])
    return "".join(out)


def _class_just_opened(out: list[str]) -> bool:
    """True when the `]` just appended is the first character of its class (a literal)."""
    return len(out) >= 2 and (out[-2] == "[" or (out[-2] == "^" and len(out) >= 3 and out[-3] == "["))


@dataclass
class _Allowlist:
    secret_regexes: list[re.Pattern[str]] = field(default_factory=list)
    line_regexes: list[re.Pattern[str]] = field(default_factory=list)
    stopwords: tuple[str, ...] = ()
    require_all: bool = False

    def allows(self, secret: str, line: str) -> bool:
        checks = []
        if self.secret_regexes or self.line_regexes:
            checks.append(any(r.search(secret) for r in self.secret_regexes)
                          or any(r.search(line) for r in self.line_regexes))
        if self.stopwords:
            low = secret.lower()
            checks.append(any(word in low for word in self.stopwords))
        if not checks:
            return False
        return all(checks) if self.require_all else any(checks)


def _compile(pattern: str) -> re.Pattern[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # "possible nested set": same meaning in RE2
        return re.compile(go_regex_to_python(pattern))


def _allowlist(raw: dict) -> _Allowlist:
    regexes = [_compile(r) for r in raw.get("regexes", [])]
    target = raw.get("regexTarget", "secret")
    return _Allowlist(
        secret_regexes=regexes if target == "secret" else [],
        line_regexes=regexes if target in ("match", "line") else [],
        stopwords=tuple(w.lower() for w in raw.get("stopwords", [])),
        require_all=str(raw.get("condition", "OR")).upper() == "AND",
    )


@dataclass(slots=True)
class GitleaksRule(RegexRule):
    """A regex rule with gitleaks semantics: default secret group and allowlists."""

    allowlists: list[_Allowlist] = field(default_factory=list)
    first_nonempty_group: bool = False

    def scan(self, text: str, lowered_text: str | None = None) -> list[Finding]:
        lowered = text.lower() if lowered_text is None else lowered_text
        if not self.applies_to(lowered):
            return []
        found = []
        for m in self.pattern.finditer(text):
            group = self.group
            if self.first_nonempty_group:
                group = next((g for g in range(1, (m.re.groups or 0) + 1) if m.group(g)), 0)
            secret = m.group(group)
            if not secret:
                continue
            if self.min_entropy and shannon_entropy(secret) < self.min_entropy:
                continue
            line = text[line_start(text, m.start(), _LINE_REACH):line_end(text, m.end(), _LINE_REACH)]
            if any(a.allows(secret, line) for a in self.allowlists):
                continue
            start, end = m.span(group)
            found.append(Finding(self.category, start, end, self.score, self.id,
                                 "gitleaks rule"))
        return found


@dataclass
class GitleaksImport:
    rules: list[GitleaksRule]
    skipped: list[tuple[str, str]]  # (rule id, reason)


def _rule_allowlists(raw: dict) -> list[dict]:
    lists = list(raw.get("allowlists", []))
    if isinstance(raw.get("allowlist"), dict):
        lists.append(raw["allowlist"])
    return lists


def load_gitleaks_rules(path: str | Path, score: float = 0.9) -> GitleaksImport:
    """Read a gitleaks TOML file; rules that cannot be used are skipped with a reason."""
    with Path(path).open("rb") as fh:
        doc = tomllib.load(fh)
    global_lists = []
    for raw in _rule_allowlists(doc):
        try:
            global_lists.append(_allowlist(raw))
        except (re.error, GoRegexError) as e:
            raise ValueError(f"{path}: global allowlist: {e}") from e
    rules: list[GitleaksRule] = []
    skipped: list[tuple[str, str]] = []
    for raw in doc.get("rules", []):
        rule_id = str(raw.get("id") or "").strip()
        if not rule_id:
            skipped.append(("<no id>", "rule without an id"))
            continue
        if not raw.get("regex"):
            skipped.append((rule_id, "no regex (path-only rules need file paths)"))
            continue
        try:
            pattern = _compile(raw["regex"])
            allowlists = [_allowlist(a) for a in _rule_allowlists(raw)] + global_lists
        except (re.error, GoRegexError, ValueError) as e:
            skipped.append((rule_id, f"regex not translatable: {e}"))
            continue
        group = int(raw.get("secretGroup", 0) or 0)
        if group > pattern.groups:
            skipped.append((rule_id, f"secretGroup {group} but the regex has {pattern.groups} groups"))
            continue
        rules.append(GitleaksRule(
            id=rule_id,
            category=f"secret.{rule_id}",
            pattern=pattern,
            score=score,
            group=group,
            keywords=tuple(k.lower() for k in raw.get("keywords", [])),
            min_entropy=float(raw.get("entropy", 0.0) or 0.0),
            allowlists=allowlists,
            first_nonempty_group=group == 0 and pattern.groups > 0,
        ))
    return GitleaksImport(rules, skipped)
