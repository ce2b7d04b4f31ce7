"""Train the injection classifier and write model/injection.joblib and model/MODEL_CARD.md.

    .venv/bin/python scripts/train_classifier.py [--corpus ../shared/corpus/injection.jsonl]

Data: rows of the shared corpus with `train_ok` true (MIT, Apache-2.0, CC0, CC-BY-4.0), never the others,
plus the hand-written templates of `scripts/injection_templates.py`.

Split (stable, documented in the model card): a row's bucket is the first 8 hex digits of
SHA-256(normalized, lower-cased, stripped text) modulo 10. Buckets 0-1 are the held-out test split (20%,
never trained on, never used to pick anything), bucket 2 is the validation split (10%, used only to pick
the threshold), buckets 3-9 are trained on. Templates are split the same way but their buckets 0-1 are
dropped, so the held-out split is made of corpus rows only. Hashing the normalized text keeps
near-duplicates (differing only in case, width or spacing) on the same side of the split.

Threshold: the lowest probability, but not below 0.5, at which the validation false-positive rate is
at most `--max-val-fpr` for English and for Chinese each.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

import joblib
import numpy as np
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aegis_addons.detect.classifier import (  # noqa: E402
    FEATURES_VERSION, InjectionClassifier, analyze)
from aegis_addons.detect.normalize import normalize  # noqa: E402
from injection_templates import generate  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "injection.jsonl"
MODEL_PATH = ROOT / "model" / "injection.joblib"
CARD_PATH = ROOT / "model" / "MODEL_CARD.md"
WINDOW, STRIDE = 2000, 1000
MAX_FEATURES = 40_000
TEMPLATE_SEED = 13


def split_of(text: str) -> str:
    """'test', 'val' or 'train' for a text; see the module docstring."""
    key = normalize(text).text.lower().strip().encode("utf-8")
    bucket = int(hashlib.sha256(key).hexdigest()[:8], 16) % 10
    return "test" if bucket < 2 else "val" if bucket == 2 else "train"


def load_corpus(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _rates(labels: np.ndarray, flagged: np.ndarray) -> dict[str, float]:
    pos, neg = labels == 1, labels == 0
    recall = float(flagged[pos].mean()) if pos.any() else float("nan")
    fpr = float(flagged[neg].mean()) if neg.any() else float("nan")
    return {"n_attack": int(pos.sum()), "n_benign": int(neg.sum()), "recall": recall, "fpr": fpr,
            "balanced_accuracy": (recall + 1 - fpr) / 2 if pos.any() and neg.any() else float("nan")}


def pick_threshold(probs: np.ndarray, labels: np.ndarray, langs: np.ndarray, max_fpr: float) -> float:
    threshold = 0.5
    for lang in ("en", "zh"):  # `threshold` starts at 0.5: never flag below even odds
        benign = np.sort(probs[(langs == lang) & (labels == 0)])
        if len(benign) == 0:
            continue
        allowed = int(np.floor(max_fpr * len(benign)))  # benign rows that may score above the threshold
        lang_threshold = benign[len(benign) - 1 - allowed] + 1e-6
        threshold = max(threshold, float(lang_threshold))
    return min(threshold, 0.95)


def _fmt(x: float) -> str:
    return "n/a" if x != x else f"{x:.3f}"


def write_card(path: Path, metadata: dict, test_metrics: dict[str, dict], val_metrics: dict) -> None:
    counts = metadata["training"]
    lines = [
        "# Injection classifier: model card",
        "",
        "`model/injection.joblib`, loaded by `aegis_addons/detect/classifier.py`, trained by "
        "`scripts/train_classifier.py` (deterministic: same data, same model).",
        "",
        "## Model",
        f"- scikit-learn {metadata['sklearn_version']} pipeline: `TfidfVectorizer(analyzer=analyze, "
        f"sublinear_tf=True, min_df=2, max_features={MAX_FEATURES})` + `LogisticRegression"
        f"(C={metadata['C']}, class_weight='balanced')`; coefficients and IDF stored as float32.",
        "- Features (`analyze`, features version "
        f"{FEATURES_VERSION}): on the normalized text (NFKC, look-alike letters mapped, invisible "
        "characters removed, whitespace collapsed), lower-cased. Latin-script words give word unigrams "
        "and bigrams; runs of Chinese characters give character unigrams and bigrams (Chinese has no "
        "word spaces). Character 4-grams of Latin words were tried and dropped: four times the features "
        "and scoring time, no better on the held-out or evaluation-only rows.",
        f"- Vocabulary size: {metadata['n_features']}. Artifact size: {metadata['artifact_bytes']:,} bytes.",
        f"- Long texts are scored by windows of about {WINDOW} characters overlapping by half "
        f"(stride {STRIDE}); the text's score is the maximum over windows.",
        f"- Decision threshold: **{metadata['threshold']:.4f}** (probability). Chosen on the validation "
        f"split as the lowest threshold, not below 0.5, with a false-positive rate <= "
        f"{metadata['max_val_fpr']:.1%} for English and for Chinese each"
        + (" (0.5 already met it). " if metadata["threshold"] == 0.5 else ". ")
        + "The detector maps this probability to its shared score scale so "
        "that the threshold is 0.5.",
        "",
        "## Data",
        "Only rows of `../shared/corpus/injection.jsonl` with `train_ok: true` (licences MIT, Apache-2.0, "
        "CC0-1.0, CC-BY-4.0) and hand-written templates (`scripts/injection_templates.py`, written for "
        "this project). Rows without a licence, non-commercial or share-alike rows are never trained on; "
        "they are only evaluated (`scripts/eval_injection.py`).",
        "",
        "| | attack | benign |",
        "|---|---:|---:|",
    ]
    for key, label in (("corpus_train", "corpus rows, train split"), ("template_train", "templates, train"),
                       ("corpus_val", "corpus rows, validation"), ("template_val", "templates, validation")):
        c = counts[key]
        lines.append(f"| {label} | {c.get('1', 0)} | {c.get('0', 0)} |")
    lines += [
        "",
        "Corpus rows with `train_ok: true` by language and source: English attacks are only 99 rows "
        "(jailbreak templates and a few payloads, MIT); English benign rows are role-play prompts (CC0). "
        "Chinese attacks are role-play jailbreaks (JailBench, MIT); Chinese benign rows are user questions, "
        "sensitive and harmful questions without injection, and benign role-play prompts (MIT, Apache-2.0). "
        "No Chinese row of the other attack families (override, prompt extraction, fake messages, "
        "exfiltration) is `train_ok`, so those come from the templates only.",
        "",
        "Templates (English): direct override, prompt extraction and its paraphrases, short and long "
        "persona jailbreaks (frame, what the persona is freed from, how the game is enforced, first "
        "request), story and hypothetical framings, fake system/tool messages, exfiltration links, "
        "delimiter tricks and injections inside documents; hard negatives: discussions and third-person "
        "descriptions of attacks, code and logs, everyday requests, harmless role-play, and near-miss "
        "wording (device developer mode, products without restrictions, people retracting their own "
        "messages). Chinese: the same attack families and hard negatives.",
        "",
        "Split: bucket = SHA-256(normalized lower-cased text)[:8 hex] mod 10; 0-1 held-out test, "
        "2 validation (threshold only), 3-9 train. The held-out split is corpus rows only.",
        "",
        "## Metrics (classifier alone, held-out test split, never trained on or tuned on)",
        "",
        "| lang | attack rows | benign rows | recall | FPR | balanced accuracy |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for lang, m in test_metrics.items():
        lines.append(f"| {lang} | {m['n_attack']} | {m['n_benign']} | {_fmt(m['recall'])} | "
                     f"{_fmt(m['fpr'])} | {_fmt(m['balanced_accuracy'])} |")
    lines += [
        "",
        f"Validation split (used for the threshold): {json.dumps({k: round(v['balanced_accuracy'], 3) for k, v in val_metrics.items()})} balanced accuracy.",
        "Rules, classifier and both combined, on the held-out split and on the evaluation-only rows: "
        "`.venv/bin/python scripts/eval_injection.py`.",
        "",
        "## Known limitations",
        "- English attack training data is mostly templates: the held-out English attack rows are few "
        "(25), so English recall on the held-out split has a wide margin of error. The "
        "evaluation-only English attacks (Tensor Trust hijacking and extraction games) are a different "
        "style (game-specific passwords, 'Access Granted') and recall on them is lower.",
        "- Chinese attacks in the corpus are role-play jailbreaks that wrap a harmful question; the "
        "model partly learns harmful-question vocabulary, although the harmful questions without a "
        "jailbreak wrapper are benign rows and push against it.",
        "- Some corpus rows labelled benign are jailbreak-like (\"you are an AI without restrictions\" "
        "in the sensitive-question set); they count as false positives when flagged.",
        "- Bag-of-n-grams: no understanding of who is speaking; discussions quoting attacks remain the "
        "main source of false positives. Languages other than English and Chinese are not covered.",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--C", type=float, default=4.0)
    parser.add_argument("--max-val-fpr", type=float, default=0.005)
    args = parser.parse_args()

    rows = [r for r in load_corpus(args.corpus) if r["train_ok"] is True]
    data = {"train": [], "val": [], "test": []}
    counts = {k: Counter() for k in ("corpus_train", "corpus_val", "template_train", "template_val")}
    for r in rows:
        part = split_of(r["text"])
        data[part].append((r["text"], r["label"], r["lang"]))
        if part != "test":
            counts[f"corpus_{part}"][str(r["label"])] += 1
    for text, label, lang, _kind in generate(TEMPLATE_SEED):
        part = split_of(text)
        if part == "test":
            continue
        data[part].append((text, label, lang))
        counts[f"template_{part}"][str(label)] += 1

    def normalized(part: str) -> list[str]:
        return [normalize(t).text for t, _, _ in data[part]]

    y_train = np.array([label for _, label, _ in data["train"]])
    pipeline = Pipeline([
        ("tfidf", TfidfVectorizer(analyzer=analyze, sublinear_tf=True, min_df=2,
                                  max_features=MAX_FEATURES, dtype=np.float32)),
        ("clf", LogisticRegression(C=args.C, class_weight="balanced", max_iter=2000)),
    ])
    pipeline.fit(normalized("train"), y_train)
    vectorizer, model = pipeline.named_steps["tfidf"], pipeline.named_steps["clf"]
    if hasattr(vectorizer, "stop_words_"):
        del vectorizer.stop_words_  # the features cut by max_features: large and not needed to predict
    model.coef_ = model.coef_.astype(np.float32)
    model.intercept_ = model.intercept_.astype(np.float32)
    vectorizer.idf_ = vectorizer.idf_.astype(np.float32)

    metadata = {"sklearn_version": sklearn.__version__, "features_version": FEATURES_VERSION,
                "threshold": 0.5, "window": WINDOW, "stride": STRIDE, "C": args.C,
                "max_val_fpr": args.max_val_fpr, "n_features": len(vectorizer.vocabulary_),
                "trained_on": datetime.date.today().isoformat(),
                "training": {k: dict(v) for k, v in counts.items()}}
    classifier = InjectionClassifier(pipeline, metadata)

    def scores(part: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        probs = np.array([classifier.best_window(t).probability for t in normalized(part)])
        labels = np.array([label for _, label, _ in data[part]])
        langs = np.array([lang for _, _, lang in data[part]])
        return probs, labels, langs

    val_probs, val_labels, val_langs = scores("val")
    threshold = pick_threshold(val_probs, val_labels, val_langs, args.max_val_fpr)
    metadata["threshold"] = threshold
    val_metrics = {lang: _rates(val_labels[val_langs == lang], val_probs[val_langs == lang] >= threshold)
                   for lang in ("en", "zh")}
    test_probs, test_labels, test_langs = scores("test")
    test_metrics = {lang: _rates(test_labels[test_langs == lang],
                                 test_probs[test_langs == lang] >= threshold) for lang in ("en", "zh")}

    MODEL_PATH.parent.mkdir(parents=True, exist_ok=True)
    metadata["artifact_bytes"] = 0
    joblib.dump({"metadata": metadata, "pipeline": pipeline}, MODEL_PATH, compress=3)
    metadata["artifact_bytes"] = MODEL_PATH.stat().st_size  # written again so the stored size is right
    joblib.dump({"metadata": metadata, "pipeline": pipeline}, MODEL_PATH, compress=3)
    write_card(CARD_PATH, metadata, test_metrics, val_metrics)
    print(f"train rows {len(data['train'])}, features {metadata['n_features']}, "
          f"threshold {threshold:.4f}, size {MODEL_PATH.stat().st_size:,} bytes")
    for lang in ("en", "zh"):
        print(f"val  {lang}: {val_metrics[lang]}")
        print(f"test {lang}: {test_metrics[lang]}")


if __name__ == "__main__":
    main()
