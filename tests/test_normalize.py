import pytest
from hypothesis import given, settings, strategies as st

from recruit_detect.normalize import normalize

CASES = [
    ("Gajiiii 15jt/bln yg penting mau krj", "gaji 15 juta/bulan yang penting mau kerja"),
    ("B I A Y A adm1n", "biaya admin"),
    ("K a m b o j a", "kamboja"),
    ("by.aya p-a-s-p-o-r", "biaya paspor"),
    ("b.i.a.y.a", "biaya"),
    ("g4ji l0ker v!sa K4mb0j4", "gaji loker visa kamboja"),
    ("𝐊𝐀𝐌𝐁𝐎𝐉𝐀", "kamboja"),
    ("ｇａｊｉ ３５００", "gaji 3500"),
    ("kаmbоjа", "kamboja"),  # Cyrillic а and о
    ("bi\u200baya vi\u2060sa", "biaya visa"),
    ("kerja di 🇰🇭", "kerja di kamboja "),
    ("0️⃣8️⃣1️⃣2️⃣", "0812"),
    ("w a 0 8 1 2 3 4 5 6", "wa 08123456"),
    # prices, phone numbers and links keep their digits
    ("Rp 3.500.000 NT$ 28.000 US$1000", "rp 3.500.000 nt$ 28.000 us$1000"),
    ("wa.me/6281234567 hr@pt-abc.co.id", "wa.me/6281234567 hr@pt-abc.co.id"),
    ("covid19 P3MI 4G", "covid19 p3mi 4g"),
    # whitespace runs collapse, keeping a line break when the run has one
    ("a\t\tb \n \n c\r\nd  e", "a b\nc\nd e"),
    ("15jt 2rb", "15 juta 2 ribu"),
    ("yg gk 'yg yg_ yg", "yang tidak 'yg yg_ yang"),
    # slang only as a whole word: not inside "ygx", "gkb", "yg2"; "t.w a": the short word is joined
    ("ygx gkb yg2 yg.", "ygx gkb yg2 yang."),
    ("kontak t.w a sekarang, hubungi p.t maju", "kontak t.wa sekarang, hubungi pt maju"),
    ("mantappp jadiii", "mantap jadi"),
]


@pytest.mark.parametrize("raw,expected", CASES)
def test_normalized_text(raw, expected):
    assert normalize(raw).text == expected


@pytest.mark.parametrize("raw,word,original", [
    ("kerja di 🇰🇭 ya", "kamboja", "🇰🇭"),
    ("B I A Y A adm1n 5jt", "biaya admin", "B I A Y A adm1n"),
    ("mau ke K a m b o j a", "kamboja", "K a m b o j a"),
    ("kerja di kаmbоjа", "kamboja", "kаmbоjа"),
    ("gaji 𝐋𝐎𝐊𝐄𝐑", "loker", "𝐋𝐎𝐊𝐄𝐑"),
    ("bi\u200baya", "biaya", "bi\u200baya"),
    ("yg", "yang", "yg"),
])
def test_spans_map_back_to_the_obfuscated_characters(raw, word, original):
    n = normalize(raw)
    i = n.text.index(word)
    start, end = n.original_span(i, i + len(word))
    assert raw[start:end] == original


def test_obfuscation_is_counted_by_kind():
    assert normalize("B I A Y A g4ji kаmbоjа 🇰🇭 bi\u200baya").obfuscation == {
        "invisible": 1, "homoglyph": 3, "emoji": 1, "spaced": 1, "leet": 1}
    assert normalize("Dicari karyawan toko").obfuscation == {}


def _check_map(raw):
    n = normalize(raw)
    assert len(n.starts) == len(n.ends) == len(n.text)
    for i in range(len(n.text)):
        assert 0 <= n.starts[i] < n.ends[i] <= len(raw)
        if i:
            assert n.starts[i - 1] <= n.starts[i] and n.ends[i - 1] <= n.ends[i]
    return n


# Pieces that exercise every pass: letters and leet digits, separators, flags, keycaps,
# invisibles, look-alikes, fancy letters, slang, plus arbitrary Unicode.
PIECES = list("abkmoijy 0123458!.-@$|\n") + ["🇰🇭", "0️⃣", "\u200b", "а", "𝐆", "ｊ", "é", "yg", "jt", "wa.me/62"]
TEXTS = st.lists(st.sampled_from(PIECES), max_size=40).map("".join) | st.text(max_size=60)


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_map_is_monotone_and_in_bounds(raw):
    _check_map(raw)


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.data())
def test_every_normalized_span_maps_to_a_non_empty_original_span(raw, data):
    n = _check_map(raw)
    if not n.text:
        return
    a = data.draw(st.integers(0, len(n.text) - 1))
    b = data.draw(st.integers(a + 1, len(n.text)))
    start, end = n.original_span(a, b)
    assert 0 <= start < end <= len(raw)


def test_posts_longer_than_the_shared_offset_range_map_exactly():
    # the first pass slices its offsets from one shared array of 4,097, grown on demand
    ascii_post = "ab " * 2000
    n = _check_map(ascii_post)
    assert n.text == ascii_post and list(n.starts) == list(range(6000)) and list(n.ends) == list(range(1, 6001))
    n = _check_map("ab " * 2000 + "é x")  # a non-ASCII character after the first 6,000
    assert n.text.endswith("e x") and n.original_span(6000, 6003) == (6000, 6003)


def test_empty_and_invisible_only_posts():
    assert normalize("").text == ""
    assert normalize("\u200b\u200d").text == ""
    with pytest.raises(ValueError):
        normalize("abc").original_span(2, 2)


def test_slang_table_is_large_sorted_and_unambiguous():
    from recruit_detect import resources

    table = resources.table("slang.tsv")  # duplicate keys raise
    assert len(table) >= 150
    keys = list(table)
    assert keys == sorted(keys)
    assert normalize("gk bs dtg krn blm gajian").text == "tidak bisa datang karena belum gajian"


# Each skippable pass and the hint every one of its matches must contain.
HINTED = [("_DOTTED", "_DOTTED_HINT"), ("_SPACED", "_SPACED_HINT"), ("_SPLIT_WORD", "_SPLIT_HINT"),
          ("_ELONGATED", "_ELONGATED_HINT")]
HINT_TEXTS = st.lists(st.sampled_from(list("abkyz 01.-_*'\u00b7@/\n") + ["aaa", "b b", "a.b"]), max_size=30).map("".join)


@settings(max_examples=500, deadline=None)
@given(HINT_TEXTS)
def test_a_pass_is_skipped_only_when_it_could_not_match(text):
    from recruit_detect import normalize as module

    for pattern, hint in HINTED:
        for m in getattr(module, pattern).finditer(text):
            assert getattr(module, hint).search(m.group()), (pattern, m.group())


def test_analyses_pickle_exactly():
    import pickle
    from array import array

    from recruit_detect.detector import analyze

    doc = analyze("Loker K4mb0j4 gaji 15jt, biaya adm1n 3jt. WA 0812-3456-7890 yg serius")
    assert isinstance(doc.normalized.starts, array) and doc.tokens[:2] == (("loker", 0), ("kamboja", 6))
    copy = pickle.loads(pickle.dumps(doc))
    assert copy == doc and copy.tokens == doc.tokens and copy.cues == doc.cues
    assert pickle.loads(pickle.dumps(analyze(""))) == analyze("")
