"""Output sanitizer: turns danger / privilege / tool findings into one action and the text to send.

Each finding's score is a risk. The security level's thresholds turn it into an action:

    risk (score)          level low      level medium   level high
    info      < 0.40      pass           pass           obfuscate (>= 0.20)
    low       0.40-0.69   pass           obfuscate      replace
    high      0.70-0.89   obfuscate      replace        block
    critical  >= 0.90     replace        block          block

- obfuscate: a `-` after every 3 characters of the fragment (`developer` -> `dev-elo-per`; a 2-3
  character fragment gets one after its first character: `;id` -> `;-id`), readable but no longer
  copy-pasteable as a command;
- replace: the fragment becomes `[aegis:removed danger.reverse_shell]` (its category);
- block: the whole answer becomes `[aegis:blocked danger.reverse_shell] This answer was withheld by the
  gateway.`;
- spam (`*.spam*` categories) is never obfuscated: where the table says obfuscate or replace, the
  fragment becomes `[aegis:spam-removed]`.

A policy can override the thresholds per level (`Thresholds(obfuscate, replace, block)`, scores at or
above each value take that action). The answer's action is `block` if any finding blocks, else
`sanitize` if any fragment is rewritten, else `allow`.

Streaming contract (for the stream editor):
1. Keep the raw accumulated text of each channel; after each delta run the detectors on it.
2. `decide(findings)`: on `block`, emit the sanitized text up to `Decision.blocked_at` (still
   unsent), then the block marker, then end the stream. `apply(text, findings, keep_prefix=True)`
   gives the buffered response the same client-visible text.
3. Otherwise `n = safe_prefix_length(text, findings, hold)` characters are final: no match can still
   grow into them and no finding straddles the cut. `hold` is `HoldBack(danger, privilege)` (from
   `aegis_addons.detect.danger`): it holds back the unfinished last line, capped at the line rules'
   reach, plus an earlier keyword of a multi-line rule if one is near the end. An int
   (`max_pending_chars`) still works and holds back that many characters. Emit
   `apply(text[:n], [f for f in findings if f.end <= n]).text` minus what was already sent; the sanitized
   prefix only ever grows.
4. At the end of the stream call it with `final=True` (everything is final) before the terminal events.
`max_pending_chars` is the largest of the detectors' own (`DangerDetector.max_pending_chars`, ...).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

from aegis_addons.detect.findings import Finding, resolve_overlaps

Level = Literal["low", "medium", "high"]
FindingAction = Literal["pass", "obfuscate", "replace", "block"]
AnswerAction = Literal["allow", "sanitize", "block"]

MARKER_PREFIX = "[aegis:"
SPAM_MARKER = "[aegis:spam-removed]"
_MARKER_REACH = 200  # a marker is `[aegis:removed <category>]`: a category name is far shorter
BLOCK_MESSAGE = "This answer was withheld by the gateway."


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Scores at or above each value take that action (the strongest one reached wins)."""

    obfuscate: float
    replace: float
    block: float = math.inf


DEFAULT_THRESHOLDS: dict[str, Thresholds] = {
    "low": Thresholds(obfuscate=0.7, replace=0.9),
    "medium": Thresholds(obfuscate=0.4, replace=0.7, block=0.9),
    "high": Thresholds(obfuscate=0.2, replace=0.4, block=0.7),
}


@dataclass(frozen=True, slots=True)
class Decision:
    action: AnswerAction
    acted: tuple[Finding, ...] = ()          # the findings that rewrite or block, in text order
    blocked_by: Finding | None = None        # the first blocking finding

    @property
    def blocked_at(self) -> int | None:
        return None if self.blocked_by is None else self.blocked_by.start


@dataclass(frozen=True, slots=True)
class SanitizeResult:
    text: str
    action: AnswerAction
    findings: tuple[Finding, ...] = field(default=())


def obfuscate(fragment: str) -> str:
    """`developer` -> `dev-elo-per`: a hyphen after every third character. A fragment of two or three
    characters (`;id`, `pwd`) gets one after its first, so an acted-on fragment always changes."""
    if 2 <= len(fragment) <= 3:
        return f"{fragment[0]}-{fragment[1:]}"
    return "-".join(fragment[i:i + 3] for i in range(0, len(fragment), 3))


def removed_marker(category: str) -> str:
    return f"[aegis:removed {category}]"


def block_marker(category: str) -> str:
    return f"[aegis:blocked {category}] {BLOCK_MESSAGE}"


def is_spam(finding: Finding) -> bool:
    return finding.category.split(".", 1)[-1].startswith("spam")


class PendingTail(Protocol):
    """A detector (or `HoldBack` of several) that says where the still-changing tail of a text begins."""

    def pending_start(self, text: str) -> int: ...


def safe_prefix_length(text: str, findings: Iterable[Finding], max_pending_chars: int | PendingTail, *,
                       final: bool = False) -> int:
    """How many leading characters of a growing `text` are final and may be emitted now.

    `max_pending_chars` is either a character count (hold back that many trailing characters, the
    simple, always-safe bound) or an object with `pending_start(text)` (`DangerDetector`,
    `PrivilegeGuard`, or `HoldBack(danger, privilege)`), which holds back only the unfinished line and
    what a multi-line rule could still start (the contract in `aegis_addons.detect.danger`)."""
    if final:
        return len(text)
    if isinstance(max_pending_chars, int):
        cut = max(0, len(text) - max_pending_chars)
    else:
        cut = max(0, min(len(text), max_pending_chars.pending_start(text)))
    for f in sorted(findings, key=lambda f: f.start, reverse=True):
        if f.start < cut < f.end:
            cut = f.start
    return cut


class OutputSanitizer:
    """Applies the level x risk table of the module docstring."""

    def __init__(self, level: Level = "medium", thresholds: Mapping[str, Thresholds] | None = None):
        table = {**DEFAULT_THRESHOLDS, **(thresholds or {})}
        if level not in table:
            raise ValueError(f"unknown security level {level!r} (expected one of {', '.join(table)})")
        self.level = level
        self.thresholds = table[level]

    def action_for(self, finding: Finding) -> FindingAction:
        t = self.thresholds
        if finding.score >= t.block:
            return "block"
        if finding.score >= t.replace:
            return "replace"
        if finding.score >= t.obfuscate:
            return "replace" if is_spam(finding) else "obfuscate"
        return "pass"

    def decide(self, findings: Iterable[Finding]) -> Decision:
        acted = tuple(f for f in resolve_overlaps(list(findings)) if self.action_for(f) != "pass")
        blocking = [f for f in acted if self.action_for(f) == "block"]
        if blocking:
            return Decision("block", acted, blocking[0])
        return Decision("sanitize" if acted else "allow", acted)

    def apply(self, text: str, findings: Iterable[Finding], *, keep_prefix: bool = False) -> SanitizeResult:
        """The text to send. `keep_prefix`: on block, keep the sanitized text before the first blocking
        finding (what a stream has already shown) and append the block marker on a new line."""
        findings = tuple(sorted(findings, key=lambda f: (f.start, f.end)))
        decision = self.decide(f for f in findings if not _inside_marker(text, f))
        if decision.blocked_by is not None:
            marker = block_marker(decision.blocked_by.category)
            if not keep_prefix:
                return SanitizeResult(marker, "block", findings)
            cut = decision.blocked_by.start
            before = self.rewrite(text[:cut], [f for f in decision.acted if f.end <= cut])
            sep = "" if not before or before.endswith("\n") else "\n"
            return SanitizeResult(f"{before}{sep}{marker}", "block", findings)
        return SanitizeResult(self.rewrite(text, decision.acted), decision.action, findings)

    def rewrite(self, text: str, acted: Iterable[Finding]) -> str:
        """`text` with each acted-on finding obfuscated or replaced by its marker (no block handling)."""
        out, pos = [], 0
        for f in acted:
            out.append(text[pos:f.start])
            fragment = text[f.start:f.end]
            if is_spam(f):
                out.append(SPAM_MARKER)
            elif self.action_for(f) == "obfuscate":
                out.append(obfuscate(fragment))
            else:
                out.append(removed_marker(f.category))
            pos = f.end
        out.append(text[pos:])
        return "".join(out)


def _inside_marker(text: str, f: Finding) -> bool:
    """A finding inside a marker the gateway wrote earlier: sanitizing twice changes nothing."""
    opening = text.rfind(MARKER_PREFIX, max(0, f.start + 1 - _MARKER_REACH), f.start + 1)
    return opening != -1 and text.find("]", opening, opening + _MARKER_REACH) >= f.end - 1
