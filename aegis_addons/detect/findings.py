"""The one result type every detector returns."""

from __future__ import annotations

from bisect import bisect_left, insort
from dataclasses import dataclass, replace


@dataclass(frozen=True, slots=True)
class Finding:
    """Something a detector found in a piece of text.

    `category` is `family.kind` (`pii.email`, `secret.aws_access_key`, `injection.direct`,
    `anomaly.bidi`, `danger.reverse_shell`, `tool.dangerous_args`, ...). `start`/`end` are character
    offsets into the scanned text (end exclusive); a whole-text verdict uses 0 and len(text).
    `score` is the detector's confidence in [0, 1]; policies compare it with their thresholds.
    `rule` names the rule or model that fired, so every result can explain itself. `detail` is a short
    human-readable reason and must never contain the matched value itself (it may reach the audit log).
    """

    category: str
    start: int
    end: int
    score: float
    rule: str
    detail: str = ""

    @property
    def family(self) -> str:
        return self.category.split(".", 1)[0]

    @property
    def length(self) -> int:
        return self.end - self.start

    def overlaps(self, other: Finding) -> bool:
        return self.start < other.end and other.start < self.end

    def shifted(self, offset: int) -> Finding:
        """The same finding with its span moved by `offset` (from a window's offsets to the text's)."""
        return replace(self, start=self.start + offset, end=self.end + offset)


def resolve_overlaps(findings: list[Finding]) -> list[Finding]:
    """Keep a non-overlapping subset, preferring higher scores, then longer spans, then earlier starts.

    Redaction and sanitizing rewrite spans, so two findings must never claim the same characters.
    The spans kept so far are held sorted; as they do not overlap, their ends rise with their starts,
    so only the kept span starting last before a candidate's end can overlap it (n log n: a text
    crafted to match thousands of times must not take seconds here).
    """
    ranked = sorted(findings, key=lambda f: (-f.score, -f.length, f.start))
    kept: list[Finding] = []
    spans: list[tuple[int, int]] = []  # (start, end) of `kept`, sorted
    for f in ranked:
        before = bisect_left(spans, (f.end, -1))  # the spans that start before f ends
        if before and spans[before - 1][1] > f.start:
            continue
        kept.append(f)
        insort(spans, (f.start, f.end))
    return sorted(kept, key=lambda f: f.start)
