"""The vectorized hashed n-grams must count exactly what a plain loop over the text counts."""
from collections import Counter

import numpy as np
from hypothesis import given, settings, strategies as st
from scipy import sparse

from recruit_detect.counts import char_buckets, count_pairs, word_buckets, word_spans
from recruit_detect.detector import analyze
from recruit_detect.features import HashedChars, HashedWords


def _reference_char_grams(text, lo, hi):
    """char_wb n-grams the slow way: each whitespace-separated word padded with spaces."""
    grams = []
    for word in text.split():
        padded = f" {word} "
        for n in range(lo, hi + 1):
            grams += [padded[i:i + n] for i in range(len(padded) - n + 1)]
    return grams


_TEXT = st.text(st.sampled_from(list("ab c\n\tdé😊.1")), max_size=40)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(_TEXT, min_size=1, max_size=4))
def test_char_buckets_count_the_char_wb_ngrams_of_each_post(texts):
    rows, buckets, starts, ends = char_buckets(texts, (2, 5), 20, spans=True)
    for k, text in enumerate(texts):
        mine = rows == k
        padded = f" {text} "
        # Each bucket's span is the n-gram it hashes (whitespace pads a word like a space)...
        grams = ["".join(" " if c.isspace() else c for c in padded[s + 1:e + 1]) for s, e in
                 zip(starts[mine], ends[mine])]
        # ...and the n-grams are exactly the padded words' n-grams.
        assert Counter(grams) == Counter(_reference_char_grams(text, 2, 5))
        # Equal n-grams share a bucket.
        by_gram = {}
        for gram, bucket in zip(grams, buckets[mine]):
            assert by_gram.setdefault(gram, bucket) == bucket


def test_hashed_counts_are_a_csr_matrix_with_summed_duplicates():
    docs = [analyze("gaji gaji gaji besar"), analyze(""), analyze("visa turis")]
    words = HashedWords(bits=18).transform(docs)
    assert words.shape == (3, 2 ** 18) and words.has_sorted_indices
    assert sorted(words[0].data.tolist()) == [1.0, 1.0, 2.0, 3.0]  # gaji x3, besar, "gaji gaji" x2, "gaji besar"
    assert words[1].nnz == 0 and words[2].nnz == 3
    chars = HashedChars(bits=19).transform(docs).toarray()
    assert chars[0].sum() == len(_reference_char_grams("gaji gaji gaji besar", 2, 5))
    assert chars[1].sum() == 0


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.sampled_from([(1, 19), (250, 19), (256, 19), (257, 19), (8192, 19), (8193, 19), (5, 31), (3, 40),
                        (65536, 12), (65537, 12)]), st.data())
def test_count_pairs_sums_duplicates_like_scipy_with_32_and_64_bit_keys(shape, data):
    # (8192, 19) is the last batch whose keys fit in 32 bits, (8193, 19) the first that does not;
    # rows are grouped with 8-bit numbers up to 256 rows, 16-bit up to 65,536, then sorted whole
    n_rows, bits = shape
    pairs = data.draw(st.lists(st.tuples(st.integers(0, n_rows - 1), st.sampled_from([0, 1, 7, (1 << bits) - 1])),
                               max_size=30))  # in any order, as char_buckets gives them (n-gram length first)
    rows = np.array([r for r, _ in pairs], dtype=np.int64)
    cols = np.array([c for _, c in pairs], dtype=np.int64)
    mine = count_pairs(rows, cols, n_rows, bits)
    ref = sparse.csr_matrix((np.ones(len(pairs), np.float32), (rows, cols)), shape=(n_rows, 1 << bits))
    ref.sum_duplicates()
    assert mine.shape == ref.shape and mine.dtype == np.float32 and mine.has_canonical_format
    assert np.array_equal(mine.indptr, ref.indptr) and np.array_equal(mine.indices, ref.indices)
    assert np.array_equal(mine.data, ref.data)


def test_word_bigrams_never_cross_posts():
    a, b = analyze("biaya admin"), analyze("visa turis")
    rows, buckets = word_buckets([a.tokens, b.tokens], 18)
    assert rows.tolist() == [0, 0, 1, 1, 0, 1]  # two unigrams each, then one bigram each
    _, alone = word_buckets([b.tokens], 18)
    assert sorted(buckets[rows == 1].tolist()) == sorted(alone.tolist())
    assert word_spans(a.tokens) == [(0, 5), (6, 11), (0, 11)]


def test_numbers_share_a_shape_bucket():
    _, fifteen = word_buckets([analyze("gaji 15").tokens], 18)
    _, twenty_five = word_buckets([analyze("gaji 25").tokens], 18)
    _, thousand = word_buckets([analyze("gaji 1000").tokens], 18)
    assert np.array_equal(fifteen, twenty_five) and not np.array_equal(fifteen, thousand)


def test_every_phone_number_is_one_word_feature():
    """However its digits are grouped, a number is the same single word feature."""
    shapes = [word_buckets([analyze(f"hubungi {number} ya").tokens], 18)[1]
              for number in ("0812 3456 7890", "0857-2201-6638", "081299998888", "+6281234567890", "6281234567890")]
    assert all(np.array_equal(shapes[0], s) for s in shapes) and len(shapes[0]) == 5  # 3 words, 2 bigrams


def test_block_tfidf_is_one_tfidf_per_block_and_scaled_cues():
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfTransformer

    from recruit_detect.features import BlockTfidf

    dense = np.ceil(sparse.random(30, 12, density=0.4, random_state=1).toarray() * 5)
    dense[3] = 0  # an empty row must stay empty, not NaN
    counts = sparse.csr_matrix(dense)
    blocks = (4, 5)
    fitted = BlockTfidf(blocks, cue_weight=0.5).fit(counts)
    expected = sparse.hstack([TfidfTransformer(sublinear_tf=True).fit(counts[:, :4]).transform(counts[:, :4]),
                              TfidfTransformer(sublinear_tf=True).fit(counts[:, 4:9]).transform(counts[:, 4:9]),
                              counts[:, 9:] * 0.5]).toarray()
    assert np.allclose(fitted.transform(counts).toarray(), expected)


def test_block_tfidf_nb_weighting_scales_each_ngram_by_its_log_count_ratio():
    from scipy import sparse

    from recruit_detect.features import BlockTfidf

    # columns: block 1 = [a, b], block 2 = [c, d, e], then one cue column
    counts = sparse.csr_matrix(np.array([
        [2, 0, 1, 0, 0, 1],   # illegal
        [1, 1, 1, 0, 0, 0],   # illegal
        [0, 1, 0, 3, 0, 1],   # other
        [0, 1, 0, 1, 0, 0],   # other
    ], dtype=float))
    y = np.array([1, 1, 0, 0])
    plain = BlockTfidf((2, 3), cue_weight=0.5).fit(counts)
    nb = BlockTfidf((2, 3), cue_weight=0.5, nb_alpha=1.0).fit(counts, y)

    def ratios(pos, neg):
        p, q = np.array(pos) + 1.0, np.array(neg) + 1.0
        r = np.abs(np.log(p / p.sum()) - np.log(q / q.sum()))
        return r / r.mean()

    # documents holding each n-gram: a 2 illegal/0 other, b 1/2; c 2/0, d 0/2, e never seen
    expected = np.concatenate([ratios([2, 1], [0, 2]), ratios([2, 0], [0, 2]), [0.0], [1.0]])
    assert np.allclose(nb.scale_ / plain.scale_, expected)
    # with nb_power the kept ratios are raised to it (the shipped pipeline uses 0.5)
    half = BlockTfidf((2, 3), cue_weight=0.5, nb_alpha=1.0, nb_power=0.5).fit(counts, y)
    assert np.allclose(half.scale_ / plain.scale_, np.sqrt(expected))
    # each block of each row still has unit length; the cue column is untouched
    out = nb.transform(counts).toarray()
    assert np.allclose(np.linalg.norm(out[:, :2], axis=1), 1.0)
    assert np.allclose(np.linalg.norm(out[:, 2:5], axis=1), 1.0)
    assert np.allclose(out[:, 5], counts.toarray()[:, 5] * 0.5)
    # without labels (or without nb_alpha) it is plain TF-IDF
    assert np.allclose(BlockTfidf((2, 3), cue_weight=0.5, nb_alpha=1.0).fit(counts).scale_, plain.scale_)


def test_block_tfidf_drops_ngrams_below_min_ratio_of_their_block_mean():
    from scipy import sparse

    from recruit_detect.features import BlockTfidf

    # the counts of the test above: a's ratio is 1.164 of block 1's mean, b's 0.836; c and d 1.0
    counts = sparse.csr_matrix(np.array([
        [2, 0, 1, 0, 0, 1],
        [1, 1, 1, 0, 0, 0],
        [0, 1, 0, 3, 0, 1],
        [0, 1, 0, 1, 0, 0],
    ], dtype=float))
    y = np.array([1, 1, 0, 0])
    nb = BlockTfidf((2, 3), cue_weight=0.5, nb_alpha=1.0).fit(counts, y)
    pruned = BlockTfidf((2, 3), cue_weight=0.5, nb_alpha=1.0, min_ratio=0.9).fit(counts, y)
    assert np.allclose(pruned.scale_, nb.scale_ * np.array([1, 0, 1, 1, 1, 1]))
    out = pruned.transform(counts)
    assert 1 not in out.indices and np.all(out.data != 0)  # b is gone, not stored as zeros
    dense = out.toarray()
    assert np.allclose(dense[:, :2], [[1, 0], [1, 0], [0, 0], [0, 0]])  # a alone makes up block 1
    assert np.allclose(dense[:, 2:], nb.transform(counts).toarray()[:, 2:])  # block 2 and the cue as before
    assert np.allclose(counts.toarray(), [[2, 0, 1, 0, 0, 1], [1, 1, 1, 0, 0, 0], [0, 1, 0, 3, 0, 1],
                                          [0, 1, 0, 1, 0, 0]])  # the input is not modified


def test_training_finds_only_money_and_counts_the_same_features(records):
    from recruit_detect.entities import money_entities
    from recruit_detect.model import count_features

    texts = [r["text"] for r in records[::4]]
    full = [analyze(t) for t in texts]
    money = [analyze(t, entities=money_entities) for t in texts]
    assert [a.entities for a in money] == [tuple(e for e in a.entities if e.kind == "money") for a in full]
    assert sum(len(a.entities) for a in money) > 100  # the corpus has amounts to find
    assert (count_features(full) != count_features(money)).nnz == 0
