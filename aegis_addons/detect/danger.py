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

Streaming: no rule matches more than `max_pending_chars` characters (the pack's `max_span`, checked by
the tests), so a stream editor that holds back that many trailing characters never emits the start of
a match it has not yet seen whole.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import yaml

from aegis_addons.detect.findings import Finding, resolve_overlaps
from aegis_addons.detect.rulepack import RegexRule, RulePackError, load_rule_pack
from aegis_addons.paths import RULES_DIR

DEFAULT_PACK = RULES_DIR / "danger.yaml"

# Scores at or below this are "info": recorded for the audit, never acted on at the default level.
INFO_SCORE = 0.3


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
        self.cues = DiscussionCues.from_pack(doc, str(path))
        self.not_discounted = frozenset(doc.get("not_discounted") or ())
        self.trusted_installers = tuple(h.lower() for h in doc.get("trusted_installers") or ())
        self.descriptions = {r["id"]: r["description"] for r in doc["rules"] if r.get("description")}

    def scan(self, text: str, *, discount_discussion: bool = True) -> list[Finding]:
        """Non-overlapping findings in `text`, highest risk kept where matches overlap."""
        lowered = text.lower()
        found: list[Finding] = []
        for rule in self.rules:
            for f in rule.scan(text, lowered):
                found.append(self._adjust(f, text, discount_discussion))
        return resolve_overlaps(found)

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
