"""Train the injection classifier and write model/injection.joblib and model/MODEL_CARD.md.

    .venv/bin/python scripts/train_classifier.py [--corpus ../shared/corpus/injection.jsonl]

Data: rows of the shared corpus with `train_ok` true (MIT, Apache-2.0, CC0, CC-BY-4.0), never the others,
plus the hand-written templates of `scripts/injection_templates.py`.

Split (stable, documented in the model card): a row's bucket is the first 8 hex digits of
SHA-256(normalized, lower-cased, stripped text) modulo 10. Buckets 0-1 are the held-out test split (20%,
never trained on, never used to pick anything; `scripts/eval_injection.py` reports on it). Buckets 2-9 are
the training side. (`split_of` still names bucket 2 "val": it was the threshold split before the threshold
was chosen by cross-validation; the held-out buckets are unchanged.) Templates are split the same way and
their buckets 0-1 are dropped, so the held-out split is made of corpus rows only. Hashing the normalized
text keeps near-duplicates (differing only in case, width or spacing) on the same side of the split.

Threshold: chosen by `--folds`-fold cross-validation on the training side only. The training corpus rows
are cut into folds by another hash of the same key; each fold is scored by a model fit on the other folds
plus all templates, and the threshold is the lowest probability, not below 0.5, at which the out-of-fold
false-positive rate is at most `--max-cv-fpr` for English and for Chinese each. The shipped model is then
fit on the whole training side (corpus rows and templates of buckets 2-9).
"""

from __future__ import annotations

import argparse
import ast
import datetime
import hashlib
import json
import sys
import sysconfig
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
    FEATURES_VERSION, MIN_SENTENCE_FEATURES, InjectionClassifier, analyze)
from aegis_addons.detect.normalize import normalize  # noqa: E402
from injection_templates import generate  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "injection.jsonl"
MODEL_PATH = ROOT / "model" / "injection.joblib"
CARD_PATH = ROOT / "model" / "MODEL_CARD.md"
WINDOW, STRIDE = 2000, 1000
MAX_FEATURES = 40_000
TEMPLATE_SEED = 13


def documentation_negatives(limit: int) -> list[tuple[str, int, str]]:
    """Benign English technical prose: docstrings (200+ characters, first 2,000) of this Python's
    standard library (PSF-2.0), the kind of text an agent reads as tool output. At most `limit`,
    chosen by a hash of the text so the selection is stable. The documentation check
    (`scripts/eval_docs.py`) reads Markdown/reST files, never these sources."""
    root = Path(sysconfig.get_paths()["stdlib"])
    skip = {"test", "tests", "idlelib", "site-packages", "lib2to3", "turtledemo", "__phello__"}
    docs = set()
    for path in sorted(root.rglob("*.py")):
        if skip.intersection(path.relative_to(root).parts):
            continue
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                doc = ast.get_docstring(node)
                if doc and len(doc) >= 200:
                    docs.add(doc[:2000])
    chosen = sorted(docs, key=lambda d: hashlib.sha256(d.encode("utf-8")).hexdigest())[:limit]
    return [(doc, 0, "en") for doc in chosen]


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


def build_pipeline(C: float) -> Pipeline:
    """The untrained TF-IDF + logistic-regression pipeline (also used by the cross-validation)."""
    return Pipeline([
        ("tfidf", TfidfVectorizer(analyzer=analyze, sublinear_tf=True, min_df=2,
                                  max_features=MAX_FEATURES, dtype=np.float32)),
        ("clf", LogisticRegression(C=C, class_weight="balanced", max_iter=2000)),
    ])


def shrink(pipeline: Pipeline) -> None:
    """Drop what prediction does not need and store weights as float32 (a smaller artifact)."""
    vectorizer, model = pipeline.named_steps["tfidf"], pipeline.named_steps["clf"]
    if hasattr(vectorizer, "stop_words_"):
        del vectorizer.stop_words_  # the features cut by max_features: large and not needed to predict
    model.coef_ = model.coef_.astype(np.float32)
    model.intercept_ = model.intercept_.astype(np.float32)
    vectorizer.idf_ = vectorizer.idf_.astype(np.float32)


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


def _metrics_table(metrics: dict[str, dict]) -> list[str]:
    """Markdown rows of per-language recall / FPR / balanced accuracy."""
    return ["| lang | attack rows | benign rows | recall | FPR | balanced accuracy |",
            "|---|---:|---:|---:|---:|---:|"] + [
        f"| {lang} | {m['n_attack']} | {m['n_benign']} | {_fmt(m['recall'])} | {_fmt(m['fpr'])} | "
        f"{_fmt(m['balanced_accuracy'])} |" for lang, m in metrics.items()]


def write_card(path: Path, metadata: dict, test_metrics: dict[str, dict], cv_metrics: dict[str, dict]) -> None:
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
        "word spaces). Tried in cross-validation on the training side and dropped: word trigrams and "
        "80,000 features (no change), character 4-grams of Latin words (one more English attack of 74 "
        "caught, for several times the features and scoring time).",
        f"- Vocabulary size: {metadata['n_features']}. Artifact size: {metadata['artifact_bytes']:,} bytes.",
        f"- Long texts are scored by windows of about {WINDOW} characters overlapping by half "
        f"(stride {STRIDE}); the text's score is the maximum over windows.",
        f"- Decision threshold: **{metadata['threshold']:.4f}** (probability). Chosen by "
        f"{metadata['folds']}-fold cross-validation on the training side as the lowest threshold, not "
        f"below 0.5, with an out-of-fold false-positive rate <= {metadata['max_cv_fpr']:.1%} for English "
        "and for Chinese each"
        + (" (0.5 already met it). " if metadata["threshold"] == 0.5 else ". ")
        + "C was compared the same way (4, 8 and 16 were within one row of each other). "
        "The detector maps this probability to its shared score scale so that the threshold is 0.5.",
        f"- Untrusted content (tool results, documents) is also scored sentence by sentence (sentences "
        f"and lines with at least {MIN_SENTENCE_FEATURES} known features; the minimum was raised from 6 "
        f"after short URL lines of the documentation check scored high), so one order planted in a long page "
        f"is not diluted by the prose around it. Sentence threshold: **{metadata['sentence_threshold']:.4f}**, "
        f"chosen by the same cross-validation as the lowest value, not below the threshold above, at which "
        f"at most {metadata['max_cv_fpr']:.1%} of the benign English rows, of the benign Chinese rows and of "
        f"the documentation texts (below) have a sentence above it (documentation texts out of fold: "
        f"{metadata['cv_documentation_sentence_fpr']:.1%}).",
        "",
        "## Data",
        "Only rows of `../shared/corpus/injection.jsonl` with `train_ok: true` (licences MIT, Apache-2.0, "
        "CC0-1.0, CC-BY-4.0) and hand-written templates (`scripts/injection_templates.py`, written for "
        "this project). Rows without a licence, non-commercial or share-alike rows are never trained on; "
        "they are only evaluated (`scripts/eval_injection.py`).",
        "",
        "| trained on (buckets 2-9) | attack | benign |",
        "|---|---:|---:|",
    ]
    for key, label in (("corpus_train", "corpus rows"), ("template_train", "templates"),
                       ("documentation_train", "standard-library docstrings")):
        c = counts.get(key, {})
        lines.append(f"| {label} | {c.get('1', 0)} | {c.get('0', 0)} |")
    lines += [
        "",
        "Corpus rows with `train_ok: true` by language and source: English attacks are few (jailbreak "
        "templates and a few payloads, MIT); English benign rows are role-play and agent prompts (CC0). "
        "Chinese attacks are role-play jailbreaks (JailBench, MIT); Chinese benign rows are user questions, "
        "sensitive and harmful questions without injection, and benign role-play prompts (MIT, Apache-2.0). "
        "No Chinese row of the other attack families (override, prompt extraction, fake messages, "
        "exfiltration) is `train_ok`, so those come from the templates only.",
        "",
        "Templates (English): direct override, prompt extraction and its paraphrases, short and long "
        "persona jailbreaks (frame, what the persona is freed from, how the game is enforced, first "
        "request), story and hypothetical framings, fake system/tool messages, exfiltration links, "
        "delimiter tricks and injections inside documents; short one-line payloads (authority claims, "
        "\"execute:\", demands to drop harmlessness, prompts that generate attacks), code-execution payloads "
        "for LLM apps with tools, word games between two entities, simulated dialogues between an aligned "
        "and an unaligned AI, token smuggling through functions and string pieces, \"hypothetical response\" "
        "rewrites, villain-scene continuations, translator and virtual-machine personas, token-penalty "
        "games and command switches. Hard negatives: discussions and third-person descriptions of attacks, "
        "code and logs, everyday requests, harmless role-play, near-miss wording (device developer mode, "
        "products and plans without restrictions, people retracting their own messages), long system prompts for "
        "agents and tools (strict rules, front matter, placeholders, END OF PROMPT lines), song structure "
        "tags, and ordinary engineering questions about eval and subprocess. Chinese: the first families "
        "and hard negatives.",
        "",
        "Documentation (benign, English): docstrings of 200+ characters of the Python standard library "
        "this was trained with (PSF-2.0; the first 2,000 characters of each, chosen by a hash), the kind "
        "of prose an agent reads in tool results. Without them the classifier flagged 15 of 4,028 chunks "
        "of the machine's Markdown/reST documentation read as tool results (`scripts/eval_docs.py`, "
        "which never reads these `.py` sources); with them, none (before sentence scoring). "
        "Cross-validation on the corpus rows did not change for English; Chinese went from 1 to 3 false "
        "positives of 4,186. In cross-validation the documentation texts are cut into folds like the "
        "corpus rows, so the sentence threshold sees them out of fold.",
        "",
        "Split: bucket = SHA-256(normalized lower-cased text)[:8 hex] mod 10; 0-1 held-out test, 2-9 "
        "training side (cross-validation folds: another hash of the same key). The held-out split is corpus "
        "rows only.",
        "",
        "## Metrics (classifier alone, held-out test split, never trained on or tuned on)",
        "",
        *_metrics_table(test_metrics),
        "",
        f"Cross-validation on the training corpus rows ({metadata['folds']} folds, out-of-fold, at the "
        "thresholds above; used to choose them; \"as untrusted content\" adds the sentence scores):",
        "",
        *_metrics_table(cv_metrics),
        "",
        "The cross-validation numbers are optimistic: some templates were written after reading the "
        "training rows the model missed in cross-validation. The held-out numbers are the ones to quote.",
        "Rules, classifier and both combined, on the held-out split and on the evaluation-only rows: "
        "`.venv/bin/python scripts/eval_injection.py`.",
        "",
        "## Known limitations",
        f"- English attack rows are few: the held-out split has {test_metrics['en']['n_attack']} English "
        "attack rows, so one row moves English recall by "
        f"{1 / max(1, test_metrics['en']['n_attack']):.0%} and the held-out figure has a wide margin of "
        "error. The evaluation-only English attacks (Tensor Trust hijacking and extraction games) are a "
        "different style (game-specific passwords, 'Access Granted') and recall on them is lower.",
        f"- English false positives: {round(test_metrics['en']['fpr'] * test_metrics['en']['n_benign'])} of "
        f"the {test_metrics['en']['n_benign']} held-out English benign rows are flagged "
        f"(FPR {_fmt(test_metrics['en']['fpr'])}); with so few rows one row is "
        f"{1 / max(1, test_metrics['en']['n_benign']):.1%} of FPR. On the evaluation-only English rows the "
        "documentation texts cut the classifier's false-positive rate from 1.9% to 0.7% and its recall "
        "from 0.827 to 0.780; see `scripts/eval_injection.py`.",
        "- A sentence planted in a long document is found only when it alone scores above the sentence "
        "threshold or a rule matches it: `scripts/eval_docs.py` plants sentences written after the rules in "
        "documentation pages and finds four in ten of them.",
        "- Chinese attacks in the corpus are role-play jailbreaks that wrap a harmful question; the "
        "model partly learns harmful-question vocabulary, although the harmful questions without a "
        "jailbreak wrapper are benign rows and push against it.",
        "- Some corpus rows labelled benign are jailbreak-like (\"you are an AI without restrictions\" "
        "in the sensitive-question set); they count as false positives when flagged.",
        "- Bag-of-n-grams: no understanding of who is speaking; discussions quoting attacks and long "
        "agent prompts with strict rules remain the main source of false positives. Languages other than "
        "English and Chinese are not covered.",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def cv_fold(text: str, folds: int) -> int:
    """The cross-validation fold of a training row: another hash of the same key as `split_of`."""
    key = normalize(text).text.lower().strip().encode("utf-8")
    return int(hashlib.sha256(b"cv:" + key).hexdigest()[:8], 16) % folds


def fit(texts: list[str], labels: np.ndarray, C: float) -> Pipeline:
    pipeline = build_pipeline(C)
    pipeline.fit(texts, labels)
    shrink(pipeline)
    return pipeline


def cross_validate(corpus: list[tuple[str, int, str]], templates: list[tuple[str, int, str]],
                   documentation: list[tuple[str, int, str]], C: float, folds: int) -> dict[str, np.ndarray]:
    """Out-of-fold scores. Corpus rows and documentation texts are cut into folds by a hash; each fold is
    scored by a model fit on the other folds plus every template (templates are never scored: they are
    not real traffic). Returns, for the corpus rows, the best window probability (`probs`), the best
    single-sentence probability (`sentence_probs`, 0 for a text of one sentence), `labels` and `langs`;
    and `doc_sentence_probs` for the documentation texts (all benign, English)."""
    fold = np.array([cv_fold(t, folds) for t, _, _ in corpus])
    doc_fold = np.array([cv_fold(t, folds) for t, _, _ in documentation])
    texts = [normalize(t).text for t, _, _ in corpus]
    docs = [normalize(t).text for t, _, _ in documentation]
    labels = np.array([label for _, label, _ in corpus])
    langs = np.array([lang for _, _, lang in corpus])
    template_texts = [normalize(t).text for t, _, _ in templates]
    template_labels = np.array([label for _, label, _ in templates])
    probs, sentence_probs = np.zeros(len(corpus)), np.zeros(len(corpus))
    doc_sentence_probs = np.zeros(len(documentation))

    def best_sentence(scorer: InjectionClassifier, text: str) -> float:
        return max((w.probability for w in scorer.sentences(text)), default=0.0)

    for k in range(folds):
        train = np.flatnonzero(fold != k)
        doc_train = np.flatnonzero(doc_fold != k)
        pipeline = fit([texts[i] for i in train] + template_texts + [docs[i] for i in doc_train],
                       np.concatenate([labels[train], template_labels, np.zeros(len(doc_train), dtype=int)]), C)
        scorer = InjectionClassifier(pipeline, {"threshold": 0.5, "sentence_threshold": 0.5,
                                                "window": WINDOW, "stride": STRIDE})
        for i in np.flatnonzero(fold == k):
            probs[i] = scorer.best_window(texts[i]).probability
            sentence_probs[i] = best_sentence(scorer, texts[i])
        for i in np.flatnonzero(doc_fold == k):
            doc_sentence_probs[i] = best_sentence(scorer, docs[i])
    return {"probs": probs, "sentence_probs": sentence_probs, "labels": labels, "langs": langs,
            "doc_sentence_probs": doc_sentence_probs}


def pick_sentence_threshold(cv: dict[str, np.ndarray], floor: float, max_fpr: float) -> float:
    """The lowest sentence threshold, not below the window threshold `floor`, at which at most `max_fpr`
    of the benign English rows, of the benign Chinese rows and of the documentation texts have a
    sentence scoring above it."""
    benign = cv["labels"] == 0
    groups = [cv["sentence_probs"][benign & (cv["langs"] == lang)] for lang in ("en", "zh")]
    groups.append(cv["doc_sentence_probs"])
    threshold = floor
    for scores in groups:
        if not len(scores):
            continue
        ranked = np.sort(scores)
        allowed = int(np.floor(max_fpr * len(ranked)))
        threshold = max(threshold, float(ranked[len(ranked) - 1 - allowed]) + 1e-6)
    return min(threshold, 0.99)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--C", type=float, default=8.0)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--max-cv-fpr", type=float, default=0.005)
    parser.add_argument("--doc-negatives", type=int, default=2000,
                        help="standard-library docstrings added as benign training text")
    args = parser.parse_args()

    rows = [r for r in load_corpus(args.corpus) if r["train_ok"] is True]
    corpus, test, templates = [], [], []
    counts = {k: Counter() for k in ("corpus_train", "template_train")}
    for r in rows:
        if split_of(r["text"]) == "test":
            test.append((r["text"], r["label"], r["lang"]))
        else:
            corpus.append((r["text"], r["label"], r["lang"]))
            counts["corpus_train"][str(r["label"])] += 1
    generated = [row for row in generate(TEMPLATE_SEED) if split_of(row[0]) != "test"]
    for text, label, lang, _kind in generated:
        templates.append((text, label, lang))
        counts["template_train"][str(label)] += 1
    documentation = [row for row in documentation_negatives(args.doc_negatives) if split_of(row[0]) != "test"]
    counts["documentation_train"] = Counter({"0": len(documentation)})

    cv = cross_validate(corpus, templates, documentation, args.C, args.folds)
    cv_probs, cv_labels, cv_langs = cv["probs"], cv["labels"], cv["langs"]
    threshold = pick_threshold(cv_probs, cv_labels, cv_langs, args.max_cv_fpr)
    sentence_threshold = pick_sentence_threshold(cv, threshold, args.max_cv_fpr)
    cv_metrics = {lang: _rates(cv_labels[cv_langs == lang], cv_probs[cv_langs == lang] >= threshold)
                  for lang in ("en", "zh")}
    untrusted = (cv_probs >= threshold) | (cv["sentence_probs"] >= sentence_threshold)
    cv_metrics.update({f"{lang}, as untrusted content (with sentences)":
                       _rates(cv_labels[cv_langs == lang], untrusted[cv_langs == lang]) for lang in ("en", "zh")})
    doc_flagged = float(np.mean(cv["doc_sentence_probs"] >= sentence_threshold)) if len(documentation) else 0.0
    templates += documentation

    train = corpus + templates
    pipeline = fit([normalize(t).text for t, _, _ in train], np.array([label for _, label, _ in train]), args.C)
    vectorizer = pipeline.named_steps["tfidf"]
    metadata = {"sklearn_version": sklearn.__version__, "features_version": FEATURES_VERSION,
                "threshold": threshold, "sentence_threshold": sentence_threshold,
                "cv_documentation_sentence_fpr": doc_flagged,
                "window": WINDOW, "stride": STRIDE, "C": args.C,
                "folds": args.folds, "max_cv_fpr": args.max_cv_fpr, "n_features": len(vectorizer.vocabulary_),
                "trained_on": datetime.date.today().isoformat(),
                "training": {k: dict(v) for k, v in counts.items()}}
    classifier = InjectionClassifier(pipeline, metadata)
    test_probs = np.array([classifier.best_window(normalize(t).text).probability for t, _, _ in test])
    test_labels = np.array([label for _, label, _ in test])
    test_langs = np.array([lang for _, _, lang in test])
    test_metrics = {lang: _rates(test_labels[test_langs == lang],
                                 test_probs[test_langs == lang] >= threshold) for lang in ("en", "zh")}

    MODEL_PATH.parent.mkdir(parents=True, exist_ok=True)
    metadata["artifact_bytes"] = 0
    joblib.dump({"metadata": metadata, "pipeline": pipeline}, MODEL_PATH, compress=3)
    metadata["artifact_bytes"] = MODEL_PATH.stat().st_size  # written again so the stored size is right
    joblib.dump({"metadata": metadata, "pipeline": pipeline}, MODEL_PATH, compress=3)
    write_card(CARD_PATH, metadata, test_metrics, cv_metrics)
    print(f"train rows {len(train)}, features {metadata['n_features']}, "
          f"threshold {threshold:.4f}, size {MODEL_PATH.stat().st_size:,} bytes")
    print(f"sentence threshold {sentence_threshold:.4f}; documentation texts with a sentence above it "
          f"(out of fold): {doc_flagged:.4f}")
    for lang in cv_metrics:
        print(f"cv   {lang}: {cv_metrics[lang]}")
    print(f"held-out metrics: see {CARD_PATH.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
