"""The stateless counts behind the classifier's features: hashed word n-grams, hashed character
n-grams and cue features of analysed posts, in plain numpy and scipy.

Kept apart from features.py, the scikit-learn steps that wrap them, so that training's worker
processes analyse and count posts without importing scikit-learn (3 s in each worker, while the
parent waits).
"""
from __future__ import annotations

import math
import re
import zlib
from itertools import pairwise

import numpy as np
from scipy import sparse

from recruit_detect.cues import default_cues
from recruit_detect.detector import analyze
from recruit_detect.entities import money_entities
from recruit_detect.normalize import OBFUSCATION_KINDS
from recruit_detect.tokens import PHONE

# The default feature sizes (features.build_features): 2**18 word and 2**19 character buckets.
WORD_BITS, CHAR_BITS, CHAR_NGRAMS = 18, 19, (2, 5)

# Posts counted at a time. A batch's code-point, hash and key arrays then stay in the CPU's
# cache: on bench_score's posts the model stage took 0.084 ms a post in batches of 100-128
# against 0.113-0.120 ms in the batch runner's chunks of 250, and counting alone 0.069 ms at
# 128 against 0.080 ms at training's former 500.
BATCH = 128
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
    """CRC-32 of a token; numbers hash as a length-bucketed shape, so "15" and "25" share one, and
    every phone number (one token, see tokens.PHONE) as one shape."""
    if len(_HASHES) >= _MAX_CACHED:
        _HASHES.clear()
    if PHONE.fullmatch(token):
        shape = "<phone>"
    elif _NUMBER.match(token):
        shape = f"<num{min(len(token), 7)}>"
    else:
        shape = token
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


def count_pairs(rows: np.ndarray, cols: np.ndarray, n_rows: int, bits: int) -> sparse.csr_matrix:
    """Count (row, col) pairs into a CSR matrix. Sorted packed keys order the rows and the columns
    and bring duplicates together: about half the time of scipy's COO conversion. The keys are
    32-bit when they fit (a scoring or training batch: 8,192 posts at 19 bits): sorted whole, a
    batch of 250 posts took 8.3 ms against 14.4 ms with 64-bit keys."""
    key = np.uint32 if bits < 32 and n_rows <= 1 << (32 - bits) else np.int64
    keys = (rows.astype(key) << key(bits)) | cols.astype(key)
    if n_rows <= 1 << 16:
        # Sorted row by row: a stable argsort of 8- or 16-bit row numbers (a radix sort) groups
        # them, then each row's keys sort apart. np.sort costs 6-8 ns a key on a post's 1,000-2,000
        # keys but 23 ns on a batch's 150,000: char n-grams 28.5 -> 12.4 us a bench post.
        keys = keys[np.argsort(rows.astype(np.uint8 if n_rows <= 1 << 8 else np.uint16), kind="stable")]
        start = 0
        for end in np.cumsum(np.bincount(rows, minlength=n_rows)).tolist():
            keys[start:end].sort()
            start = end
    else:
        keys.sort()
    first = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]])) if len(keys) else np.zeros(0, np.int64)
    counts = np.diff(np.append(first, len(keys))).astype(np.float32)
    unique = keys[first]
    indptr = np.searchsorted(unique >> key(bits), np.arange(n_rows + 1, dtype=key))
    matrix = sparse.csr_matrix((counts, (unique & key((1 << bits) - 1)).astype(np.int64), indptr),
                               shape=(n_rows, 1 << bits))
    matrix.has_sorted_indices = True
    return matrix


def cue_names(cue_ids: tuple[str, ...]) -> tuple[str, ...]:
    return cue_ids + (
        "risk_hard", "risk_medium", "risk_weak", "risk_distinct", "risk_reported", "legit_count", "not_ad_count",
        "risk_without_frame", "risk_without_legit", "fee_amount", "pay_per_month_log", "obfuscation_total",
    ) + tuple(f"obf_{k}" for k in OBFUSCATION_KINDS)


def cue_counts(analyses, cue_ids: tuple[str, ...]) -> sparse.csr_matrix:
    """One column per cue (strongest active hit), reported-risk and polarity counts, obfuscation
    counts and money facts (see `cue_names`). Interactions the linear model cannot form alone are
    spelled out. Rows are filled as Python lists and become an array once: item access on numpy
    rows made this 9.4 us a bench_score post, now 5.7."""
    index = {c: i for i, c in enumerate(cue_ids)}
    n = len(cue_ids)
    width = len(cue_names(cue_ids))
    severity = {"hard": n, "medium": n + 1, "weak": n + 2}
    obfuscation = {kind: n + 12 + k for k, kind in enumerate(OBFUSCATION_KINDS)}
    table = []
    for doc in analyses:
        row = [0.0] * width
        distinct = set()
        for hit in doc.cues:
            i = index.get(hit.cue)
            if hit.negated or i is None:
                continue
            if hit.polarity == "risk" and hit.reported:
                row[n + 4] += 1
                continue
            if hit.score > row[i]:
                row[i] = hit.score
            if hit.polarity == "risk":
                row[severity[hit.severity]] += 1
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
        for kind, times in obf.items():
            if kind in obfuscation:
                row[obfuscation[kind]] = math.log1p(times)
        table.append(row)
    rows = np.array(table, dtype=np.float64).reshape(len(analyses), width)
    # Scale counts into the range of TF-IDF values so one regularisation strength fits all.
    rows[:, n:n + 9] = np.log1p(rows[:, n:n + 9])
    return sparse.csr_matrix(rows)


def count(analyses, word_bits: int = WORD_BITS, char_bits: int = CHAR_BITS, char_ngrams: tuple[int, int] = CHAR_NGRAMS,
          cue_ids: tuple[str, ...] | None = None) -> sparse.csr_matrix:
    """The pipeline's counts step (features.build_features' `counts`, the defaults by default):
    the word, the character and the cue blocks side by side."""
    words = word_buckets([doc.tokens for doc in analyses], word_bits)
    chars = char_buckets([doc.normalized.text for doc in analyses], char_ngrams, char_bits)
    return sparse.hstack([count_pairs(*words, len(analyses), word_bits), count_pairs(*chars, len(analyses), char_bits),
                          cue_counts(analyses, cue_ids or default_cues().ids)]).tocsr()


def analyze_and_count(texts: list[str], batch: int = BATCH):
    """The normalized texts and `count`s of `texts` (training's worker task), with only the
    entities the features read (money): the others would be found and thrown away. Analyses are
    counted `batch` at a time and dropped: training needs nothing else from them, and sending
    them to the parent (5.7 kB pickled per post) cost 8-10% of the analysis phase on 40k posts
    and held 0.7 GiB more there."""
    cues = default_cues()
    normalized, counts = [], []
    for i in range(0, len(texts), batch):
        analyses = [analyze(t, cues, money_entities) for t in texts[i:i + batch]]
        normalized += [a.normalized.text for a in analyses]
        counts.append(count(analyses))
    return normalized, sparse.vstack(counts, format="csr")
