"""Learned highlights: a token tagger trained on the corpus's annotated cue spans.

The cue files find what their phrases and patterns spell out; annotators also mark what no rule
spells ("ada kenalan di dalam kantor imigrasi", a recruiter's first name, a job order's details).
The tagger reads each token with its neighbours, its shape and the rule hits around it, and
names the cue it belongs to (or none); runs of tokens with the same cue become highlights beside
the rules' own. A rule hit always wins: a learned span that overlaps a rule hit of its cue is
dropped, and so is one that overlaps a hit the rules negated ("tanpa biaya").

Features are hashed to 64-bit keys (kind << 32 | crc32), so the model stores only the keys it
kept and their weights, and scoring is numpy lookups, not a vocabulary of strings. The tagger is
one-vs-rest logistic regression (scikit-learn's SGDClassifier at training time; scoring repeats
its arithmetic here, so loading the model needs no scikit-learn).
"""
from __future__ import annotations

import zlib
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import chain

import numpy as np
from scipy import sparse
from scipy.special import expit

from recruit_detect.types import CueHit

OUTSIDE = "O"
WINDOW = 3  # neighbouring tokens read on each side
NEAR = 25  # characters: a rule hit this close before or after a token is a feature of it
THRESHOLD = 0.5  # a highlight needs a token whose cue's probability reaches this
# and then takes in the neighbouring tokens of that cue down to this: on the held-out authors the
# highlights covered 0.370 of the annotated characters instead of 0.355, at precision 0.766 against 0.770
EXTEND = 0.3
MIN_COUNT = 3  # features seen fewer times in training are dropped (size, and noise)
PRUNE = 0.3  # and so are those whose weights all stay below this in size
# 12 passes, not 30: fitted on a1-a15, the held-out authors' highlights were found as well (recall 0.636
# against 0.629, precision 0.726 against 0.730) and the fit took 19 s instead of 47.
EPOCHS = 12
# Posts tagged at once (their arrays are tokens x features): on 1,078 flagged bench posts of 62
# tokens on average, 256 at a time took 124-127 us a post, 64 154, 16 165, 512 144, 1024 125.
BATCH = 256
MIN_POSTS = 50  # posts with annotated spans needed to learn highlights at all
# A cue whose learned highlights were right less often than this, out of fold, is left to the rules.
MIN_PRECISION = 0.5

# Feature kinds: the high 32 bits of a key.
_BIAS, _SHAPE, _PREFIX, _SUFFIX, _LINE, _BIGRAM_LEFT, _BIGRAM_RIGHT, _HIT, _BEFORE, _AFTER = range(10)
_WORD = 16  # + offset from the token, -WINDOW..WINDOW
_MASK = 0xFFFFFFFF
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing of keys into the lookup table
# 262,144 slots: for the 44,000 keys of the first shipped tagger, 3,640 shared a slot, and a lookup
# took 21 ns (2^17 slots: 27 ns, 2^19-2^20: 20-21)
_TABLE_BITS = 18


def _wordy(text: str) -> bool:
    """A highlight of punctuation alone ("/", "+") says nothing: on the held-out authors, dropping
    such learned spans kept recall 0.636 -> 0.633 and raised precision 0.726 -> 0.730 (48 fewer).
    Bridging one unsure token between two runs of a cue lost precision (0.719) and gained no recall."""
    return any(ch.isalnum() for ch in text)


def _crc(text: str) -> int:
    return zlib.crc32(text.encode("utf-8", "surrogatepass"))


def _shape(token: str) -> str:
    if token.isdigit():
        return "9" if len(token) < 3 else "999"
    if any(c.isdigit() for c in token):
        return "a9"
    if token.isupper() and len(token) > 1:
        return "AA"
    if token[:1].isupper():
        return "Aa"
    if token.isalpha():
        return "a"
    return token if len(token) == 1 else "."


@lru_cache(maxsize=1 << 16)
def _token_keys(token: str) -> tuple[int, int, int, int]:
    """crc32 of the lower-cased token, its 3-letter prefix and suffix, and its shape."""
    low = token.lower()
    return _crc(low), _crc(low[:3]), _crc(low[-3:]), _crc(_shape(token))


def token_spans(analysis) -> tuple[list[int], list[int]]:
    """Original start and end offsets of the analysis's tokens."""
    starts, ends = analysis.normalized.starts, analysis.normalized.ends
    return [starts[s] for _, s in analysis.tokens], [ends[s + len(t) - 1] for t, s in analysis.tokens]


@dataclass(frozen=True)
class Batch:
    """The features of a batch of posts, their tokens laid end to end: `keys` is tokens x fixed
    features; the rule-hit features, a varying number per token, are (`at` token, `extra` key)
    pairs; post k's tokens are `bounds[k]:bounds[k + 1]`."""

    keys: np.ndarray
    at: np.ndarray
    extra: np.ndarray
    bounds: list[int]
    starts: list[int]
    ends: list[int]


def features(analyses) -> Batch:
    """Every token's feature keys: its word, shape, prefix and suffix, the words up to WINDOW
    either side and the two bigrams, whether it starts a line, and the rule hits on it or NEAR it."""
    hashed, starts, ends, line, bounds, at, extra = [], [], [], [], [0], [], []
    for analysis in analyses:
        first, last = token_spans(analysis)
        offset = bounds[-1]
        post = analysis.post
        hashed += map(_token_keys, [t for t, _ in analysis.tokens])
        # A token starts a line when it is the first or the first after a line break.
        line += [False] * len(first)
        if first:
            line[offset] = True
        at_break = post.find("\n")
        while at_break >= 0:
            k = bisect_left(first, at_break)
            if k < len(first):
                line[offset + k] = True
            at_break = post.find("\n", at_break + 1)
        for hit in analysis.cues:
            name = _crc(hit.cue + ("!" if hit.negated else ""))
            inside = (bisect_right(last, hit.start), bisect_left(first, hit.end))
            before = (bisect_left(first, hit.end), bisect_right(first, hit.end + NEAR))  # tokens after the hit
            after = (bisect_left(last, hit.start - NEAR), bisect_right(last, hit.start))  # tokens before it
            for kind, (a, b) in ((_HIT, inside), (_BEFORE, before), (_AFTER, after)):
                if a < b:
                    at.append((offset + a, offset + b))
                    extra.append(kind << 32 | name)
        starts += first
        ends += last
        bounds.append(offset + len(first))
    n = bounds[-1]
    hashed = np.fromiter(chain.from_iterable(hashed), dtype=np.uint64, count=4 * n).reshape(n, 4)
    word = hashed[:, 0]
    # Each post's neighbours come from the post alone: outside it, the padding word.
    pad = np.uint64(_crc("<>"))
    position = np.arange(n) - np.repeat(np.array(bounds[:-1]), np.diff(bounds))
    length = np.repeat(np.diff(bounds), np.diff(bounds))
    padded = np.concatenate([np.full(WINDOW, pad), word, np.full(WINDOW, pad)])

    def neighbour(d: int) -> np.ndarray:
        inside = (position + d >= 0) & (position + d < length)
        return np.where(inside, padded[WINDOW + d:WINDOW + d + n], pad)

    columns = [np.full(n, np.uint64(_BIAS << 32)),
               np.uint64(_SHAPE << 32) | hashed[:, 3],
               np.uint64(_PREFIX << 32) | hashed[:, 1],
               np.uint64(_SUFFIX << 32) | hashed[:, 2],
               np.where(np.array(line, dtype=bool), np.uint64(_LINE << 32), np.uint64(_LINE << 32 | 1))]
    neighbours = {d: neighbour(d) for d in range(-WINDOW, WINDOW + 1) if d}
    columns += [np.uint64((_WORD + d + WINDOW) << 32) | (neighbours[d] if d else word)
                for d in range(-WINDOW, WINDOW + 1)]
    mix = np.uint64(1000003)
    columns.append(np.uint64(_BIGRAM_LEFT << 32) | ((neighbours[-1] * mix) ^ word) & np.uint64(_MASK))
    columns.append(np.uint64(_BIGRAM_RIGHT << 32) | ((word * mix) ^ neighbours[1]) & np.uint64(_MASK))
    keys = np.stack(columns, axis=1) if n else np.zeros((0, len(columns)), dtype=np.uint64)
    spans = np.array(at, dtype=np.int64).reshape(-1, 2)
    widths = spans[:, 1] - spans[:, 0]
    tokens = np.repeat(spans[:, 0] - np.cumsum(widths) + widths, widths) + np.arange(int(widths.sum()))
    return Batch(keys, tokens, np.repeat(np.array(extra, dtype=np.uint64), widths), bounds, starts, ends)


def token_labels(analysis, spans) -> list[str]:
    """Each token's cue: the shortest annotated span that overlaps it, else OUTSIDE."""
    labels = []
    for s, e in zip(*token_spans(analysis)):
        covering = [(b - a, cue) for cue, a, b in spans if a < e and s < b]
        labels.append(min(covering)[1] if covering else OUTSIDE)
    return labels


class SpanTagger:
    """Fitted weights: `keys_` (sorted feature keys), `weights_` (keys x classes, and a last row
    of zeros for keys the model does not have), `intercept_` and `classes_` (cue ids and OUTSIDE);
    `off_`, the cues it does not highlight (see `learn`)."""

    def __init__(self, threshold: float = THRESHOLD, seed: int = 0):
        self.threshold = threshold
        self.seed = seed
        self.off_: list[str] = []

    @classmethod
    def from_data(cls, data: dict) -> "SpanTagger":
        """From persist.read_model_data's reading of a saved tagger: its attributes, checked."""
        tagger = cls(float(data["threshold"]), int(data["seed"]))
        tagger.classes_ = [str(c) for c in data["classes_"]]
        tagger.off_ = [str(c) for c in data["off_"]]
        tagger.keys_ = np.asarray(data["keys_"], dtype=np.uint64)
        tagger.weights_ = np.asarray(data["weights_"])
        tagger.intercept_ = np.asarray(data["intercept_"], dtype=np.float32)
        if tagger.weights_.shape != (len(tagger.keys_) + 1, len(tagger.classes_)) or OUTSIDE not in tagger.classes_:
            raise ValueError("span tagger arrays of mismatched shapes")
        return tagger

    def fit(self, analyses, spans) -> "SpanTagger":
        """Learn from `analyses` and the annotated un-negated spans of each (cue, start, end)."""
        from sklearn.linear_model import SGDClassifier

        batch = features(analyses)
        n, width = batch.keys.shape
        rows = np.concatenate([np.repeat(np.arange(n), width), batch.at])
        keys = np.concatenate([batch.keys.ravel(), batch.extra])
        labels = np.array([label for a, s in zip(analyses, spans) for label in token_labels(a, s)])
        unique, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
        kept = counts >= MIN_COUNT
        column = (np.cumsum(kept) - 1)[inverse]
        use = kept[inverse]
        X = sparse.csr_matrix((np.ones(int(use.sum()), dtype=np.float32), (rows[use], column[use])),
                              shape=(n, int(kept.sum())))
        X.sum_duplicates()
        X.data[:] = 1.0  # a feature present twice (two hits of one cue) is still present once
        clf = SGDClassifier(loss="log_loss", alpha=1e-5, max_iter=EPOCHS, tol=None, random_state=self.seed).fit(X, labels)
        self.classes_ = [str(c) for c in clf.classes_]
        coef, intercept = clf.coef_, clf.intercept_
        if len(self.classes_) == 2:  # one cue: a single decision, as two columns whose sigmoids sum to one
            coef, intercept = np.vstack([-coef, coef]), np.concatenate([-intercept, intercept])
        strong = np.abs(coef).max(axis=0) >= PRUNE
        self.keys_ = unique[kept][strong]
        # float16 halves the file; the held-out highlights were the same as with float32
        self.weights_ = np.vstack([coef.T[strong], np.zeros((1, len(self.classes_)))]).astype(np.float16)
        self.intercept_ = intercept.astype(np.float32)
        return self

    def _cache(self) -> dict:
        """What scoring derives from the fitted arrays, built once: the weights as float32 (numpy
        sums float16 several times slower), and a hash table from feature key to weight row."""
        cache = self.__dict__.get("_derived")
        if cache is None or cache["keys"] is not self.keys_:
            keys = self.keys_
            slot = (keys * _GOLDEN) >> np.uint64(64 - _TABLE_BITS)
            # A slot holds its first key's row; the keys that found it taken go to a short sorted
            # list, searched only for the keys the table did not find.
            order = np.argsort(slot, kind="stable")
            first = np.ones(len(keys), dtype=bool)
            first[1:] = slot[order][1:] != slot[order][:-1]
            table = np.full(1 << _TABLE_BITS, len(keys), dtype=np.int64)
            table[slot[order][first]] = order[first]
            overflow = np.sort(order[~first])  # keys_ is sorted, so these rows are sorted by key
            cache = self.__dict__["_derived"] = {"keys": keys, "weights": self.weights_.astype(np.float32),
                                                 "table": table, "overflow": overflow, "overflow_keys": keys[overflow]}
        return cache

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "_derived"}  # a cache, not the model

    def _rows(self, keys: np.ndarray) -> np.ndarray:
        """The weight row of each key; the last row (zeros) for keys the model does not have.
        A hash table, not a binary search of keys_: 21 against 64 ns a key."""
        cache, missing = self._cache(), len(self.keys_)
        rows = cache["table"][(keys * _GOLDEN) >> np.uint64(64 - _TABLE_BITS)]
        rows[self.keys_.take(rows, mode="clip") != keys] = missing  # clip: the "missing" row itself
        if len(cache["overflow"]):
            unseen = np.flatnonzero(rows == missing)
            where = np.searchsorted(cache["overflow_keys"], keys[unseen]).clip(max=len(cache["overflow"]) - 1)
            found = cache["overflow_keys"][where] == keys[unseen]
            rows[unseen[found]] = cache["overflow"][where[found]]
        return rows

    def probabilities(self, batch: Batch) -> np.ndarray:
        """tokens x classes: one-vs-rest sigmoids, normalized to sum to one (as scikit-learn's
        SGDClassifier.predict_proba). The sums are sparse products (13 us a post against 61 for
        gathering the rows and summing them)."""
        n, width = batch.keys.shape
        weights = self._cache()["weights"]
        shape = (n, len(weights))
        fixed = sparse.csr_matrix((np.ones(n * width, dtype=np.float32), self._rows(batch.keys.ravel()),
                                   np.arange(0, n * width + 1, width)), shape=shape)
        scores = fixed @ weights
        if len(batch.at):  # the rule-hit features: a few per token
            extra = sparse.csr_matrix((np.ones(len(batch.at), dtype=np.float32), (batch.at, self._rows(batch.extra))),
                                      shape=shape)
            scores += extra @ weights
        scores += self.intercept_
        p = expit(scores)
        return p / p.sum(axis=1, keepdims=True)

    def spans(self, analyses) -> list[list[tuple[str, int, int, float]]]:
        """For each analysis, (cue, start, end, probability) of its learned highlights: runs of
        tokens whose likeliest cue is the same, with at least EXTEND, one of them with at least the
        threshold (the probability given is the run's highest); none of punctuation alone, and none
        that a rule hit of its cue overlaps (the rule's hit is shown instead)."""
        return [[run[:4] for run in found] for found in self.runs(analyses)]

    def runs(self, analyses) -> list[list[tuple[str, int, int, float, int, int]]]:
        """`spans`, each with the first and last index of its tokens."""
        return [found for k in range(0, len(analyses), BATCH) for found in self._runs(analyses[k:k + BATCH])]

    def _runs(self, analyses) -> list[list[tuple[str, int, int, float, int, int]]]:
        batch = features(analyses)
        p = self.probabilities(batch)
        best = p.argmax(axis=1)
        prob = p[np.arange(len(best)), best]
        silent = [self.classes_.index(c) for c in [OUTSIDE, *self.off_] if c in self.classes_]
        likely = ((prob >= EXTEND) & ~np.isin(best, silent)).tolist()
        best, prob = best.tolist(), prob.tolist()
        out = []
        for k, analysis in enumerate(analyses):
            runs = []  # [class, first token, last token, highest probability]
            for t in range(batch.bounds[k], batch.bounds[k + 1]):
                if not likely[t]:
                    continue
                if runs and runs[-1][0] == best[t] and runs[-1][2] == t - 1:
                    runs[-1][2], runs[-1][3] = t, max(runs[-1][3], prob[t])
                else:
                    runs.append([best[t], t, t, prob[t]])
            # Hysteresis: a run is kept when one of its tokens reached the threshold, and then
            # extends over its neighbours that only reached EXTEND.
            runs = [r for r in runs if r[3] >= self.threshold]
            taken = [(h.cue, h.start, h.end) for h in analysis.cues]
            found = []
            for c, a, b, q in runs:
                cue, start, end = self.classes_[c], batch.starts[a], batch.ends[b]
                if not any(t == cue and x < end and start < y for t, x, y in taken) and _wordy(analysis.post[start:end]):
                    offset = batch.bounds[k]
                    found.append((cue, start, end, q, a - offset, b - offset))
            out.append(found)
        return out


def highlights(tagger: SpanTagger, analyses, cues) -> list[tuple[CueHit, ...]]:
    """The tagger's spans of each analysis as cue hits (source "model") of the cue set `cues`,
    judged as the rules judge their own (Cue.hit): a highlight that its cue's suppressors cancel,
    or a risk highlight that the post denies ("kami tidak menahan paspor"), is dropped, and a risk
    highlight inside a news or warning frame is marked reported."""
    from recruit_detect.cues import mark_reported
    from recruit_detect.negation import first_words

    out = []
    for analysis, found in zip(analyses, tagger.runs(analyses)):
        hits, negators = [], None
        for cue_id, start, end, probability, first, last in found:
            cue = cues.get(cue_id)
            if negators is None:
                negators = cues.negators(analysis.normalized.text, analysis.tokens)
            # Judged on the run's tokens in the normalized text, where negation and context are
            # read, and with the negator just before it if there is one: a cue's phrase may begin
            # with one ("tanpa pengalaman", "tidak perlu ijazah"), and the rules judge it whole.
            if first and analysis.tokens[first - 1][0] in first_words():
                first -= 1
            a, b = analysis.tokens[first], analysis.tokens[last]
            hit = cue.hit(analysis.normalized, a[1], b[1] + len(b[0]), negators)
            if not hit.negated:
                hits.append(replace(hit, start=start, end=end, source="model", probability=probability))
        frames = [h for h in (*analysis.cues, *hits) if h.polarity == "not_ad" and not h.negated]
        if hits and frames:
            hits = mark_reported(analysis.normalized, hits, frames)
        out.append(tuple(hits))
    return out


def _fit_part(analyses, spans, seed, train=None, test=None):
    """The tagger fitted on every post (no `train`), or one fold's learned spans on its test posts."""
    if train is None:
        return SpanTagger(seed=seed).fit(analyses, spans)
    tagger = SpanTagger(seed=seed).fit([analyses[i] for i in train], [spans[i] for i in train])
    return test, [[hit[:3] for hit in found] for found in tagger.spans([analyses[i] for i in test])]


def learn(analyses, spans, y, groups, seed: int = 0, jobs: int = 1, folds: int = 3):
    """(tagger, metrics) from the posts with annotated spans, or (None, None) when fewer than
    MIN_POSTS have them or their groups cannot be split into folds. Grouped, stratified folds give
    every annotated post highlights from a tagger that never saw it; the cues whose learned
    highlights were right less than MIN_PRECISION of the time there are switched off (`off_`), and
    the metrics compare the annotation with the rules' highlights alone and with the learned ones
    added. The switch is chosen on the same folds, so those figures lean optimistic;
    benchmarks/bench_cue_spans.py measures the tagger on authors it never saw."""
    from recruit_detect.cue_spans import agreement, engine_spans
    from recruit_detect.model import grouped_folds
    from recruit_detect.workers import run_all

    annotated = [i for i, s in enumerate(spans) if s]
    if len(annotated) < MIN_POSTS:
        return None, None
    analyses, spans = [analyses[i] for i in annotated], [spans[i] for i in annotated]
    splits = grouped_folds(np.asarray(y)[annotated], np.asarray(groups)[annotated], folds, seed)
    if not splits:
        return None, None
    final, *parts = run_all(_fit_part, [(analyses, spans, seed)] + [(analyses, spans, seed, tr, te) for tr, te in splits],
                            jobs)
    learned = [()] * len(analyses)
    for test, found in parts:
        for i, hits in zip(test, found):
            learned[i] = tuple(hits)
    by_cue = agreement(spans, learned)["by_cue"]
    final.off_ = sorted(c for c, v in by_cue.items() if v["hits"] and v["precision"] < MIN_PRECISION)
    learned = [tuple(h for h in hits if h[0] not in final.off_) for hits in learned]
    rules = [engine_spans(a) for a in analyses]
    metrics = {"posts": len(analyses), "folds": len(splits), "threshold": final.threshold,
               "rules": agreement(spans, rules)["overall"],
               "rules_and_model": agreement(spans, [r + m for r, m in zip(rules, learned)])["overall"],
               "model_only": agreement(spans, learned)["overall"], "cues_off": final.off_}
    return final, metrics
