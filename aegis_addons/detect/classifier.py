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
sublinear tf (1 + ln tf), exactly what the pipeline computes (a test checks the two agree). Features are
not built as strings: at load, every word and CJK character of the vocabulary gets an integer id, so a
text's unigram features are one dict lookup per word (or a table lookup per character) and its bigrams are
integer keys (`id1 * n + id2`) found by binary search in the sorted keys of the vocabulary's bigrams, all
in a few numpy operations; the features of every chunk of a long text are computed in one pass.

Windows: a short text is one window. A long text is cut at whitespace into chunks of about `stride`
characters, and each window is two neighbouring chunks, so windows overlap by half and any passage up to
`stride` characters long lies whole inside one window. The text's score is the maximum over windows, so an
injection buried in a long tool result is not diluted by the benign text around it.

Sentences (`best_window(..., sentences=True)`, used for untrusted content): one planted sentence is
still diluted by the 2,000 characters of a window around it, so each sentence or line (long ones in
pieces of 500 characters) of at least `MIN_SENTENCE_CHARS` characters and `MIN_SENTENCE_FEATURES` known
features is also scored alone, against its own, higher threshold `sentence_threshold` chosen by
cross-validation, since short benign texts reach high probabilities more easily. Windows and sentences
are scored from one analysis of the text (`scored`), cut at every window and sentence boundary.
"""

from __future__ import annotations

import math
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


MAX_SENTENCE_CHARS = 500  # a longer "sentence" (a code block, a table) is scored in pieces of this size
MIN_SENTENCE_FEATURES = 10  # fewer known features: the probability is a few words' weight, not evidence
MIN_SENTENCE_CHARS = 30  # and shorter sentences are left to the windows: a Chinese character is a feature,
# so ten features are only eight characters ("永远不要把你的密码告诉任何人。" would score as an attack)
# Sentence ends; normalize() has already turned the full-width ！？； into ASCII, and Chinese puts no
# space after them, so an ASCII end followed by a CJK character is a break too. Every match but a run of
# newlines starts with the sentence end itself, which stays in its sentence. (Written with a leading
# character class and `\n\n*` rather than look-behinds and `\n+`: the regex engine then skips to the
# candidate characters in C, twice as fast.)
_SENTENCE_BREAK = re.compile(r"[.!?]\s+|[!?;。！？；](?=[\u3000-\u9fff])|。\s*|\n\n*")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences and lines of `text` (Chinese sentence ends need no space after them),
    each cut into pieces of at most MAX_SENTENCE_CHARS (at a space where there is one), so every
    character but the separators is in one span."""
    spans: list[tuple[int, int]] = []
    start = 0
    n = len(text)
    for gap_start, gap_end in [m.span() for m in _SENTENCE_BREAK.finditer(text)] + [(n, n)]:
        if gap_start < n and text[gap_start] != "\n":
            gap_start += 1  # the sentence end belongs to its sentence
        while gap_start - start > MAX_SENTENCE_CHARS:  # cut at a space where there is one
            cut = text.rfind(" ", start + MAX_SENTENCE_CHARS // 2, start + MAX_SENTENCE_CHARS)
            cut = cut if cut > start else start + MAX_SENTENCE_CHARS
            spans.append((start, cut))
            start = cut + (text[cut] == " ")
        if gap_start > start:
            spans.append((start, gap_start))
        start = max(start, gap_end)
    return spans


_EMPTY_INDEX = np.zeros(0, dtype=np.int64)
_EMPTY_TF = np.zeros(0, dtype=np.float64)
_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789'")  # what `_LATIN_WORD` words are made of


def _count_sorted(index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct values, how often each occurs) of a sorted array; `np.unique` without its overhead."""
    if not len(index):
        return _EMPTY_INDEX, _EMPTY_TF
    first = np.empty(len(index), dtype=bool)
    first[0] = True
    np.not_equal(index[1:], index[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    counts = np.empty(len(starts), dtype=np.float64)
    np.subtract(starts[1:], starts[:-1], out=counts[:-1], casting="unsafe")
    counts[-1] = len(index) - starts[-1]
    return index[starts], counts


def _merge_counts(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]
                  ) -> tuple[np.ndarray, np.ndarray]:
    """The counts of two (index, tf) pairs added feature by feature."""
    index = np.concatenate([a[0], b[0]])
    tf = np.concatenate([a[1], b[1]])
    order = np.argsort(index, kind="stable")
    index, tf = index[order], tf[order]
    if not len(index):
        return index, tf
    first = np.empty(len(index), dtype=bool)
    first[0] = True
    np.not_equal(index[1:], index[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    return index[starts], np.add.reduceat(tf, starts)


class ModelVersionError(RuntimeError):
    """The model was trained with a scikit-learn major.minor version other than the installed one."""


@dataclass(frozen=True, slots=True)
class WindowScore:
    """The classifier's probability for one window; `start`/`end` index the normalized text."""

    probability: float
    start: int
    end: int
    sentence: bool = False  # a single sentence (untrusted content), judged against `sentence_threshold`


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
        # None: the model was trained without a sentence threshold, so sentences are not scored
        self.sentence_threshold: float | None = metadata.get("sentence_threshold")
        self.window: int = int(metadata["window"])
        self.stride: int = int(metadata["stride"])
        vectorizer = pipeline.named_steps["tfidf"]
        model = pipeline.named_steps["clf"]
        # plain ints: numpy integers would make every lookup below convert
        self._vocabulary: dict[str, int] = {f: int(i) for f, i in vectorizer.vocabulary_.items()}
        self._idf = np.asarray(vectorizer.idf_, dtype=np.float64)
        self._weighted = self._idf * np.asarray(model.coef_[0], dtype=np.float64)  # idf * coef per feature
        self._intercept = float(model.intercept_[0])
        self._build_tables()

    def _build_tables(self) -> None:
        """Lookup tables that turn a text into feature indices with a few array operations.

        Latin words get a word id (one dict lookup per word); a word bigram is then the integer
        `id1 * n_words + id2`, looked up by binary search in the sorted keys of the vocabulary's bigrams.
        CJK characters get a character id from a table indexed by code point, and their bigrams are found
        the same way. Only words and characters that occur in some vocabulary feature get an id.
        """
        words: dict[str, int] = {}
        chars: dict[str, int] = {}
        uni_words, uni_chars, bi_words, bi_chars = [], [], [], []
        for feature, index in self._vocabulary.items():
            if _CJK_RUN.fullmatch(feature):
                ids = [chars.setdefault(c, len(chars)) for c in feature]
                (uni_chars if len(ids) == 1 else bi_chars).append((ids, index))
            else:
                ids = [words.setdefault(w, len(words)) for w in feature.split(" ")]
                (uni_words if len(ids) == 1 else bi_words).append((ids, index))
        self._word_id = words
        self._n_words = max(1, len(words))
        self._n_chars = max(1, len(chars))
        self._word_feature = np.full(len(words) + 1, -1, dtype=np.int64)  # id -1 (unknown) -> -1
        for (i,), index in uni_words:
            self._word_feature[i] = index
        self._char_id = np.full(0x10000, -1, dtype=np.int64)  # CJK ranges are in the BMP
        for c, i in chars.items():
            self._char_id[ord(c)] = i
        self._char_feature = np.full(len(chars) + 1, -1, dtype=np.int64)
        for (i,), index in uni_chars:
            self._char_feature[i] = index

        def pairs(items: list, n: int) -> tuple[np.ndarray, np.ndarray]:
            keys = np.array([a * n + b for (a, b), _ in items], dtype=np.int64)
            order = np.argsort(keys)
            return keys[order], np.array([index for _, index in items], dtype=np.int64)[order]

        self._word_pairs, self._word_pair_feature = pairs(bi_words, self._n_words)
        self._char_pairs, self._char_pair_feature = pairs(bi_chars, self._n_chars)

    @staticmethod
    def _pair_features(ids: np.ndarray, n: int, keys: np.ndarray, features: np.ndarray) -> np.ndarray:
        """Feature indices of the bigrams of neighbouring known ids (unknown ids are -1)."""
        if len(ids) < 2 or not len(keys):
            return ids[:0]
        left, right = ids[:-1], ids[1:]
        pair = left * n + right
        pair = pair[(left >= 0) & (right >= 0)]
        at = np.searchsorted(keys, pair)
        at[at == len(keys)] = 0
        return features[at[keys[at] == pair]]

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
        """(feature indices, term counts) of the in-vocabulary features of `text`, as `analyze` has them."""
        lowered = text.lower()
        parts = []
        words = _LATIN_WORD.findall(lowered)
        if words:
            get = self._word_id.get
            ids = np.fromiter(map(get, words, repeat(-1)), dtype=np.int64, count=len(words))
            parts.append(self._word_feature[ids])
            parts.append(self._pair_features(ids, self._n_words, self._word_pairs, self._word_pair_feature))
        if not lowered.isascii() and _CJK_RUN.search(lowered):
            points = np.frombuffer(lowered.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
            ids = self._char_id[np.minimum(points, 0xFFFF)]
            ids[points > 0xFFFF] = -1
            parts.append(self._char_feature[ids])
            parts.append(self._pair_features(ids, self._n_chars, self._char_pairs, self._char_pair_feature))
        if not parts:
            return _EMPTY_INDEX, _EMPTY_TF
        index = np.concatenate(parts) if len(parts) > 1 else parts[0]
        return _count_sorted(np.sort(index[index >= 0]))

    def _probability(self, index: np.ndarray, tf: np.ndarray) -> float:
        if not len(index):
            z = self._intercept
        else:
            sub_tf = 1.0 + np.log(tf)
            weights = sub_tf * self._idf[index]
            norm = math.sqrt(float(np.dot(weights, weights)))
            z = self._intercept + float(np.dot(sub_tf, self._weighted[index])) / norm
        return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0

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
        lowered = normalized_text.lower()
        scores = []
        if len(lowered) != len(normalized_text):  # a letter whose lower case is longer: chunk by chunk
            counts = [self._counts(normalized_text[s:e]) for s, e in chunks]
            for i in range(len(chunks) - 1):
                # a window is two chunks: add their counts feature by feature
                index, tf = _merge_counts(counts[i], counts[i + 1])
                scores.append(WindowScore(self._probability(index, tf), chunks[i][0], chunks[i + 1][1]))
            return scores
        features, labels = self._chunk_features(lowered, chunks)
        # grouped by chunk once, so that each window slices its two chunks' features out (a mask per
        # window would read every feature of the text again: quadratic on a long text)
        order = np.argsort(labels, kind="stable")
        features = features[order]
        bounds = np.searchsorted(labels[order], np.arange(len(chunks) + 1))
        for i in range(len(chunks) - 1):
            # a window is two chunks: the features of both, each chunk's features as it alone gives them
            mine = np.sort(features[bounds[i]:bounds[i + 2]])
            scores.append(WindowScore(self._probability(*_count_sorted(mine)), chunks[i][0], chunks[i + 1][1]))
        return scores

    def sentences(self, normalized_text: str) -> list[WindowScore]:
        """Scores of the sentences (or lines) of a text, each scored alone (computed with the windows,
        see `scored`, which is what the detector calls). Sentences shorter than
        `MIN_SENTENCE_CHARS` or with fewer than `MIN_SENTENCE_FEATURES` known features are skipped: with
        a few features the probability is just those features' weight, not evidence."""
        return [w for w in self.scored(normalized_text, sentences=True) if w.sentence]

    def scored(self, normalized_text: str, *, sentences: bool = False) -> list[WindowScore]:
        """The scores of every window and, with `sentences`, of every sentence worth scoring alone.

        Windows and sentences come from one analysis of the text: the text is cut at every chunk and
        sentence boundary, each piece is analysed once, and a window's or a sentence's features are
        those of its pieces plus the bigrams that cross between two of its own pieces, which is what
        analysing it alone gives (a test checks this against `analyze`). Where a cut would split a word
        of a sentence, the sentences are analysed apart instead (`_sentences_alone`).
        """
        spans = self._spans_to_score(normalized_text) if sentences else []
        if not spans:
            return self.windows(normalized_text)
        lowered = normalized_text.lower()
        if len(lowered) == len(normalized_text):  # else a letter whose lower case is longer
            together = self._scored_together(lowered, spans)
            if together is not None:
                return together
        return self.windows(normalized_text) + self._sentences_alone(normalized_text, spans)

    def _spans_to_score(self, normalized_text: str) -> list[tuple[int, int]]:
        if self.sentence_threshold is None:  # the model has no sentence threshold: sentences not scored
            return []
        spans = sentence_spans(normalized_text)
        if len(spans) < 2:  # one sentence: the whole-text window already scores it
            return []
        return [(s, e) for s, e in spans if e - s >= MIN_SENTENCE_CHARS]

    def _scored_together(self, lowered: str, spans: list[tuple[int, int]]) -> list[WindowScore] | None:
        """`scored()` with one analysis of `lowered` (see there); None when a cut that matters to a
        sentence falls inside a word (a 500-character run without a space, a window cut in Chinese text),
        where the pieces would not add up to the sentence's words."""
        n = len(lowered)
        chunks = [(0, n)] if n <= self.window else self._chunks(lowered)
        chunk_starts = [s for s, _ in chunks]
        span_cuts = {p for span in spans for p in span}
        cuts = sorted({*chunk_starts, n, *span_cuts})
        # A cut inside a word splits it in two. That is what the windows see at their own cuts (a chunk is
        # analysed alone), but a sentence must keep its words whole: give up when a sentence cut, or a
        # window cut inside a sentence, falls inside a word (Chinese text has no spaces to cut at).
        for c in cuts:
            if 0 < c < n and lowered[c - 1] in _WORD_CHARS and lowered[c] in _WORD_CHARS:
                if c in span_cuts or any(s < c < e for s, e in spans):
                    return None
        pieces = list(zip(cuts, cuts[1:]))
        piece_starts = np.array(cuts[:-1], dtype=np.int64)
        chunk_of = np.searchsorted(np.array(chunk_starts, dtype=np.int64), piece_starts, side="right") - 1
        span_starts = np.array([s for s, _ in spans], dtype=np.int64)
        span_ends = np.array([e for _, e in spans], dtype=np.int64)
        k = np.searchsorted(span_starts, piece_starts, side="right") - 1
        sentence_of = np.where((k >= 0) & (piece_starts < span_ends[np.maximum(k, 0)]), k, -1)

        features, first, last = self._piece_features(lowered, pieces)
        if len(chunks) == 1:  # one window: the whole text
            n_windows = 1
            window_features, window_labels = features, np.zeros(len(features), dtype=np.int64)
        else:  # window i is chunks i and i + 1, each analysed alone
            n_windows = len(chunks) - 1
            chunk = chunk_of[first]
            inside = chunk == chunk_of[last]
            mine, chunk = features[inside], chunk[inside]
            opens, closes = chunk < n_windows, chunk > 0
            window_features = np.concatenate([mine[opens], mine[closes]])
            window_labels = np.concatenate([chunk[opens], chunk[closes] - 1])
        sentence = sentence_of[first]
        inside = (sentence == sentence_of[last]) & (sentence >= 0)
        probability, n_features = self._probabilities(
            np.concatenate([window_features, features[inside]]),
            np.concatenate([window_labels, n_windows + sentence[inside]]), n_windows + len(spans))
        out = [WindowScore(float(probability[i]), chunks[i][0], chunks[min(i + 1, len(chunks) - 1)][1])
               for i in range(n_windows)]
        out += [WindowScore(float(probability[n_windows + i]), s, e, sentence=True)
                for i, (s, e) in enumerate(spans) if n_features[n_windows + i] >= MIN_SENTENCE_FEATURES]
        return out

    def _sentences_alone(self, normalized_text: str, spans: list[tuple[int, int]]) -> list[WindowScore]:
        """The sentences' scores, analysing them apart from the windows (the rare cases
        `_scored_together` leaves)."""
        lowered = normalized_text.lower()
        if len(lowered) != len(normalized_text):  # a letter whose lower case is longer: one by one
            counts = [self._counts(normalized_text[s:e]) for s, e in spans]
            return [WindowScore(self._probability(index, tf), s, e, sentence=True)
                    for (s, e), (index, tf) in zip(spans, counts) if len(index) >= MIN_SENTENCE_FEATURES]
        # `_chunk_features` wants chunks that tile the text: the gaps between sentences become chunks too
        cover, slot = [], []
        end = 0
        for start, stop in spans:
            if start > end:
                cover.append((end, start))
            slot.append(len(cover))
            cover.append((start, stop))
            end = stop
        if end < len(lowered):
            cover.append((end, len(lowered)))
        features, labels = self._chunk_features(lowered, cover)
        probability, n_features = self._probabilities(features, labels, len(cover))
        return [WindowScore(float(probability[i]), s, e, sentence=True)
                for (s, e), i in zip(spans, slot) if n_features[i] >= MIN_SENTENCE_FEATURES]

    def _probabilities(self, features: np.ndarray, labels: np.ndarray, n_chunks: int
                       ) -> tuple[np.ndarray, np.ndarray]:
        """`_probability` of every chunk at once (features labelled by chunk), and each chunk's number of
        distinct features: one sort and a few bincounts instead of a loop over chunks."""
        width = len(self._idf)
        unique, tf = _count_sorted(np.sort(labels * width + features))
        chunk, feature = np.divmod(unique, width)
        sub_tf = 1.0 + np.log(tf)
        weights = sub_tf * self._idf[feature]
        norm = np.sqrt(np.bincount(chunk, weights=weights * weights, minlength=n_chunks))
        dot = np.bincount(chunk, weights=sub_tf * self._weighted[feature], minlength=n_chunks)
        z = self._intercept + np.divide(dot, norm, out=np.zeros(n_chunks), where=norm > 0)
        probability = 1.0 / (1.0 + np.exp(-np.maximum(z, -700.0)))
        return probability, np.bincount(chunk, minlength=n_chunks)

    def _chunk_features(self, lowered: str, chunks: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
        """In-vocabulary feature indices of every chunk of `lowered` (analysed separately, as `_counts`
        would) and the chunk each belongs to, computed for all chunks at once."""
        features, first, last = self._piece_features(lowered, chunks)
        inside = first == last  # a bigram across two chunks belongs to neither
        return features[inside], first[inside]

    def _piece_features(self, lowered: str, pieces: list[tuple[int, int]]
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every in-vocabulary feature of the whole of `lowered`, with the pieces its first and its last
        token lie in (the same piece for a unigram and for a bigram inside one piece). `pieces` tile the
        text; each is analysed as it alone would be (a word cut by a piece boundary gives each piece its
        half), so when no boundary cuts a word the features are exactly those of the whole text."""
        features, first, last = [], [], []

        def add(ids: np.ndarray, piece: np.ndarray, n: int, keys: np.ndarray, table: np.ndarray) -> None:
            left, right = ids[:-1], ids[1:]
            known = np.flatnonzero((left >= 0) & (right >= 0))
            feature, where = self._lookup_pairs(left[known] * n + right[known], keys, table)
            features.append(feature)
            first.append(piece[:-1][known][where])
            last.append(piece[1:][known][where])

        word_lists = [_LATIN_WORD.findall(lowered, s, e) for s, e in pieces]
        words = [w for ws in word_lists for w in ws]
        if words:
            ids = np.fromiter(map(self._word_id.get, words, repeat(-1)), dtype=np.int64, count=len(words))
            piece = np.repeat(np.arange(len(pieces)), [len(ws) for ws in word_lists])
            features.append(self._word_feature[ids])
            first.append(piece)
            last.append(piece)
            add(ids, piece, self._n_words, self._word_pairs, self._word_pair_feature)
        if not lowered.isascii() and _CJK_RUN.search(lowered):
            points = np.frombuffer(lowered.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
            ids = self._char_id[np.minimum(points, 0xFFFF)]
            ids[points > 0xFFFF] = -1
            piece = np.repeat(np.arange(len(pieces)), [e - s for s, e in pieces])
            features.append(self._char_feature[ids])
            first.append(piece)
            last.append(piece)
            add(ids, piece, self._n_chars, self._char_pairs, self._char_pair_feature)
        if not features:
            return _EMPTY_INDEX, _EMPTY_INDEX, _EMPTY_INDEX
        feature, first_piece, last_piece = np.concatenate(features), np.concatenate(first), np.concatenate(last)
        known = feature >= 0
        return feature[known], first_piece[known], last_piece[known]

    @staticmethod
    def _lookup_pairs(pair: np.ndarray, keys: np.ndarray, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(feature indices, positions in `pair`) of the pair keys that are in the vocabulary."""
        if not len(keys) or not len(pair):
            return _EMPTY_INDEX, _EMPTY_INDEX
        at = np.searchsorted(keys, pair)
        at[at == len(keys)] = 0
        where = np.flatnonzero(keys[at] == pair)
        return features[at[where]], where

    def best_window(self, normalized_text: str, *, sentences: bool = False) -> WindowScore:
        """The window with the highest score on the shared scale; with `sentences`, single sentences
        compete too (under their own threshold)."""
        candidates = self.scored(normalized_text, sentences=sentences)
        return max(candidates, key=lambda w: self.finding_score(w.probability, sentence=w.sentence))

    def score(self, text: str) -> float:
        """Probability that `text` holds an injection: the maximum over its windows."""
        return self.best_window(normalize(text).text).probability

    def finding_score(self, probability: float, *, sentence: bool = False) -> float:
        """Map a probability onto the detectors' shared scale: the threshold becomes 0.5.

        Rules and the classifier feed the same policy thresholds, so "at the model's decision threshold"
        must mean the same number as "a moderately confident rule"; the mapping is piecewise linear.
        A single sentence is mapped with `sentence_threshold`: short texts reach high probabilities
        more easily, so a sentence needs more to count.
        """
        t = self.sentence_threshold if sentence and self.sentence_threshold is not None else self.threshold
        if probability >= t:
            return 0.5 + 0.5 * (probability - t) / (1.0 - t) if t < 1.0 else 0.5
        return 0.5 * probability / t
