"""How many credential forms of a synthetic probe set the redaction catches, and whether any is left in
part: `.venv/bin/python scripts/eval_credential_forms.py [--show]`.

`credential_forms/probes.py` holds about 680 templates of secrets as they appear in configuration files,
code in eight languages, SQL, shells and CLIs, URIs, dotfiles, PEM/JWK keys, provider tokens, prose and
CJK or other-language labels; `credential_forms/gen.py` fills them with random values (fixed seed), so no
real secret is in them. `credential_forms/negatives.py` holds about 240 look-alikes that must survive
(placeholders, template references, type annotations, UUIDs, hashes, test card numbers).

This is a development set: it was written to find gaps and rules were added against it, so its numbers
say what the rules cover, not how they generalise (that is `eval_redaction.py`'s held-out split).
A probe counts as caught only when findings cover every character of its secret; "partial" means part of
a secret was left in clear.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from aegis_addons.detect.pii import PiiDetector  # noqa: E402
from credential_forms.gen import expand  # noqa: E402
from credential_forms.negatives import N  # noqa: E402
from credential_forms.probes import P  # noqa: E402


def classify(detector: PiiDetector, text: str, spans: list[tuple[int, int]]) -> str:
    """"caught", "partial" or "missed" for one probe whose secret values sit at `spans`."""
    found = [(f.start, f.end) for f in detector.scan(text)]
    status = "caught"
    for start, end in spans:
        covered = sum(any(a <= j < b for a, b in found) for j in range(start, end))
        if covered == 0:
            return "missed"
        if covered < end - start:
            status = "partial"
    return status


def run(detector: PiiDetector | None = None) -> tuple[dict[str, list[tuple[str, str]]], list[tuple[str, str, list]]]:
    """Probe results by status ((group, text) pairs) and the look-alikes that were redacted."""
    detector = detector or PiiDetector()
    results: dict[str, list[tuple[str, str]]] = {"caught": [], "partial": [], "missed": []}
    for group, template in P:
        text, spans = expand(template)
        results[classify(detector, text, spans)].append((group, text))
    redacted = []
    for group, text in N:
        findings = detector.scan(text)
        if findings:
            redacted.append((group, text, [(f.rule, text[f.start:f.end]) for f in findings]))
    return results, redacted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show", action="store_true", help="list the missed and partial probes")
    args = parser.parse_args()
    results, redacted = run()
    total = sum(len(v) for v in results.values())
    print(f"Probes: {total}; caught {len(results['caught'])} ({len(results['caught']) / total:.1%}), "
          f"partial {len(results['partial'])}, missed {len(results['missed'])}. "
          f"Look-alikes: {len(N)}; redacted {len(redacted)}.\n")
    by_group = Counter(g for g, _ in results["caught"]), Counter(g for g, _ in results["missed"] + results["partial"])
    print("| group | caught | not caught |\n|---|---:|---:|")
    for group in sorted(set(by_group[0]) | set(by_group[1])):
        print(f"| {group} | {by_group[0][group]} | {by_group[1][group]} |")
    for group, text, findings in redacted:
        print(f"\nredacted look-alike [{group}] {text[:100]!r}: {findings}")
    if args.show:
        for status in ("partial", "missed"):
            for group, text in results[status]:
                print(f"{status} [{group}] {text[:140]!r}")


if __name__ == "__main__":
    main()
