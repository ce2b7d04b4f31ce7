"""Redaction on synthetic sets of what agents send: `.venv/bin/python scripts/eval_agent_sets.py [--show] [--set NAME]`.

`eval_sets/agent_files.jsonl`: 428 files and excerpts an agent reads on a developer's machine (dotfiles,
`.env` files of many frameworks, cloud and CI configuration, keys, notebooks, shell history, logs),
277 with credentials (`secrets`) and 151 with placeholders, references or public material only (`keep`).
`eval_sets/pii_records.jsonl`: 450 texts with personal data (CSV, TSV, Markdown tables, SQL, HL7,
tickets, invoices, forms; English and Chinese), 300 with values labelled by type (`pii`), 150 with
look-alikes only (order numbers, versions, test cards, private addresses).
`eval_sets/tables.jsonl`: 300 tables and records (TSV, CSV, Markdown, SQL `INSERT`, psql and mysql
grids, JSON, logs, `key: value` blocks; English, Chinese, German, French headers), 150 with personal
data and 150 whose columns only look like it (cloud account ids, plan names, phone models, extensions,
tax rates, ledger accounts, customs numbers, versions). Names of people are labelled there too but are
no category of the detector and are not scored.
`eval_sets/source_code.jsonl`: 307 source and configuration files in 54 kinds (some 30 languages, C
`#define`, Terraform, Ansible, Kubernetes, Gradle, notebooks, UI tests, runbooks), 60 of them
wrapped as tool results in JSON (a few twice), 207 with 290 credentials and 100 with placeholders,
references, hashes and public keys only.
`eval_sets/terminal_logs.jsonl`: 300 command and log outputs an agent forwards (`env`, `kubectl`, `docker
inspect`, `terraform output`, CI logs, access logs, traces, `curl -v`, `psql`, `redis-cli`, crash
reports; 45 in Chinese, 45 wrapped in JSON), 200 with 422 credentials and personal values of both kinds
in one row, 100 with look-alikes only.
`eval_sets/chat_prompts.jsonl`: 300 messages people type to an assistant or a coding agent (prose with
a token pasted into a question, HR and medical notes, support transcripts, wire details, letters to
translate, voice transcripts with numbers read aloud; 68 in Chinese, a few in German, French and
Spanish, 30 wrapped as API request JSON), 200 with 84 credentials and 245 personal values, 100 with
look-alikes only (placeholders, documented test cards, example addresses, order and build numbers).

All six were generated with random values by a writer who never saw the detector or the shared corpus,
and measured once before any rule was changed against them (see the README). Rules were then added for
what they showed, so they are now development sets, like `eval_credential_forms.py`'s, and a ratchet
in the tests keeps what they catch. A value counts as caught only when findings cover all of it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aegis_addons.detect.pii import PiiDetector  # noqa: E402

SETS = {"agent_files": ROOT / "scripts" / "eval_sets" / "agent_files.jsonl",
        "pii_records": ROOT / "scripts" / "eval_sets" / "pii_records.jsonl",
        "tables": ROOT / "scripts" / "eval_sets" / "tables.jsonl",
        "source_code": ROOT / "scripts" / "eval_sets" / "source_code.jsonl",
        "terminal_logs": ROOT / "scripts" / "eval_sets" / "terminal_logs.jsonl",
        "chat_prompts": ROOT / "scripts" / "eval_sets" / "chat_prompts.jsonl"}
# Labelled in a set but no category of the detector: names of people.
NOT_DETECTED = {"person_name", "name_of_person"}


def _coverage(spans: list[tuple[int, int]], start: int, end: int) -> str:
    covered = sum(max(0, min(end, b) - max(start, a)) for a, b in spans)
    return "caught" if covered >= end - start else ("partial" if covered else "missed")


def evaluate(path: Path, detector: PiiDetector, show: bool = False) -> dict:
    """Per value type: caught/partial/missed; negative rows with any finding; keep values touched."""
    per_type: dict[str, Counter] = defaultdict(Counter)
    negatives, keep = Counter(), Counter()
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        text = row["text"]
        findings = detector.scan(text)
        spans = [(f.start, f.end) for f in findings]
        values = ([(v["value"], v["type"]) for v in row.get("pii", []) if v["type"] not in NOT_DETECTED]
                  + [(v, "secret") for v in row.get("secrets", [])])
        for value, kind in values:
            start = text.find(value)
            result = _coverage(spans, start, start + len(value))
            per_type[kind][result] += 1
            if show and result != "caught":
                print(f"{result.upper():8} [{row['kind']}/{kind}] {value[:60]!r}")
        if not values:
            negatives["flagged" if findings else "clean"] += 1
            if show and findings:
                print(f"FLAGGED  [{row['kind']}] {[(f.rule, text[f.start:f.end][:40]) for f in findings]}")
        for value in row.get("keep", []):
            # a keep value survives when one of its occurrences is untouched
            pos, touched = text.find(value), True
            while pos >= 0 and touched:
                touched = any(min(pos + len(value), b) > max(pos, a) for a, b in spans)
                pos = text.find(value, pos + 1)
            keep["touched" if touched else "untouched"] += 1
    return {"per_type": per_type, "negatives": negatives, "keep": keep}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="print what was missed or flagged")
    parser.add_argument("--set", choices=sorted(SETS), action="append", help="only these sets (default: all)")
    args = parser.parse_args()
    detector = PiiDetector()
    for name, path in SETS.items():
        if args.set and name not in args.set:
            continue
        result = evaluate(path, detector, args.show)
        print(f"\n## {name}\n\n| type | caught | partial | missed |\n|---|---:|---:|---:|")
        totals = Counter()
        for kind, counts in sorted(result["per_type"].items()):
            totals.update(counts)
            n = sum(counts.values())
            print(f"| {kind} | {counts['caught']}/{n} | {counts['partial']} | {counts['missed']} |")
        n = sum(totals.values())
        print(f"| **all** | **{totals['caught']}/{n} ({totals['caught'] / n:.3f})** | {totals['partial']} | {totals['missed']} |")
        neg, keep = result["negatives"], result["keep"]
        print(f"\nNegative rows with any finding: {neg['flagged']}/{sum(neg.values())}; "
              f"keep values touched: {keep['touched']}/{sum(keep.values())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
