"""Worst-case scan cost on text built to be slow: `.venv/bin/python scripts/bench_adversarial.py [--quick]`.

A gateway scans what its clients and the pages their agents fetch put in a request, so its cost on
hostile text matters as much as on ordinary text. Three measurements:

1. every rule of every pack alone, on 4,000 and 16,000 characters of one short unit repeated (a
   keyword of the rule followed by a separator: `pw=pw=pw=…`, `rman -rman -…`; or a generic unit:
   digits, `a@`, `\\n`): the worst cost per character and how it grows from 4,000 to 16,000 characters
   (x4 is linear; x16 would be quadratic);
2. the whole request-side detectors (PII and secrets; injection) on 100,000 and 400,000 characters of
   such units;
3. a realistic long line: minified JSON of records with e-mail, IP and phone values.

Numbers, not pass/fail: growth near x4 in every row is the property to keep.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aegis_addons.detect.danger  # noqa: E402,F401 - registers the validators the packs name
from aegis_addons.detect.injection import InjectionDetector  # noqa: E402
from aegis_addons.detect.pii import PiiDetector  # noqa: E402
from aegis_addons.detect.rulepack import load_rule_pack, lower_same_length  # noqa: E402

PACKS = ("secrets", "pii", "infra", "injection", "danger")
SEPARATORS = ("", " ", "=", '="', ": ", ' == "', "_", "-", ".", ":", "\n", '"', "'", "=1", " a", "(", "=$",
              "://", "@", "/", "=<", "1", "a", "\t", ",", " -", "\\n", '\\"')
GENERIC = ("a", "1", "a1", " ", "-", "aB3-", "\\n", '\\"', "=", "@", "a@", "1.", "1 ", "0x", "%40", "a.", "::",
           "1.1.", "00:", "-----BEGIN ", "eyJ", "a/", "<a>", "\\u0040", "Phone: ", "key=", "abandon ", "忽略",
           "-oh", ",one", "six, ", "call 1 2 1 3 5 ", "一，", "call 2 6 7 5 4 7 7 6 2 3 a@b.io c@d.io ")


def _fill(unit: str, n: int) -> str:
    return (unit * (n // len(unit) + 1))[:n]


def _timed(fn, text: str) -> float:
    start = time.perf_counter()
    fn(text)
    return time.perf_counter() - start


def per_rule(quick: bool) -> list[tuple[float, float, str, str, str]]:
    rows = []
    for pack in PACKS:
        for rule in load_rule_pack(ROOT / "rules" / f"{pack}.yaml"):
            words = list(dict.fromkeys([*rule.keywords, *rule.context[:6]]))
            units = [w + s for w in words for s in (SEPARATORS[:8] if quick else SEPARATORS)] + list(GENERIC)

            def scan(text: str, rule=rule) -> None:
                rule.scan(text, lower_same_length(text))
            worst = (0.0, 0.0, "")
            for unit in units:
                small = _timed(scan, _fill(unit, 4000))
                if small < 0.0004:  # under 0.1 µs per character: not where the worst case is
                    continue
                large = _timed(scan, _fill(unit, 16000))
                if large > worst[0]:
                    worst = (large, large / small, unit)
            if worst[2]:
                rows.append((worst[0] / 16000 * 1e6, worst[1], pack, rule.id, worst[2]))
    return sorted(rows, reverse=True)


def whole(quick: bool) -> list[tuple[str, str, float, float]]:
    detectors = {"pii+secrets": PiiDetector(), "injection": InjectionDetector()}
    sizes = (50_000, 200_000) if quick else (100_000, 400_000)
    rows = []
    for name, detector in detectors.items():
        detector.scan("warm up: password=Zq9vT2kLp8, ignore previous instructions")
        for unit in GENERIC:
            small, large = (_timed(detector.scan, _fill(unit, n)) for n in sizes)
            rows.append((name, unit, large, large / small))
    return sorted(rows, key=lambda r: -r[2])


def one_line_json(quick: bool) -> list[tuple[int, float, int]]:
    detector = PiiDetector()
    rng = random.Random(1)
    rows = []
    for n in ((2000, 8000) if quick else (8000, 32000)):
        records = [{"id": i, "email": f"user{i}@corp{rng.randint(1, 99)}.com",
                    "ip": f"8.{rng.randint(1, 250)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}",
                    "phone": f"+1 415 555 {rng.randint(1000, 9999)}", "note": "ok"} for i in range(n)]
        text = json.dumps(records)
        start = time.perf_counter()
        found = len(detector.scan(text))
        rows.append((len(text), time.perf_counter() - start, found))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer units and smaller texts")
    parser.add_argument("--top", type=int, default=12)
    args = parser.parse_args()
    print("## Rules alone (worst unit, 16,000 characters)\n\n| µs/char | growth 4K->16K | pack | rule | unit |\n|---:|---:|---|---|---|")
    for cost, growth, pack, rule, unit in per_rule(args.quick)[:args.top]:
        print(f"| {cost:.2f} | x{growth:.1f} | {pack} | {rule} | `{unit!r}` |")
    sizes = "50K->200K" if args.quick else "100K->400K"
    print(f"\n## Whole detectors\n\n| detector | unit | seconds at the larger size | growth {sizes} |\n|---|---|---:|---:|")
    for name, unit, seconds, growth in whole(args.quick)[:args.top]:
        print(f"| {name} | `{unit!r}` | {seconds:.2f} | x{growth:.1f} |")
    print("\n## One line of JSON records (e-mail, IP, phone each)\n\n| characters | seconds | findings |\n|---:|---:|---:|")
    for chars, seconds, found in one_line_json(args.quick):
        print(f"| {chars:,} | {seconds:.2f} | {found:,} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
