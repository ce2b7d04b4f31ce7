"""Measure PII/secret redaction on the shared labelled corpus.

    .venv/bin/python scripts/eval_redaction.py [--corpus ../shared/corpus/pii.jsonl] [--explain]

Row-level metrics with the default `PiiDetector`:
  * recall on label=1 rows: a row is caught when a finding overlaps one of its `entities` spans
    (rows without entities: when anything at all is found);
  * false-redaction rate on label=0 rows (anything found), with `secret_lookalike` and
    `pii_out_of_scope_only` on their own lines.

Rules may only be tuned on `train_ok` rows, so the corpus is split deterministically by a hash of
the text: 30% is held out and never looked at while tuning. Numbers are printed for the held-out part
and for all rows. `--explain` lists which finding categories fire on label=0 rows (categories only,
never the text), to analyse false redactions; `--show-misses N` prints up to N missed or falsely
redacted rows of the tuning split (train_ok rows only, to the terminal, never into files);
`--miss-categories` counts the missed label=1 rows per fine-grained category in each split, and per
kind of missed value (`miss_kind`: example or placeholder values, bare UUIDs and hashes, a JWK member
without key material, a common word as the password, private addresses, which the detector leaves alone
on purpose; "other" for the rest). Counts only, never the text, so the held-out part can be described
without being looked at.
"""

from __future__ import annotations

import argparse
import hashlib
import ipaddress
import json
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from aegis_addons.detect.pii import PiiDetector
from aegis_addons.paths import PROJECT_ROOT

DEFAULT_CORPUS = PROJECT_ROOT.parent / "shared" / "corpus" / "pii.jsonl"
NEGATIVE_LINES = ("secret_lookalike", "pii_out_of_scope_only")


def is_held_out(text: str, fraction: float) -> bool:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < fraction


# What kind of value a missed row holds, tried in this order (a heuristic description for the report; the
# detector does not use it). The first five are values the issue or the defaults leave untouched.
_EXAMPLE = re.compile(r"(?i)example|sample|dummy|fake|x{4,}|your[_-]|changeme|placeholder|redacted|<[a-z_ -]+>")
_UUID = re.compile(r"(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_DIGEST = re.compile(r"(?i)[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}")
_JWK_MEMBER = re.compile(r'\s*"?(?:kty|alg|use|kid|crv|e)"?\s*:\s*"?[\w-]{1,12}"?,?\s*')
_WORD_PASSWORD = re.compile(r"(?i)(?:[:=\"'>]\s*|:)(?:password|passwd|secret|admin|root|changeme|123456)\b")
MISS_KINDS = ("example or placeholder value", "bare UUID", "bare hash", "JWK member without key material",
              "a common word as the password", "private or loopback address", "public JWK (no private member)",
              "other")
_PRIVATE_JWK_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "k"}


def _public_jwk(value: str) -> bool:
    """JSON (or base64 of JSON) of a JWK without a private member: a public key."""
    import base64
    candidates = [value]
    try:
        candidates.append(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode("utf-8"))
    except ValueError:
        pass
    for text in candidates:
        try:
            data = json.loads(text)
        except ValueError:
            continue
        keys = [k for d in (data.get("keys") or [data] if isinstance(data, dict) else [])
                if isinstance(d, dict) for k in d]
        if "kty" in keys and not _PRIVATE_JWK_MEMBERS & set(keys):
            return True
    return False


def miss_kind(row: dict) -> str:
    """Which of MISS_KINDS a missed label=1 row holds: its entity values, or its whole text without."""
    text = row["text"]
    value = " ".join(text[e["start"]:e["end"]] for e in row.get("entities") or []).strip() or text.strip()
    value = value.strip("\"'`{}[]() ,;")
    if _UUID.fullmatch(value):
        return MISS_KINDS[1]
    if _DIGEST.fullmatch(value):
        return MISS_KINDS[2]
    if _JWK_MEMBER.fullmatch(value):
        return MISS_KINDS[3]
    try:
        if not ipaddress.ip_address(value).is_global:
            return MISS_KINDS[5]
    except ValueError:
        pass
    if _public_jwk(value):
        return MISS_KINDS[6]
    if _EXAMPLE.search(value):
        return MISS_KINDS[0]
    if _WORD_PASSWORD.search(value):
        return MISS_KINDS[4]
    return MISS_KINDS[7]


def report_category(row: dict) -> str:
    """Table line of a row: PII kinds one by one, the many small secret kinds together."""
    category = row["category"]
    if category.startswith("secret:"):
        return "secret:* (provider and generic credentials)"
    return category


@dataclass
class Tally:
    rows: int = 0
    hits: int = 0  # label=1: caught; label=0: falsely redacted

    @property
    def rate(self) -> float:
        return self.hits / self.rows if self.rows else float("nan")


@dataclass
class Split:
    by_category: dict[tuple[str, int], Tally] = field(default_factory=lambda: defaultdict(Tally))
    positives: Tally = field(default_factory=Tally)
    negatives: Tally = field(default_factory=Tally)

    def add(self, category: str, label: int, hit: bool) -> None:
        for tally in (self.by_category[(category, label)], self.positives if label else self.negatives):
            tally.rows += 1
            tally.hits += hit


def row_hit(row: dict, findings: list) -> bool:
    if row["label"] == 1 and row.get("entities"):
        return any(f.start < e["end"] and e["start"] < f.end for f in findings for e in row["entities"])
    return bool(findings)


def fmt(t: Tally) -> str:
    return f"{t.rate:.3f} ({t.hits}/{t.rows})" if t.rows else "-"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--held-out", type=float, default=0.3, help="fraction held out (default 0.3)")
    parser.add_argument("--explain", action="store_true", help="finding categories on label=0 rows")
    parser.add_argument("--show-misses", type=int, default=0, metavar="N")
    parser.add_argument("--miss-categories", action="store_true",
                        help="count missed label=1 rows per fine category, tuning vs held-out")
    args = parser.parse_args(argv)
    if not args.corpus.exists():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2

    detector = PiiDetector()
    everything, held_out = Split(), Split()
    fired_on_negatives: dict[str, Counter] = defaultdict(Counter)
    missed: dict[str, Counter] = {"tuning": Counter(), "held-out": Counter()}
    missed_kinds: dict[str, Counter] = {"tuning": Counter(), "held-out": Counter()}
    shown = 0
    chars = 0
    scan_seconds = 0.0
    with args.corpus.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    for row in rows:
        text = row["text"]
        t0 = time.perf_counter()
        findings = detector.scan(text)
        scan_seconds += time.perf_counter() - t0
        chars += len(text)
        hit = row_hit(row, findings)
        category, label = report_category(row), row["label"]
        everything.add(category, label, hit)
        heldout = is_held_out(text, args.held_out)
        if heldout:
            held_out.add(category, label, hit)
        if label == 0 and findings:
            fired_on_negatives[row["category"]].update(f.category for f in findings)
        wrong = hit if label == 0 else not hit
        if label == 1 and not hit:
            missed["held-out" if heldout else "tuning"][row["category"]] += 1
            missed_kinds["held-out" if heldout else "tuning"][miss_kind(row)] += 1
        if wrong and shown < args.show_misses and not heldout and row.get("train_ok"):
            shown += 1
            print(f"--- {'FALSE REDACTION' if label == 0 else 'MISS'} [{row['category']}] "
                  f"found={[(f.category, text[f.start:f.end][:40]) for f in findings]}")
            print(text[:600])

    print(f"Corpus: {args.corpus} ({len(rows)} rows); held out: {args.held_out:.0%} by text hash\n")
    print("| category | label | all rows | held-out rows |")
    print("|---|---|---|---|")
    keys = sorted(everything.by_category, key=lambda k: (-k[1], k[0]))
    for key in keys:
        name, label = key
        metric = "recall" if label else "false redaction"
        print(f"| {name} | {label} ({metric}) | {fmt(everything.by_category[key])} "
              f"| {fmt(held_out.by_category.get(key, Tally()))} |")
    print()
    print(f"Row recall (label=1):            all {fmt(everything.positives)}   "
          f"held-out {fmt(held_out.positives)}")
    print(f"False redaction (label=0, all):  all {fmt(everything.negatives)}   "
          f"held-out {fmt(held_out.negatives)}")
    for name in NEGATIVE_LINES:
        a = everything.by_category.get((name, 0), Tally())
        h = held_out.by_category.get((name, 0), Tally())
        print(f"Untouched {name:<24} all {1 - a.rate:.3f} ({a.rows - a.hits}/{a.rows})   "
              f"held-out {1 - h.rate:.3f} ({h.rows - h.hits}/{h.rows})")
    print(f"\nScan speed: {scan_seconds * 1000:.0f} ms for {chars / 1024:.0f} KB "
          f"({scan_seconds * 1e6 / max(chars / 2048, 1):.0f} µs per 2 KB)")
    if args.explain:
        print("\nFinding categories on label=0 rows:")
        for name, counter in sorted(fired_on_negatives.items()):
            print(f"  {name}: {dict(counter.most_common())}")
    if args.miss_categories:
        print("\nMissed label=1 rows per category (counts only):")
        print("| category | tuning | held-out |")
        print("|---|---|---|")
        names = sorted(set(missed["tuning"]) | set(missed["held-out"]),
                       key=lambda n: (-(missed["tuning"][n] + missed["held-out"][n]), n))
        for name in names:
            print(f"| {name} | {missed['tuning'][name]} | {missed['held-out'][name]} |")
        print("\nMissed label=1 rows per kind of value (counts only; see `miss_kind`):")
        print("| kind of value | tuning | held-out |")
        print("|---|---|---|")
        for kind in MISS_KINDS:
            print(f"| {kind} | {missed_kinds['tuning'][kind]} | {missed_kinds['held-out'][kind]} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
