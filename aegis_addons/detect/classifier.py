"""The local injection classifier: TF-IDF features + logistic regression, scored over windows.

`model/injection.joblib` (written by `scripts/train_classifier.py`) holds a fitted scikit-learn pipeline
(`TfidfVectorizer(analyzer=analyze)` then `LogisticRegression`) and its metadata: the scikit-learn
version it was trained with, the decision threshold, the window sizes and the training data counts.

Version check: a pickled estimator is only guaranteed to behave the same under the scikit-learn version
that wrote it. On load, a different major.minor version raises `ModelVersionError`, because a silently
different model would silently change block/allow decisions; pass `allow_version_mismatch=True` to load
anyway with a warning (for example to re-evaluate the model before retraining it). Patch releases are
accepted.

Speed: scikit-learn's `transform` + `predict_proba` costs several milliseconds per call, far over the
gateway's budget, so scoring does the same arithmetic directly with the fitted vocabulary, IDF weights
and coefficients: a window's score is `sigmoid(b + sum(tf_f * idf_f * coef_f) / ||tf * idf||)` with
sublinear tf (1 + ln tf), exactly what the pipeline computes (a test checks the two agree).

Windows: a short text is one window. A long text is cut at whitespace into chunks of about `stride`
characters, and each window is two neighbouring chunks, so windows overlap by half and any passage up to
`stride` characters long lies whole inside one window. The text's score is the maximum over windows, so an
injection buried in a long tool result is not diluted by the benign text around it.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path

import numpy as np

from aegis_addons.detect.normalize import normalize
from aegis_addons.paths import MODEL_DIR

DEFAULT_MODEL = MODEL_DIR / "injection.joblib"
FEATURES_VERSION = 1  # bump when `analyze` changes: a model is only valid with the analyzer it was fit with

_LATIN_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def analyze(text: str) -> list[str]:
    """Bilingual features of a normalized text.

    Latin-script words give word unigrams and bigrams. Chinese has no spaces, so a run of CJK characters
    gives character unigrams and bigrams. Character n-grams of Latin words were tried: they quadrupled the
    feature count (and the scoring time) without improving recall or false positives on held-out data.
    The n-grams are built with `map`, which runs in C: this function is most of the classifier's time.
    """
    lowered = text.lower()
    words = _LATIN_WORD.findall(lowered)
    features = words[:]
    features += map("{} {}".format, words, words[1:])
    for run in _CJK_RUN.findall(lowered):
        features += run
        features += map(str.__add__, run, run[1:])
    return features


class ModelVersionError(RuntimeError):
    """The model was trained with a scikit-learn major.minor version other than the installed one."""


@dataclass(frozen=True, slots=True)
class WindowScore:
    """The classifier's probability for one window; `start`/`end` index the normalized text."""

    probability: float
    start: int
    end: int


def _major_minor(version: str) -> tuple[int, int]:
    parts = re.findall(r"\d+", version)
    return int(parts[0]), int(parts[1]) if len(parts) > 1 else 0


def check_version(trained_with: str, installed: str, *, allow_mismatch: bool = False) -> None:
    """Raise ModelVersionError (or warn, when allowed) if the major.minor versions differ."""
    if _major_minor(trained_with) == _major_minor(installed):
        return
    message = (f"model/injection.joblib was trained with scikit-learn {trained_with}, installed is "
               f"{installed}; retrain with scripts/train_classifier.py")
    if not allow_mismatch:
        raise ModelVersionError(message)
    warnings.warn(message, RuntimeWarning, stacklevel=3)


class InjectionClassifier:
    """Scores text for prompt injection; build with `load()`."""

    def __init__(self, pipeline, metadata: dict) -> None:
        self.pipeline = pipeline
        self.metadata = metadata
        self.threshold: float = float(metadata["threshold"])
        self.window: int = int(metadata["window"])
        self.stride: int = int(metadata["stride"])
        vectorizer = pipeline.named_steps["tfidf"]
        model = pipeline.named_steps["clf"]
        # plain ints: numpy integers would make every lookup below convert
        self._vocabulary: dict[str, int] = {f: int(i) for f, i in vectorizer.vocabulary_.items()}
        self._idf = np.asarray(vectorizer.idf_, dtype=np.float64)
        self._weighted = self._idf * np.asarray(model.coef_[0], dtype=np.float64)  # idf * coef per feature
        self._intercept = float(model.intercept_[0])

    @classmethod
    def load(cls, path: str | Path = DEFAULT_MODEL, *, allow_version_mismatch: bool = False
             ) -> InjectionClassifier:
        import joblib
        import sklearn
        from sklearn.exceptions import InconsistentVersionWarning

        with warnings.catch_warnings():
            # scikit-learn's own warning is replaced by the clearer check below
            warnings.simplefilter("ignore", InconsistentVersionWarning)
            artifact = joblib.load(path)
        metadata = artifact["metadata"]
        check_version(metadata["sklearn_version"], sklearn.__version__,
                      allow_mismatch=allow_version_mismatch)
        if metadata.get("features_version") != FEATURES_VERSION:
            raise ModelVersionError(f"{path}: features version {metadata.get('features_version')}, "
                                    f"this code expects {FEATURES_VERSION}; retrain the model")
        return cls(artifact["pipeline"], metadata)

    def _counts(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(feature indices, term counts) of the in-vocabulary features of `text`."""
        features = analyze(text)
        index = np.fromiter(map(self._vocabulary.get, features, repeat(-1)), dtype=np.int64,
                            count=len(features))
        index, tf = np.unique(index[index >= 0], return_counts=True)
        return index, tf.astype(np.float64)

    def _probability(self, index: np.ndarray, tf: np.ndarray) -> float:
        if not len(index):
            z = self._intercept
        else:
            sub_tf = 1.0 + np.log(tf)
            norm = float(np.sqrt(np.dot(sub_tf * self._idf[index], sub_tf * self._idf[index])))
            z = self._intercept + float(np.dot(sub_tf, self._weighted[index])) / norm
        return float(1.0 / (1.0 + np.exp(-z)))

    def _chunks(self, text: str) -> list[tuple[int, int]]:
        """Spans of about `stride` characters, cut at whitespace where possible."""
        spans = []
        start = 0
        n = len(text)
        while start < n:
            end = min(n, start + self.stride)
            if end < n:
                cut = text.rfind(" ", start + self.stride // 2, end)
                cut = max(cut, text.rfind("\n", start + self.stride // 2, end))
                if cut > start:
                    end = cut
            spans.append((start, end))
            start = end
        return spans

    def windows(self, normalized_text: str) -> list[WindowScore]:
        """Scores of every window of an already normalized text (see the module docstring)."""
        if len(normalized_text) <= self.window:
            return [WindowScore(self._probability(*self._counts(normalized_text)), 0, len(normalized_text))]
        chunks = self._chunks(normalized_text)
        counts = [self._counts(normalized_text[s:e]) for s, e in chunks]
        scores = []
        for i in range(len(chunks) - 1):
            # a window is two chunks: add their counts feature by feature
            index, inverse = np.unique(np.concatenate([counts[i][0], counts[i + 1][0]]), return_inverse=True)
            tf = np.bincount(inverse, weights=np.concatenate([counts[i][1], counts[i + 1][1]]))
            scores.append(WindowScore(self._probability(index, tf), chunks[i][0], chunks[i + 1][1]))
        return scores

    def best_window(self, normalized_text: str) -> WindowScore:
        return max(self.windows(normalized_text), key=lambda w: w.probability)

    def score(self, text: str) -> float:
        """Probability that `text` holds an injection: the maximum over its windows."""
        return self.best_window(normalize(text).text).probability

    def finding_score(self, probability: float) -> float:
        """Map a probability onto the detectors' shared scale: the threshold becomes 0.5.

        Rules and the classifier feed the same policy thresholds, so "at the model's decision threshold"
        must mean the same number as "a moderately confident rule"; the mapping is piecewise linear.
        """
        t = self.threshold
        if probability >= t:
            return 0.5 + 0.5 * (probability - t) / (1.0 - t)
        return 0.5 * probability / t
