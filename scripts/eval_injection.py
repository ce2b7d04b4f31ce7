"""Evaluate injection detection on the shared corpus and benchmark its latency.

    .venv/bin/python scripts/eval_injection.py [--corpus ../shared/corpus/injection.jsonl] [--no-bench]

Prints Markdown tables of recall, false-positive rate (FPR) and balanced accuracy per language for rules
alone, the classifier alone and both combined (the full `InjectionDetector`), on:

- the held-out split: `train_ok` rows in the test buckets of `train_classifier.split_of` (never trained
  on, never used to pick the threshold);
- the evaluation-only rows: `train_ok` false (no licence, non-commercial or share-alike), never trained on.

A row counts as flagged when the detector reports an `injection.*` or `anomaly.encoded_instruction`
finding scoring at least 0.5 (the default policy line); "classifier alone" compares the probability with
the model's threshold; "both, blocked" counts the rows whose top finding reaches 0.85, what the `medium`
level blocks in the newest user turn (lower scores are flagged and forwarded); "both, as untrusted content"
scans the same rows as tool results (source factors, and the classifier's single-sentence scoring). Then it benchmarks `scan()` on 2 KB messages (2,048 bytes of UTF-8, about 680
Chinese characters) built from corpus rows, with the cache cleared so every scan does the full work, and
prints p50/p99/max per language, and the same for 2,048-character messages (6 KB of Chinese). Each
message is timed three times and counts with its fastest run (the p99 of single runs is printed too).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aegis_addons.detect.injection import InjectionDetector  # noqa: E402
from aegis_addons.detect.normalize import normalize  # noqa: E402
from train_classifier import DEFAULT_CORPUS, load_corpus, split_of  # noqa: E402

FLAG_AT = 0.5
BLOCK_AT = 0.85  # the `medium` level's block_score: what a default policy blocks in the newest user turn
MESSAGE_BYTES = 2048


def top_score(findings) -> float:
    return max((f.score for f in findings if f.category.startswith("injection.")
                or f.category == "anomaly.encoded_instruction"), default=0.0)


def flagged(findings, at: float = FLAG_AT) -> bool:
    return top_score(findings) >= at


def metrics(labels: list[int], hits: list[bool]) -> tuple[int, int, float, float, float]:
    y, h = np.array(labels), np.array(hits)
    pos, neg = y == 1, y == 0
    recall = float(h[pos].mean()) if pos.any() else float("nan")
    fpr = float(h[neg].mean()) if neg.any() else float("nan")
    balanced = (recall + 1 - fpr) / 2 if pos.any() and neg.any() else float("nan")
    return int(pos.sum()), int(neg.sum()), recall, fpr, balanced


def _fmt(x: float) -> str:
    return "n/a" if x != x else f"{x:.3f}"


def evaluate(rows: list[dict], title: str, rules_only: InjectionDetector, full: InjectionDetector) -> None:
    clf = full.classifier
    print(f"\n### {title}\n")
    print("| lang | detector | attack rows | benign rows | recall | FPR | balanced accuracy |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for lang in ("en", "zh"):
        part = [r for r in rows if r["lang"] == lang]
        if not part:
            continue
        labels = [r["label"] for r in part]
        scores = [top_score(full.scan(r["text"])) for r in part]
        results = {
            "rules": [flagged(rules_only.scan(r["text"])) for r in part],
            "classifier": [clf.best_window(normalize(r["text"]).text).probability >= clf.threshold
                           for r in part],
            "both": [score >= FLAG_AT for score in scores],
            f"both, blocked (>= {BLOCK_AT})": [score >= BLOCK_AT for score in scores],
            "both, as untrusted content": [top_score(full.scan(r["text"], source="untrusted")) >= FLAG_AT
                                           for r in part],
        }
        for name, hits in results.items():
            n_pos, n_neg, recall, fpr, balanced = metrics(labels, hits)
            print(f"| {lang} | {name} | {n_pos} | {n_neg} | {_fmt(recall)} | {_fmt(fpr)} | {_fmt(balanced)} |")


def _message(pool: list[str], rng: random.Random, limit: int, unit: str) -> str:
    """Corpus rows joined and cut to `limit` characters or UTF-8 bytes."""
    parts, size = [], 0
    while size < limit:
        parts.append(rng.choice(pool))
        size += len(parts[-1].encode() if unit == "bytes" else parts[-1]) + 1
    text = "\n".join(parts)
    if unit == "chars":
        return text[:limit]
    return text.encode()[:limit].decode("utf-8", "ignore")


def benchmark(rows: list[dict], detector: InjectionDetector, n: int = 500, seed: int = 7, repeats: int = 3) -> None:
    """Time `scan()` on `n` messages per case. Each message is scanned `repeats` times (cache cleared
    before each) and its fastest run is its time, so the percentiles rank the messages by what they cost
    to scan, not by when the shared machine's scheduler happened to interrupt; the p99 of the first runs
    alone (scheduler noise included) is printed beside it."""
    rng = random.Random(seed)
    print(f"\n### Latency of InjectionDetector.scan, cache cleared (fastest of {repeats} runs per message)\n")
    print("| lang | message size | source | messages | p50 ms | p99 ms | max ms | p99 ms, first runs |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for lang, unit, source in (("en", "bytes", "user"), ("zh", "bytes", "user"), ("zh", "chars", "user"),
                               ("en", "bytes", "untrusted"), ("zh", "bytes", "untrusted")):
        pool = [r["text"] for r in rows if r["lang"] == lang]
        messages = [_message(pool, rng, MESSAGE_BYTES, unit) for _ in range(n)]
        for m in messages[:20]:  # warm-up: regex caches, translate table
            detector.scan(m, source=source)
        runs = []
        for _ in range(repeats):
            detector.cache_clear()
            times = []
            for m in messages:
                start = time.perf_counter()
                detector.scan(m, source=source)
                times.append((time.perf_counter() - start) * 1000)
                detector.cache_clear()
            runs.append(times)
        fastest = sorted(map(min, zip(*runs)))
        first = sorted(runs[0])
        size = "2 KB" if unit == "bytes" else f"{MESSAGE_BYTES} characters"
        print(f"| {lang} | {size} | {source} | {len(fastest)} | {statistics.median(fastest):.3f} | "
              f"{_p99(fastest):.3f} | {fastest[-1]:.3f} | {_p99(first):.3f} |")


def _p99(sorted_times: list[float]) -> float:
    return sorted_times[min(len(sorted_times) - 1, int(0.99 * len(sorted_times)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--no-bench", action="store_true", help="skip the latency benchmark")
    args = parser.parse_args()

    rows = load_corpus(args.corpus)
    held_out = [r for r in rows if r["train_ok"] is True and split_of(r["text"]) == "test"]
    eval_only = [r for r in rows if r["train_ok"] is not True]
    rules_only = InjectionDetector(use_classifier=False, cache_size=0)
    full = InjectionDetector(cache_size=0)
    print(f"Flagged = an injection.* or anomaly.encoded_instruction finding with score >= {FLAG_AT}; "
          f"classifier threshold {full.classifier.threshold:.4f}.")
    evaluate(held_out, "Held-out split (train_ok rows, test buckets)", rules_only, full)
    evaluate(eval_only, "Evaluation-only rows (train_ok false, never trained on)", rules_only, full)
    if not args.no_bench:
        benchmark(rows, InjectionDetector())


if __name__ == "__main__":
    main()
