"""The trained model's arithmetic in numpy and scipy alone: counts, TF-IDF weights, the SVM's
decision and the Platt sigmoid.

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


_TYPES = ("RiskModel", "Pipeline", "FeatureUnion", "HashedWords", "HashedChars", "CueFeatures", "BlockTfidf",
          "LinearSVC", "LogisticRegression")


@dataclass(frozen=True, eq=False)
class LinearScorer:
    """A trained RiskModel as arrays: the hashing sizes and cue columns of its counts, the TF-IDF
    scales, the SVM's coefficients and the calibrator's. Arrays keep scikit-learn's shapes
    (`coef` 1 x features, `platt_coef` 1 x 1), so the products are the ones it computes."""

    word_bits: int
    char_bits: int
    char_ngrams: tuple[int, int]
    cue_ids: tuple[str, ...]
    blocks: tuple[int, ...]
    scale: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    platt_coef: np.ndarray
    platt_intercept: np.ndarray

    @classmethod
    def from_model(cls, model) -> "LinearScorer":
        """From a fitted model.RiskModel."""
        counts, weights, linear = (step for _, step in model.pipeline_.steps)
        parts = dict(counts.transformer_list)
        return cls(parts["words"].bits, parts["chars"].bits, tuple(parts["chars"].ngram_range),
                   tuple(parts["cues"].cue_ids_), tuple(weights.blocks), weights.scale_, linear.coef_,
                   linear.intercept_, model.calibrator_.coef_, model.calibrator_.intercept_)

    @classmethod
    def from_data(cls, data: dict) -> "LinearScorer":
        """From persist.read_model_data's reading of a RiskModel; UnreadableModelData if the
        model is built differently."""
        from recruit_detect.persist import UnreadableModelData

        try:
            pipeline, calibrator = data["pipeline_"], data["calibrator_"]
            (_, counts), (_, weights), (_, linear) = pipeline["steps"]
            parts = {name: step for name, step in counts["transformer_list"]}
            types = (data, pipeline, counts, parts["words"], parts["chars"], parts["cues"], weights, linear, calibrator)
            if tuple(d["__type__"].rsplit(".", 1)[1] for d in types) != _TYPES:
                raise UnreadableModelData("a model built from other steps")
            return cls(parts["words"]["bits"], parts["chars"]["bits"], tuple(parts["chars"]["ngram_range"]),
                       tuple(parts["cues"]["cue_ids_"]), tuple(weights["blocks"]), weights["scale_"], linear["coef_"],
                       linear["intercept_"], calibrator["coef_"], calibrator["intercept_"])
        except (KeyError, TypeError, ValueError) as exc:
            raise UnreadableModelData(f"a model without {exc}") from None

    def weighted(self, analyses) -> sparse.csr_matrix:
        """The SVM's input: the TF-IDF weighted counts of `analyses`."""
        counts = count(analyses, self.word_bits, self.char_bits, self.char_ngrams, self.cue_ids)
        return weigh(counts, self.scale, self.blocks)

    def decision_function(self, analyses) -> np.ndarray:
        """The SVM's decision, `counts.BATCH` posts at a time (each row's arithmetic is its own,
        so the values do not depend on the batching)."""
        parts = [(self.weighted(analyses[i:i + BATCH]) @ self.coef.T + self.intercept).ravel()
                 for i in range(0, len(analyses), BATCH)]
        return np.concatenate(parts) if parts else np.zeros(0)

    def predict_proba(self, analyses) -> np.ndarray:
        """Calibrated (not illegal, illegal) probabilities, one row per analysis."""
        p = expit((self.decision_function(analyses).reshape(-1, 1) @ self.platt_coef.T + self.platt_intercept).ravel())
        return np.column_stack([1 - p, p])
