"""Which words of a post pushed its risk up or down, as spans of the original text.

The classifier is linear, so each hashed n-gram contributes tf-idf value x coefficient to the
decision score. Word n-grams are credited to the tokens they cover, character n-grams to the
characters they cover; a bucket seen several times in the post splits its contribution evenly.
"""
from __future__ import annotations

import re
from collections import defaultdict

import numpy as np

from recruit_detect.counts import char_buckets, word_buckets, word_spans
from recruit_detect.scorer import LinearScorer, heaviest_words, nearest, neighbour_means
from recruit_detect.types import Analysis

_WORD = re.compile(r"\S+")


def term_weights(scorer: LinearScorer, doc: Analysis, top: int = 5) -> list[tuple[int, int, float]]:
    """Up to `top` words for and `top` against, as (start, end, weight) in the original post,
    strongest first; weights are in the model's decision (log-odds) units."""
    coef = scorer.coef.ravel()
    row = scorer.weighted([doc])
    values = dict(zip(row.indices, row.data))
    text = doc.normalized.text
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
    credit: dict[tuple[int, int], float] = defaultdict(float)
    _, chars, starts, ends = char_buckets([text], scorer.char_ngrams, scorer.char_bits, spans=True)
    char_spans = list(zip(np.maximum(starts, 0).tolist(), np.minimum(ends, len(text)).tolist()))
    # (buckets, spans, first column) of the word block, then of the character block
    blocks = [(word_buckets([doc.tokens], scorer.word_bits)[1], word_spans(doc.tokens), 0),
              (chars, char_spans, scorer.blocks[0])]
    for buckets, spans, offset in blocks:
        occurrences: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for bucket, span in zip(buckets.tolist(), spans):
            occurrences[bucket].append(span)
        for bucket, spans in occurrences.items():
            j = offset + bucket
            if j in values:
                share = values[j] * coef[j] / len(spans)
                for span in spans:
                    credit[span] += share
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


def memory_evidence(scorer: LinearScorer, doc: Analysis) -> dict | None:
    """What the memory of training posts says of a post: the mean similarity of its most similar
    illegal and other training posts, what their difference adds to the decision (log-odds, as
    the term weights), and the most similar illegal training post (its id, when the model kept
    ids, and similarity); None for a model without a memory."""
    if scorer.memory is None:
        return None
    similarities = heaviest_words(scorer.weighted([doc]), scorer.blocks) @ scorer.memory.T
    other, illegal = neighbour_means(similarities, scorer.memory_illegal)[0]
    evidence = {"illegal": round(float(illegal), 3), "other": round(float(other), 3),
                "weight": round(scorer.neighbour_weight * float(illegal - other), 3)}
    row, similarity = nearest(similarities, scorer.memory_illegal)
    if row >= 0 and scorer.memory_ids is not None:
        evidence["nearest_illegal"] = {"id": scorer.memory_ids[row], "similarity": round(similarity, 3)}
    return evidence
