"""Which words of a post pushed its risk up or down, as spans of the original text.

The classifier is linear, so each hashed n-gram contributes tf-idf value x coefficient to the
decision score. Word n-grams are credited to the tokens they cover, character n-grams to the
word they sit in; a bucket seen several times in the post splits its contribution evenly.
"""
from __future__ import annotations

import re
from collections import defaultdict

import numpy as np
from sklearn.utils import murmurhash3_32

from recruit_detect.features import word_ngrams
from recruit_detect.types import Analysis

_WORD = re.compile(r"\S+")


def _bucket(feature: str, n_features: int) -> int:
    return abs(murmurhash3_32(feature, seed=0)) % n_features  # as sklearn's FeatureHasher


def _char_ngrams(word: str, lo: int, hi: int):
    padded = f" {word} "
    for n in range(lo, hi + 1):
        for i in range(len(padded) - n + 1):
            yield padded[i:i + n]


def term_weights(model, doc: Analysis, top: int = 5) -> list[tuple[int, int, float]]:
    """Up to `top` words for and `top` against, as (start, end, weight) in the original post,
    strongest first; weights are in the model's decision (log-odds) units."""
    pipeline = model.pipeline_
    union = pipeline.named_steps["features"]
    coef = pipeline.named_steps["linear"].coef_.ravel()
    row = union.transform([doc]).tocsr()
    values = dict(zip(row.indices, row.data))
    text = doc.normalized.text
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
    credit: dict[tuple[int, int], float] = defaultdict(float)
    offset = 0
    for name, part in union.transformer_list:
        if name == "cues":
            break
        hasher = part.named_steps["hash"]
        occurrences: dict[int, list[tuple[int, int]]] = defaultdict(list)
        if name == "words":
            tokens = doc.tokens
            grams = word_ngrams(doc)
            spans = [(s, s + len(t)) for t, s in tokens]
            spans += [(a[0], b[1]) for a, b in zip(spans, spans[1:])]
            for gram, span in zip(grams, spans):
                occurrences[_bucket(gram, hasher.n_features)].append(span)
        else:
            lo, hi = hasher.ngram_range
            for start, end, word in words:
                for gram in _char_ngrams(word, lo, hi):
                    occurrences[_bucket(gram, hasher.n_features)].append((start, end))
        for bucket, spans in occurrences.items():
            j = offset + bucket
            if j in values:
                share = values[j] * coef[j] / len(spans)
                for span in spans:
                    credit[span] += share
        offset += hasher.n_features
    # Merge n-gram credit onto whitespace words so a bigram and its words read as one term.
    per_word: dict[tuple[int, int], float] = defaultdict(float)
    for (a, b), weight in credit.items():
        for start, end, _ in words:
            if start < b and a < end:
                per_word[(start, end)] += weight * (min(b, end) - max(a, start)) / (b - a)
    ranked = sorted(per_word.items(), key=lambda kv: -abs(kv[1]))
    ups = [kv for kv in ranked if kv[1] > 0][:top]
    downs = [kv for kv in ranked if kv[1] < 0][:top]
    out = []
    for (a, b), weight in sorted(ups + downs, key=lambda kv: -abs(kv[1])):
        start, end = doc.normalized.original_span(a, b)
        out.append((start, end, float(np.round(weight, 3))))
    return out
