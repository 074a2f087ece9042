"""The calibrated classifier and the choice of its decision thresholds.

A class-balanced linear SVM and a logistic regression over the features, and a memory of the
training posts, are fitted on all the data; a logistic regression fitted on their *out-of-fold*
scores from grouped, stratified cross-validation stacks and calibrates them, so calibration and
thresholds never see a post the scorer was trained on. The features' counts are stateless and
computed once; each fold fits only the TF-IDF and log-count-ratio weights (features.BlockTfidf)
and the two linear models.
"""
from __future__ import annotations

import time

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_recall_curve
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC
from threadpoolctl import threadpool_limits

from recruit_detect.features import build_features
from recruit_detect.scorer import LinearScorer, neighbour_score, heaviest_words
from recruit_detect.types import Thresholds
from recruit_detect.workers import run_all


def build_pipeline(C: float = 2.0, seed: int = 0) -> Pipeline:
    """Squared-hinge linear SVM, C = 2 for every corpus. In a study on the outer folds of
    benchmarks/bench_accuracy.py it beat the logistic regression (C = 64) used before in 5/5, 4/5
    and 3/5 folds of EMSCAD, the Indonesian SMS set and the project corpus (+0.014, +0.010,
    +0.004 fraud-class F1), and an inner grouped search over C in (0.1, 0.5, 2) chose 2 in all 15
    outer folds."""
    return Pipeline([
        *build_features(),
        # tol 1e-3 instead of liblinear's 1e-4: the same F1 on every dataset of bench_accuracy,
        # and fits faster (76 instead of 103 iterations on a 16k-post fold of bench_train's set).
        ("linear", LinearSVC(C=C, class_weight="balanced", tol=1e-3, max_iter=20000, random_state=seed)),
    ])


# Cross-validation folds for calibration and thresholds. Three, not five: on bench_accuracy's outer
# folds (threshold.json) the threshold chosen from 3 inner folds gave test F1 0.829 / 0.963 / 0.970
# on EMSCAD / SMS / the corpus, from 5 inner folds 0.826 / 0.964 / 0.971; the test Brier scores
# were 0.0960 / 0.0187 / 0.0168 against 0.0953 / 0.0187 / 0.0166. bench_accuracy has always
# scored the tool with 3, and training fits four models instead of six.
FOLDS = 3
# From this many posts, 2 folds. A fold model then trains on half of at least 50,000 posts, and
# 2 folds fit two SVMs beside the final one where 3 fitted three. On bench_train's corpus
# (79,135 posts trained, 20,865 posts of unseen source groups held out), 2 folds against 3: test
# F1 0.8249 / 0.8236, Brier 0.0945 / 0.0944, log-loss 0.301 / 0.300, PR-AUC 0.907 both, and the
# fits took 38.2 s instead of 52.8 s. Smaller corpora keep 3: each post counts for more there.
LARGE_CORPUS = 50_000


def default_folds(posts: int) -> int:
    return 2 if posts >= LARGE_CORPUS else FOLDS


def count_features(analyses):
    """The stateless first step of the pipeline (hashed n-gram counts and cue features)."""
    return build_pipeline().steps[0][1].fit_transform(analyses)


def grouped_folds(y, groups, folds: int, seed: int):
    """Stratified folds that never split a group; fewer folds when a class is too small, and
    none (an empty list) when a class has fewer than two groups."""
    y, groups = np.asarray(y), np.asarray(groups)
    k = int(min(folds, *(len(set(groups[y == c])) for c in (0, 1))))
    if k < 2:
        return []
    return list(StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed).split(np.zeros(len(y)), y, groups))


# Beside the SVM, a logistic regression on the same weighted features. Both are linear in them,
# so the stacker's weighted sum of their scores is one linear model again, and scoring computes
# a single product (scorer.LinearScorer.from_model).
LOGISTIC_C = 32.0
# From this many posts no memory of training posts is kept (see `_fit`). Scoring against it
# costs more the more posts it holds (19 us a post for the shipped 3,102), and training compares
# every fold's posts with every other fold's; a large corpus teaches the linear models its
# families itself.
MEMORY_POSTS = 10_000


def _heads(head, counts, y, seed: int):
    """The TF-IDF weights, the SVM and the logistic regression fitted on `counts`; and the
    weighted counts, which both heads and the memory read."""
    weights, svm = (clone(step) for _, step in head.steps)
    X = weights.fit(counts, y).transform(counts)
    svm.fit(X, y)
    # liblinear's logistic regression takes its dot products from the BLAS, whose sums depend on
    # its thread count: joblib's workers run one thread, this process two, and their models
    # differed in the tenth digit. One thread everywhere gives every path the same model. The dual
    # problem, as there are more features than posts: on the corpus 0.16 s against the primal's
    # 0.5 s, and decisions correlated at 0.999999999.
    with threadpool_limits(1, user_api="blas"):
        logistic = LogisticRegression(C=LOGISTIC_C, class_weight="balanced", solver="liblinear", dual=True,
                                      random_state=seed).fit(X, y)
    return weights, svm, logistic, X


def _fit(head, counts, y, seed, memory, train=None, test=None):
    """The heads on every post (no `train`), or one fold's out-of-fold inputs of the stacker: the
    SVM's and the logistic regression's decisions and, with `memory`, the neighbour score of
    scorer.neighbour_score against the fold's training posts."""
    if train is None:
        weights, svm, logistic, X = _heads(head, counts, y, seed)
        return weights, svm, logistic, (heaviest_words(X, weights.blocks) if memory else None)
    weights, svm, logistic, X = _heads(head, counts[train], y[train], seed)
    Xt = weights.transform(counts[test])
    inputs = [svm.decision_function(Xt), logistic.decision_function(Xt)]
    if memory:
        blocks = weights.blocks
        inputs.append(neighbour_score(heaviest_words(Xt, blocks), heaviest_words(X, blocks), y[train] == 1))
    return test, np.column_stack(inputs)


class RiskModel(ClassifierMixin, BaseEstimator):
    """A linear SVM, a logistic regression and, below MEMORY_POSTS posts, a memory of the training
    posts (scorer.neighbour_score), stacked by a logistic regression fitted on their out-of-fold
    scores, which also calibrates them. `fit` records the out-of-fold calibrated probabilities in
    `oof_proba_` for threshold selection and reports.

    Studied on bench_accuracy's outer folds, fraud-class F1 at fold seeds 0 / 1 / 2 (a study
    script with lbfgs for the logistic regression; the shipped figures are in accuracy.json):
    - the SVM alone: EMSCAD 0.8275 / 0.8083 / 0.8079, SMS 0.9538 / 0.9528 / 0.9608, corpus
      0.9670 / 0.9697 / 0.9699;
    - stacked with a memory of whole word blocks: EMSCAD 0.8470 / 0.8322 / 0.8275, SMS 0.9596 /
      0.9576 / 0.9625, corpus 0.9688 / 0.9720 / 0.9714, PR-AUC up on all nine; of whole weighted
      rows (550 entries a corpus post against 88), 0.8368 / 0.9613 / 0.9675 at seed 0, and better
      on one of the nine (SMS at seed 0); without the logistic regression, lower on EMSCAD and
      SMS in 5 of 6;
    - with each post's 32 heaviest word n-grams (seeds 0 / 1; 16 and 48 were no better): EMSCAD
      0.8344 / 0.8245, SMS 0.9582 / 0.9546, corpus 0.9676 / 0.9724. Whole word blocks cost
      about 110 us a post to score against the 3,102 posts of the shipped memory (a near-dense
      product and a per-row partition), these 23 us (scorer.heaviest_words)."""

    def __init__(self, C: float = 2.0, folds: int = FOLDS, seed: int = 0, n_jobs: int = 1):
        self.C = C
        self.folds = folds
        self.seed = seed
        self.n_jobs = n_jobs

    def fit(self, X, y, groups=None, counts=None, ids=None):
        """`counts`, when given, is `count_features(X)`, already computed (training.analyze_all
        counts in its worker processes), and X is not needed. `ids`, the posts' ids, are kept
        with the memory so an explanation can name the training post a post resembles."""
        y = np.asarray(y, dtype=int)
        if set(np.unique(y)) != {0, 1}:
            raise ValueError("training needs both illegal and non-illegal posts")
        groups = np.arange(len(y)) if groups is None else np.asarray(groups)
        pipeline = build_pipeline(self.C, self.seed)
        clock = time.perf_counter()
        self.seconds_ = {}
        if counts is None:
            counts = pipeline.steps[0][1].fit_transform(X)  # stateless: once for every fold
            self.seconds_["counts"] = time.perf_counter() - clock
        else:
            pipeline.steps[0][1].fit([])  # stateless: fitting learns nothing
        counts = sparse.csr_matrix(counts)
        clock = time.perf_counter()
        head = Pipeline(pipeline.steps[1:])
        splits = grouped_folds(y, groups, self.folds, self.seed)
        self.cross_validated_ = bool(splits)
        memory = len(y) < MEMORY_POSTS
        # The final fit runs beside the fold fits (it is the longest, so it goes first), in worker
        # processes, not threads. Threads fitted bench_train's 100,000 posts 6-13% faster, but
        # liblinear draws from one random generator per process, so fits running side by side in
        # threads disturbed each other's draws and gave a different model on every run.
        common = (head, counts, y, self.seed, memory)
        final, *folds = run_all(_fit, [common] + [common + (tr, te) for tr, te in splits], self.n_jobs)
        weights, svm, self.logistic_, words = final
        self.pipeline_ = Pipeline(pipeline.steps[:1] + [("weights", weights), ("linear", svm)])
        # The memory as plain arrays, which the model file stores and scorer.py reads as data.
        self.memory_ = None if words is None else (words.data, words.indices.astype(np.int32),
                                                   words.indptr.astype(np.int64), y.astype(np.int8))
        self.memory_ids_ = None if words is None or ids is None else [str(i) for i in ids]
        if splits:
            oof = np.zeros((len(y), 2 + memory))
            for test, scores in folds:
                oof[test] = scores
        else:  # too small to cross-validate: calibrate in-sample (training.py warns loudly; each post
            # then also finds itself in the memory)
            X = weights.transform(counts)
            oof = np.column_stack([svm.decision_function(X), self.logistic_.decision_function(X)]
                                  + ([neighbour_score(heaviest_words(X, weights.blocks), words, y == 1)] if memory else []))
        self.seconds_["fits"] = time.perf_counter() - clock
        self.calibrator_ = LogisticRegression(C=1e4).fit(oof, y)
        self.oof_proba_ = self.calibrator_.predict_proba(oof)[:, 1]
        self.fold_ = np.zeros(len(y), dtype=int)
        for k, (_, test) in enumerate(splits):
            self.fold_[test] = k
        self.classes_ = np.array([0, 1])
        return self

    def decision_function(self, X):
        """The stacked, calibrated log-odds of the analyses X."""
        return LinearScorer.from_model(self).decision_function(X)

    def predict_proba(self, X):
        return LinearScorer.from_model(self).predict_proba(X)

    def predict(self, X):
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)


def f1_curve(y, scores):
    """(F1, precision, recall, threshold) at every distinct score, lowest threshold first."""
    precision, recall, cuts = precision_recall_curve(np.asarray(y), np.asarray(scores))
    precision, recall = precision[:-1], recall[:-1]
    return 2 * precision * recall / np.maximum(precision + recall, 1e-12), precision, recall, cuts


def choose_thresholds(y, proba, high_precision: float = 0.98, review_recall: float = 0.99) -> Thresholds:
    """From calibrated out-of-fold probabilities. The flag threshold is half the best F1 on
    them: for a calibrated classifier that is where F1 peaks (Lipton, Elkan and Naryanaswamy,
    2014), and the height of the F1 curve is a steadier estimate than the position of its
    maximum, which on a few hundred positives jumps between neighbouring posts. `high` is the
    lowest threshold whose precision reaches `high_precision` (act on it); `review` keeps
    `review_recall` of the illegal posts above it (look at it). Rounded for readable metadata."""
    f1, precision, recall, cuts = f1_curve(y, proba)
    illegal = float(f1.max()) / 2
    precise = np.flatnonzero(precision >= high_precision)
    high = float(cuts[precise[0]]) if len(precise) else illegal
    recalled = np.flatnonzero(recall >= review_recall)
    review = float(cuts[recalled[-1]]) if len(recalled) else illegal
    high = max(high, illegal)
    review = min(review, illegal)
    return Thresholds(round(illegal, 4), round(high, 4), round(review, 4))
