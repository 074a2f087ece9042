"""Features for the classifier: hashed word n-grams, hashed character n-grams,
and cue features, all computed from one `Analysis` per post so the rules are never run twice.

Everything the pipeline references is a module-level function or class, so a saved model can be
loaded with an explicit allow-list (see persist.py).
"""
from __future__ import annotations

import math
import re
import zlib
from itertools import pairwise

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.pipeline import FeatureUnion

from recruit_detect.cues import default_cues
from recruit_detect.normalize import OBFUSCATION_KINDS

_NUMBER = re.compile(r"^[\d.,]+$")
_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit constant (golden ratio) for multiplicative hashing
_BASE = np.uint64(1_000_003)


def _bucket(hashes: np.ndarray, n: int, bits: int) -> np.ndarray:
    """Mix 64-bit n-gram hashes with their order n and keep the top `bits` bits."""
    mixed = (hashes ^ np.uint64(n << 56)) * _MULTIPLIER
    return (mixed >> np.uint64(64 - bits)).astype(np.int64)


_HASHES: dict[str, int] = {}  # token -> hash; tokens repeat (Zipf), so most lookups hit
_MAX_CACHED = 1 << 19  # bounded, so memory stays flat over millions of posts


def _new_hash(token: str) -> int:
    """CRC-32 of a token; numbers hash as a length-bucketed shape, so "15" and "25" share one."""
    if len(_HASHES) >= _MAX_CACHED:
        _HASHES.clear()
    shape = f"<num{min(len(token), 7)}>" if _NUMBER.match(token) else token
    h = _HASHES[token] = zlib.crc32(shape.encode("utf-8", "surrogatepass"))
    return h


def _token_hashes(tokens: list[str]) -> np.ndarray:
    get = _HASHES.get
    return np.array([get(t) or _new_hash(t) for t in tokens], dtype=np.uint64)  # a CRC of 0 is just rehashed


def word_buckets(token_lists, bits: int) -> tuple[np.ndarray, np.ndarray]:
    """Hashed unigram and bigram indices for a batch of token lists: (post index, bucket) arrays,
    all unigrams first, then all bigrams. A bigram's hash combines its tokens' hashes."""
    lengths = [len(tokens) for tokens in token_lists]
    rows = np.repeat(np.arange(len(lengths)), lengths)
    hashes = _token_hashes([t for tokens in token_lists for t, _ in tokens])
    pairs = np.flatnonzero(rows[:-1] == rows[1:])  # bigrams never cross from one post to the next
    rows = np.concatenate([rows, rows[pairs]])
    return rows, np.concatenate([_bucket(hashes, 1, bits), _bucket(hashes[pairs] * _BASE + hashes[pairs + 1], 2, bits)])


def word_spans(tokens) -> list[tuple[int, int]]:
    """Spans of one post's unigrams then bigrams, in the order of `word_buckets`."""
    spans = [(s, s + len(t)) for t, s in tokens]
    return spans + [(a[0], b[1]) for a, b in pairwise(spans)]


_WHITESPACE = np.array([ord(c) for c in " \t\n\r\x0b\x0c"], dtype=np.uint64)


def char_buckets(texts: list[str], ngram_range: tuple[int, int], bits: int, spans: bool = False):
    """Hashed character n-grams of words padded with a space (like scikit-learn's `char_wb`):
    an n-gram never has a space inside it, so it stays within one word. Computed for a whole
    batch at once on arrays of code points: building `char_wb`'s n-gram strings in Python was a
    third of scoring time. Returns (post index, bucket) arrays, with `spans` also (start, end)
    offsets in each post's text (the padding maps to -1 and len(text))."""
    joined = "\0".join(f" {t.replace(chr(0), ' ')} " for t in texts)
    codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
    space = np.isin(codes, _WHITESPACE)
    cut = codes == 0  # between posts
    codes[space] = 32  # a line break pads a word like a space does
    blocked = np.concatenate([[0], np.cumsum(space | cut)])  # prefix sums: spaces or cuts in a range
    post = np.cumsum(cut)
    origin = np.concatenate([[0], np.flatnonzero(cut) + 1])  # where each post's padded text starts
    rows, buckets, starts = [], [], []
    hashes = codes + np.uint64(1)
    for n in range(1, ngram_range[1] + 1):
        if n > 1:
            hashes = hashes[:-1] * _BASE + codes[n - 1:] + np.uint64(1)
        if n < ngram_range[0]:
            continue
        count = len(hashes)
        ok = ~cut[:count] & ~cut[n - 1:]
        if n > 2:  # longer n-grams must hold no space or cut inside
            ok &= blocked[n - 1:n - 1 + count] == blocked[1:1 + count]
        else:  # and shorter ones must not be all padding
            ok &= ~(space[:count] & space[n - 1:])
        keep = np.flatnonzero(ok)
        rows.append(post[keep])
        buckets.append(_bucket(hashes[keep], n, bits))
        if spans:
            starts.append(keep - origin[post[keep]] - 1)
    rows, buckets = np.concatenate(rows), np.concatenate(buckets)
    if not spans:
        return rows, buckets
    lengths = np.repeat(np.arange(ngram_range[0], ngram_range[1] + 1), [len(k) for k in starts])
    starts = np.concatenate(starts)
    return rows, buckets, starts, starts + lengths


def _counts(rows: np.ndarray, cols: np.ndarray, n_rows: int, bits: int) -> sparse.csr_matrix:
    """Count (row, col) pairs into a CSR matrix. One sort of packed keys orders the rows and the
    columns and brings duplicates together: about half the time of scipy's COO conversion."""
    keys = np.sort((rows.astype(np.int64) << bits) | cols)
    first = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]])) if len(keys) else np.zeros(0, np.int64)
    counts = np.diff(np.append(first, len(keys))).astype(np.float32)
    unique = keys[first]
    indptr = np.searchsorted(unique >> bits, np.arange(n_rows + 1))
    matrix = sparse.csr_matrix((counts, unique & ((1 << bits) - 1), indptr), shape=(n_rows, 1 << bits))
    matrix.has_sorted_indices = True
    return matrix


class HashedWords(TransformerMixin, BaseEstimator):
    """Counts of hashed word unigrams and bigrams (see `word_buckets`)."""

    def __init__(self, bits: int = 18):
        self.bits = bits

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        rows, cols = word_buckets([doc.tokens for doc in X], self.bits)
        return _counts(rows, cols, len(X), self.bits)


class HashedChars(TransformerMixin, BaseEstimator):
    """Counts of hashed character n-grams of the normalized text (see `char_buckets`)."""

    def __init__(self, bits: int = 19, ngram_range: tuple[int, int] = (2, 5)):
        self.bits = bits
        self.ngram_range = ngram_range

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        rows, cols = char_buckets([doc.normalized.text for doc in X], tuple(self.ngram_range), self.bits)
        return _counts(rows, cols, len(X), self.bits)


class CueFeatures(TransformerMixin, BaseEstimator):
    """One column per cue (strongest active hit), reported-risk and polarity counts, obfuscation
    counts and money facts. Interactions the linear model cannot form alone are spelled out."""

    def __init__(self, cue_ids: tuple[str, ...] | None = None):
        self.cue_ids = cue_ids

    def fit(self, X, y=None):
        cues = default_cues()
        self.cue_ids_ = tuple(self.cue_ids) if self.cue_ids is not None else cues.ids
        self.polarity_ = tuple(cues.get(c).polarity for c in self.cue_ids_)
        self.names_ = self.cue_ids_ + (
            "risk_hard", "risk_medium", "risk_weak", "risk_distinct", "risk_reported", "legit_count", "not_ad_count",
            "risk_without_frame", "risk_without_legit", "fee_amount", "pay_per_month_log", "obfuscation_total",
        ) + tuple(f"obf_{k}" for k in OBFUSCATION_KINDS)
        return self

    def get_feature_names_out(self, input_features=None):
        return np.asarray(["cue:" + n for n in self.names_], dtype=object)

    def transform(self, X):
        index = {c: i for i, c in enumerate(self.cue_ids_)}
        n = len(self.cue_ids_)
        rows = np.zeros((len(X), len(self.names_)), dtype=np.float64)
        for r, doc in enumerate(X):
            row = rows[r]
            distinct = set()
            for hit in doc.cues:
                if hit.negated or hit.cue not in index:
                    continue
                if hit.polarity == "risk" and hit.reported:
                    row[n + 4] += 1
                    continue
                i = index[hit.cue]
                row[i] = max(row[i], hit.score)
                if hit.polarity == "risk":
                    row[n + ("hard", "medium", "weak").index(hit.severity)] += 1
                    distinct.add(hit.cue)
                elif hit.polarity == "legit":
                    row[n + 5] += 1
                else:
                    row[n + 6] += 1
            row[n + 3] = len(distinct)
            row[n + 7] = len(distinct) * (row[n + 6] == 0)
            row[n + 8] = len(distinct) * (row[n + 5] == 0)
            fees = [e.value for e in doc.entities if e.kind == "money" and e.value["role"] == "fee"]
            pays = [e.value["idr_per_month"] for e in doc.entities
                    if e.kind == "money" and e.value["role"] == "pay" and e.value["idr_per_month"]]
            row[n + 9] = float(bool(fees))
            row[n + 10] = math.log10(max(pays)) / 8 if pays else 0.0
            obf = doc.normalized.obfuscation
            row[n + 11] = math.log1p(sum(obf.values()))
            for k, kind in enumerate(OBFUSCATION_KINDS):
                row[n + 12 + k] = math.log1p(obf.get(kind, 0))
        # Scale counts into the range of TF-IDF values so one regularisation strength fits all.
        rows[:, n:n + 9] = np.log1p(rows[:, n:n + 9])
        return sparse.csr_matrix(rows)


def build_features(word_bits: int = 18, char_bits: int = 19, char_ngrams: tuple[int, int] = (2, 5),
                   cue_weight: float = 0.05, nb_alpha: float | None = 1.0,
                   min_ratio: float = 0.2) -> list[tuple[str, object]]:
    """Pipeline steps: `counts` (hashed n-gram counts and cue features) is stateless, so training
    computes it once for all cross-validation folds; `weights` learns the TF-IDF per fold.
    Hashing keeps the model file small and quick to load (no vocabulary to store); collisions at
    these sizes cost no measurable accuracy."""
    counts = FeatureUnion([
        ("words", HashedWords(word_bits)),
        ("chars", HashedChars(char_bits, char_ngrams)),
        ("cues", CueFeatures()),
    ])
    return [("counts", counts),
            ("weights", BlockTfidf((1 << word_bits, 1 << char_bits), cue_weight, nb_alpha, min_ratio))]


class BlockTfidf(TransformerMixin, BaseEstimator):
    """TF-IDF (sublinear tf, l2 norm) learned separately for each n-gram block of the counts;
    the columns after the blocks (cue features) are scaled by `cue_weight`. The same as one
    scikit-learn `TfidfTransformer` per block, computed on the whole matrix at once: slicing the
    blocks out and stacking them back cost more than the weighting itself.

    Cue features are scaled down: at full weight the model leaned on these few coarse columns
    and grouped cross-validation on the corpus dropped (PR-AUC 0.981 vs 0.995 at weight 0.05)."""

    def __init__(self, blocks: tuple[int, ...], cue_weight: float = 0.05, nb_alpha: float | None = None,
                 min_ratio: float = 0.0):
        self.blocks = blocks
        self.cue_weight = cue_weight
        self.nb_alpha = nb_alpha
        self.min_ratio = min_ratio

    def fit(self, X, y=None):
        X = sparse.csr_matrix(X)
        edges = np.concatenate([[0], np.cumsum(self.blocks)]).astype(int)
        n = edges[-1]
        # Document frequencies straight from the column indices: TfidfTransformer on each block
        # sliced out of a 100k-post matrix copied the matrix and took a third of each fold's fit.
        cols = X.indices
        held = (cols < n) & (X.data > 0)  # an n-gram a post holds (counts have no duplicates)
        if self.nb_alpha is not None and y is not None:
            positive = np.repeat(np.asarray(y) == 1, np.diff(X.indptr))
            pos = np.bincount(cols[held & positive], minlength=n)
            neg = np.bincount(cols[held & ~positive], minlength=n)
            df = pos + neg
        else:
            df = np.bincount(cols[held], minlength=n)
        idf = np.log((1 + X.shape[0]) / (1 + df)) + 1  # TfidfTransformer's smooth idf
        self.scale_ = np.concatenate([idf, np.full(X.shape[1] - n, self.cue_weight)])
        if self.nb_alpha is not None and y is not None:
            self.scale_[:n] *= self._log_count_ratios(pos, neg, edges)
        return self

    def _log_count_ratios(self, pos, neg, edges) -> np.ndarray:
        """NB-SVM weighting (Wang and Manning 2012): each n-gram scaled by |log-count ratio|, how
        much likelier it is in one class than the other (document counts `pos` and `neg`,
        add-`nb_alpha` smoothing), divided by its block's mean so the blocks keep their balance.
        An n-gram no training post holds gets 0. Chosen by a grouped study with the same folds for
        every method: +0.003 F1 on EMSCAD and the SMS set, +0.006 on the corpus, over plain TF-IDF.

        N-grams below `min_ratio` of their block's mean also get 0, and `transform` drops them. They
        are about as common in both classes, so they are the commonest n-grams and carry almost
        no weight: at 0.2 they are a third of the character n-gram non-zeros of bench_train's
        posts, the SVM fits in 5.4 s instead of 9.0 s on 20,000 of them, and the fraud-class F1
        of every outer fold of bench_accuracy is unchanged on all three datasets (0.3 cost 0.0006
        on the corpus)."""
        ratio = np.zeros(edges[-1])
        for a, b in zip(edges, edges[1:]):
            seen = np.flatnonzero(pos[a:b] + neg[a:b]) + a
            p, q = pos[seen] + self.nb_alpha, neg[seen] + self.nb_alpha
            r = np.abs(np.log(p / p.sum()) - np.log(q / q.sum()))
            ratio[seen] = r / r.mean() if r.size and r.mean() > 0 else 1.0
        ratio[ratio < self.min_ratio] = 0.0
        return ratio

    def transform(self, X):
        X = sparse.csr_matrix(X)  # counts: no duplicates (see _counts)
        # Keep only the entries that are not zero (log 0 would poison the row) and not an n-gram
        # weighted 0 (see _log_count_ratios), so the SVM visits fewer. Reading the column scales
        # at random is the dearest step (about 1 s for the 46M entries of 40,000 posts).
        kept = np.flatnonzero((self.scale_ != 0).take(X.indices) & (X.data != 0))
        indptr = np.searchsorted(kept, X.indptr)  # entries kept before each row
        data, cols = X.data.take(kept).astype(np.float64, copy=False), X.indices.take(kept)
        # The block of each entry (== blocks: a cue column): one comparison per block edge took
        # 0.04-0.06 s on the 23M entries of 20,000 posts, np.searchsorted 0.26-0.47 s.
        blocks = len(self.blocks)
        block = sum((cols >= edge).view(np.int8) for edge in np.cumsum(self.blocks))
        # Whole-array operations, with the few cue entries put back afterwards: gathering and
        # scattering the n-gram entries through a boolean mask cost twice as much.
        cue = np.flatnonzero(block == blocks)
        raw = data[cue]
        with np.errstate(invalid="ignore"):  # cue values are not counts, and may be below 0
            np.log(data, out=data)
        data += 1.0  # sublinear tf
        data[cue] = raw
        data *= self.scale_.take(cols)
        # l2 norm of each row within each n-gram block; cue columns are left as scaled
        key = np.repeat(np.arange(X.shape[0]) * (blocks + 1), np.diff(indptr)) + block
        norms = np.sqrt(np.bincount(key, weights=data * data, minlength=X.shape[0] * (blocks + 1)))[key]
        norms[cue] = 1.0
        norms[norms == 0] = 1.0
        data /= norms
        return sparse.csr_matrix((data, cols, indptr), shape=X.shape)
