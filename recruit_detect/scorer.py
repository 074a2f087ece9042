"""The trained model's arithmetic in numpy and scipy alone: counts, TF-IDF weights, the stacked
linear decision, the neighbour score of the memory and the sigmoid.

Scoring needs nothing else from scikit-learn, and importing it (through skops, which imports
every scikit-learn estimator to build its list of known types) took 4 of the 5.7 s of a
one-post `check`, and as long again in each batch worker. The arrays come from the model file
(persist.read_model_data reads them without building any object) or from a fitted RiskModel; a
test checks that both give the RiskModel's probabilities exactly.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.special import expit

from recruit_detect.counts import BATCH, count


def weigh(X, scale: np.ndarray, blocks: tuple[int, ...]) -> sparse.csr_matrix:
    """Sublinear TF-IDF of counts `X`, scaled per column by `scale` and l2-normalized within each
    n-gram block (features.BlockTfidf.transform); the columns after the blocks (cue features) are
    only scaled."""
    X = sparse.csr_matrix(X)  # counts: no duplicates (see counts.count_pairs)
    # Keep only the entries that are not zero (log 0 would poison the row) and not an n-gram
    # weighted 0 (see BlockTfidf._log_count_ratios), so the SVM visits fewer. Reading the column
    # scales at random is the dearest step (about 1 s for the 46M entries of 40,000 posts).
    kept = np.flatnonzero((scale != 0).take(X.indices) & (X.data != 0))
    indptr = np.searchsorted(kept, X.indptr)  # entries kept before each row
    data, cols = X.data.take(kept).astype(np.float64, copy=False), X.indices.take(kept)
    del kept  # 8 bytes an entry, and training transforms in two processes at once
    # The block of each entry (== len(blocks): a cue column): one comparison per block edge took
    # 0.04-0.06 s on the 23M entries of 20,000 posts, np.searchsorted 0.26-0.47 s.
    block = sum((cols >= edge).view(np.int8) for edge in np.cumsum(blocks))
    # Whole-array operations, with the few cue entries put back afterwards: gathering and
    # scattering the n-gram entries through a boolean mask cost twice as much.
    cue = np.flatnonzero(block == len(blocks))
    raw = data[cue]
    with np.errstate(invalid="ignore"):  # cue values are not counts, and may be below 0
        np.log(data, out=data)
    data += 1.0  # sublinear tf
    data[cue] = raw
    data *= scale.take(cols)
    # l2 norm of each row within each n-gram block; cue columns are left as scaled
    key = np.repeat(np.arange(X.shape[0]) * (len(blocks) + 1), np.diff(indptr)) + block
    norms = np.sqrt(np.bincount(key, weights=data * data, minlength=X.shape[0] * (len(blocks) + 1)))[key]
    norms[cue] = 1.0
    norms[norms == 0] = 1.0
    data /= norms
    return sparse.csr_matrix((data, cols, indptr), shape=X.shape)


# How many of the most similar training posts of each class the neighbour score averages. 5 in
# the study of model.RiskModel; 1, 3 and 10 were within 0.012 F1 of it on every dataset (fold
# seeds 1 and 2, a memory of whole rows).
NEIGHBOURS = 5


# Each post takes part in the memory with its heaviest word n-grams alone, and so does each post
# scored against it. The n-grams most posts share carry the least weight; without them the
# product of a batch with the memory is sparse instead of nearly dense (the whole word block cost
# 110 us a post against the 3,102 posts of the shipped memory, these 23; model.RiskModel).
MEMORY_TERMS = 32


def _heaviest_first(groups: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The order that sorts entries by group (ascending) and, within a group, by value in [0, 1]
    (descending), ties in their given order. Values are compared at 2^-32 steps: the key is one
    integer, which a stable argsort orders 4.7-6.5x faster than np.lexsort orders the two keys, and
    the order within a group does not depend on its group number, so nor on the batching."""
    steps = np.floor((1.0 - np.clip(values, 0.0, 1.0)) * 4294967295.0).astype(np.uint64)
    return np.argsort((groups.astype(np.uint64) << np.uint64(32)) | steps, kind="stable")


def heaviest_words(X, blocks: tuple[int, ...]) -> sparse.csr_matrix:
    """The heaviest MEMORY_TERMS word n-grams of each row of weighted counts, scaled to unit
    length: what the memory holds of a post and compares it by. `weigh` leaves the block's rows
    at unit length, so each weight is at most 1; ties go to the lower column."""
    X = sparse.csr_matrix(X)[:, :blocks[0]]
    X.sum_duplicates()  # canonical: sorted columns, no repeats
    rows = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))
    order = _heaviest_first(rows, X.data)
    kept = np.sort(order[np.arange(len(order)) - X.indptr[rows[order]] < MEMORY_TERMS])
    data, cols, rows = X.data[kept], X.indices[kept], rows[kept]
    norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=X.shape[0]))
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=X.shape[0]))])
    return sparse.csr_matrix((data / norms[rows], cols, indptr), shape=X.shape)


def neighbour_score(words, memory, illegal: np.ndarray, k: int = NEIGHBOURS) -> np.ndarray:
    """How much nearer each post is to the illegal posts of `memory` than to the others: the mean
    cosine similarity of its `k` most similar illegal posts minus that of its `k` most similar
    other posts, on their heaviest word n-grams (`heaviest_words`). Recruiters repost one ad with a
    new number, a new town or a new fee; a linear model sees the new words, the memory the old ad."""
    means = neighbour_means(words @ memory.T, illegal, k)
    return means[:, 1] - means[:, 0]


def neighbour_means(similarities, illegal: np.ndarray, k: int = NEIGHBOURS) -> np.ndarray:
    """Per post, the mean similarity of its `k` most similar other posts and of its `k` most
    similar illegal posts (columns 0 and 1), from the sparse `similarities` (posts x memory,
    `heaviest_words @ memory.T`). The weights are never negative, so a memory post that shares no
    n-gram with a post is at similarity 0, below every shared one: the mean runs over the
    similarities the sparse product holds, the missing ones counting 0."""
    similarities = sparse.csr_matrix(similarities)
    n = similarities.shape[0]
    rows = np.repeat(np.arange(n), np.diff(similarities.indptr))
    group = 2 * rows + illegal[similarities.indices]  # (post, class of the memory post)
    order = _heaviest_first(group, similarities.data)
    group = group[order]
    starts = np.cumsum(np.bincount(group, minlength=2 * n)) - np.bincount(group, minlength=2 * n)
    top = np.arange(len(group)) - starts[group] < k  # each group's k highest
    # float even when no post shares an n-gram with the memory (bincount of nothing gives ints)
    sums = np.bincount(group[top], weights=similarities.data[order][top], minlength=2 * n).reshape(n, 2).astype(float)
    sizes = np.minimum(k, [np.count_nonzero(~illegal), np.count_nonzero(illegal)])
    return np.divide(sums, sizes, out=np.zeros_like(sums), where=sizes > 0)


def nearest(similarities, illegal: np.ndarray) -> tuple[int, float]:
    """The most similar illegal memory post of the one post of `similarities` (as for
    `neighbour_means`), and its similarity; (-1, 0.0) when no illegal post shares an n-gram with it."""
    similarities = similarities.toarray()[0] * illegal
    best = int(np.argmax(similarities))
    return (best, float(similarities[best])) if similarities[best] > 0 else (-1, 0.0)


_TYPES = ("RiskModel", "Pipeline", "FeatureUnion", "HashedWords", "HashedChars", "CueFeatures", "BlockTfidf",
          "LinearSVC", "LogisticRegression", "LogisticRegression")


def _stacked(svm_coef, svm_intercept, logistic_coef, logistic_intercept, stack_coef, stack_intercept):
    """(coef, intercept, neighbour weight) of the stack as one linear model plus the neighbour
    term: the stacker weighs the SVM's and the logistic regression's decisions, both linear in
    the same features, so their weighted sum is linear too."""
    a = np.asarray(stack_coef).ravel()
    coef = a[0] * svm_coef + a[1] * logistic_coef
    intercept = a[0] * svm_intercept + a[1] * logistic_intercept + stack_intercept
    return coef, intercept, (float(a[2]) if a.size > 2 else 0.0)


def _memory(arrays, word_bits: int):
    """The memory's (rows, illegal) from the model's (data, indices, indptr, labels), or Nones."""
    if arrays is None:
        return None, None
    data, indices, indptr, labels = arrays
    labels = np.asarray(labels)
    if len(indptr) != len(labels) + 1:
        raise ValueError("a memory whose rows and labels differ in number")
    return sparse.csr_matrix((data, indices, indptr), shape=(len(labels), 1 << word_bits)), labels == 1


def _ids(ids) -> tuple[str, ...] | None:
    return None if ids is None else tuple(str(i) for i in ids)


@dataclass(frozen=True, eq=False)
class LinearScorer:
    """A trained RiskModel as arrays: the hashing sizes and cue columns of its counts, the TF-IDF
    scales, the stack's linear part as one coefficient vector (`coef` 1 x features, as
    scikit-learn shapes it) in calibrated log-odds, and the memory of training posts with the
    weight of its neighbour score (none for a model trained without one)."""

    word_bits: int
    char_bits: int
    char_ngrams: tuple[int, int]
    cue_ids: tuple[str, ...]
    blocks: tuple[int, ...]
    scale: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    neighbour_weight: float
    memory: sparse.csr_matrix | None
    memory_illegal: np.ndarray | None
    memory_ids: tuple[str, ...] | None = None  # the training posts' ids, when the trainer gave them

    @classmethod
    def from_model(cls, model) -> "LinearScorer":
        """From a fitted model.RiskModel."""
        counts, weights, linear = (step for _, step in model.pipeline_.steps)
        parts = dict(counts.transformer_list)
        stack = _stacked(linear.coef_, linear.intercept_, model.logistic_.coef_, model.logistic_.intercept_,
                         model.calibrator_.coef_, model.calibrator_.intercept_)
        return cls(parts["words"].bits, parts["chars"].bits, tuple(parts["chars"].ngram_range),
                   tuple(parts["cues"].cue_ids_), tuple(weights.blocks), weights.scale_, *stack,
                   *_memory(model.memory_, parts["words"].bits), _ids(model.memory_ids_))

    @classmethod
    def from_data(cls, data: dict) -> "LinearScorer":
        """From persist.read_model_data's reading of a RiskModel; UnreadableModelData if the
        model is built differently."""
        from recruit_detect.persist import UnreadableModelData

        try:
            pipeline, logistic, calibrator = data["pipeline_"], data["logistic_"], data["calibrator_"]
            (_, counts), (_, weights), (_, linear) = pipeline["steps"]
            parts = {name: step for name, step in counts["transformer_list"]}
            types = (data, pipeline, counts, parts["words"], parts["chars"], parts["cues"], weights, linear, logistic,
                     calibrator)
            if tuple(d["__type__"].rsplit(".", 1)[1] for d in types) != _TYPES:
                raise UnreadableModelData("a model built from other steps")
            stack = _stacked(linear["coef_"], linear["intercept_"], logistic["coef_"], logistic["intercept_"],
                             calibrator["coef_"], calibrator["intercept_"])
            return cls(parts["words"]["bits"], parts["chars"]["bits"], tuple(parts["chars"]["ngram_range"]),
                       tuple(parts["cues"]["cue_ids_"]), tuple(weights["blocks"]), weights["scale_"], *stack,
                       *_memory(data["memory_"], parts["words"]["bits"]), _ids(data["memory_ids_"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise UnreadableModelData(f"a model without {exc}") from None

    def weighted(self, analyses) -> sparse.csr_matrix:
        """The linear models' input: the TF-IDF weighted counts of `analyses`."""
        counts = count(analyses, self.word_bits, self.char_bits, self.char_ngrams, self.cue_ids)
        return weigh(counts, self.scale, self.blocks)

    def _decision(self, X) -> np.ndarray:
        z = (X @ self.coef.T + self.intercept).ravel()
        if self.memory is not None:
            z += self.neighbour_weight * neighbour_score(heaviest_words(X, self.blocks), self.memory, self.memory_illegal)
        return z

    def decision_function(self, analyses) -> np.ndarray:
        """The calibrated log-odds, `counts.BATCH` posts at a time (each row's arithmetic is its
        own, so the values do not depend on the batching)."""
        parts = [self._decision(self.weighted(analyses[i:i + BATCH])) for i in range(0, len(analyses), BATCH)]
        return np.concatenate(parts) if parts else np.zeros(0)

    def predict_proba(self, analyses) -> np.ndarray:
        """Calibrated (not illegal, illegal) probabilities, one row per analysis."""
        p = expit(self.decision_function(analyses))
        return np.column_stack([1 - p, p])
