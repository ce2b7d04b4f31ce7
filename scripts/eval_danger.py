#!/usr/bin/env python3
"""Score the danger and privilege detectors on the shared corpus (`../shared/corpus/danger.jsonl`).

For every row the response path is replayed on the text: DangerDetector + PrivilegeGuard, then the
output sanitizer at a security level (default `medium`). A dangerous row (label 1) is *caught* when
the sanitizer does not pass the text unchanged; a benign row (label 0) is *untouched* when it does.

Two tables are printed in Markdown, per category and in total: the held-out split (rows whose SHA-256
of the text falls in the lowest 30 of 100 buckets; the rules were never tuned on it) and all rows.
Rows with `train_ok: false` are evaluation-only under the corpus licence rules; they are scored here
and never copied anywhere.

    .venv/bin/python scripts/eval_danger.py [--corpus PATH] [--level medium] [--misses N]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aegis_addons.detect.danger import DangerDetector  # noqa: E402
from aegis_addons.detect.privilege import PrivilegeGuard  # noqa: E402
from aegis_addons.detect.sanitize import OutputSanitizer  # noqa: E402

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "danger.jsonl"
HELD_OUT_PERCENT = 30


def held_out(text: str) -> bool:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % 100 < HELD_OUT_PERCENT


def table(title: str, results: list[tuple[dict, bool]]) -> str:
    per: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    for row, ok in results:
        per[(row["label"], row["category"])][0] += ok
        per[(row["label"], row["category"])][1] += 1
    lines = [f"### {title}", "", "| label | category | rows | rate |", "|---|---|---:|---:|"]
    for label, name in ((1, "caught (dangerous)"), (0, "untouched (benign)")):
        keys = sorted(k for k in per if k[0] == label)
        for k in keys:
            ok, n = per[k]
            lines.append(f"| {label} | {k[1]} | {n} | {ok / n:.3f} |")
        ok = sum(per[k][0] for k in keys)
        n = sum(per[k][1] for k in keys)
        if n:
            lines.append(f"| {label} | **all: {name}** | {n} | **{ok / n:.3f}** |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--level", default="medium", choices=["low", "medium", "high"])
    ap.add_argument("--misses", type=int, default=0,
                    help="list up to N wrong train_ok rows of the tuning split (never the held-out one)")
    args = ap.parse_args()

    danger, privilege = DangerDetector(), PrivilegeGuard()
    sanitizer = OutputSanitizer(args.level)
    rows = [json.loads(line) for line in args.corpus.read_text(encoding="utf-8").splitlines() if line.strip()]

    results: list[tuple[dict, bool]] = []
    started = time.perf_counter()
    for row in rows:
        text = row["text"]
        findings = danger.scan(text) + privilege.scan(text)
        changed = sanitizer.apply(text, findings).text != text
        results.append((row, changed if row["label"] == 1 else not changed))
    elapsed = time.perf_counter() - started
    total_kb = sum(len(r["text"]) for r in rows) / 1024

    print(f"Corpus: {args.corpus.name}, {len(rows)} rows, level `{args.level}`; "
          f"{elapsed:.2f} s, {elapsed * 1e3 / total_kb * 2:.3f} ms per 2 KB.\n")
    print(table(f"Held-out split ({HELD_OUT_PERCENT}% by text hash)",
                [r for r in results if held_out(r[0]["text"])]))
    print()
    print(table("All rows", results))
    if args.misses:
        wrong = [r for r, ok in results if not ok and r["train_ok"] and not held_out(r["text"])]
        print(f"\n{len(wrong)} wrong train_ok rows in the tuning split; first {args.misses}:")
        for r in wrong[:args.misses]:
            print(f"  [{r['label']} {r['category']}] {json.dumps(r['text'][:160], ensure_ascii=False)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
