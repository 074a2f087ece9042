"""Fuzzing the normalizer, the cue engine, the entity extractors and the detector (issue #7 item 2).

Two kinds of input: arbitrary Unicode (every category, lone surrogates included: the library gets
a Python `str` and must not crash on any), and adversarial posts mixing Indonesian risk fragments
with the obfuscation characters scammers use. Properties: nothing raises, every offset map and
every span is valid and points into the original post, contact values are E.164 and money values
serialise to JSON.

The runs are derandomized and use no example database, so CI sees the same examples every time.
For a longer, randomized campaign: RECRUIT_DETECT_FUZZ_SCALE=50 python -m pytest tests/test_fuzz.py
(50 times the examples, new ones on every run).
"""
from __future__ import annotations

import json
import os
import random
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recruit_detect.cues import default_cues
from recruit_detect.detector import Detector, analyze
from recruit_detect.entities import find_entities
from recruit_detect.normalize import normalize

SCALE = int(os.environ.get("RECRUIT_DETECT_FUZZ_SCALE", "1"))
FUZZ = settings(derandomize=SCALE == 1, database=None, deadline=None, print_blob=False,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.large_base_example])

# --- strategies ------------------------------------------------------------------------------

ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]
COMBINING = ["\u0301", "\u0308", "\u0336", "\u20dd", "\ufe0f", "\ufe0e", "\u20e3"]
SEPARATORS = [" ", ".", "-", "_", "*", "\u00b7", "'", " . ", "/"]
WHITESPACE = ["\n", "\t", "\r", "\r\n", "\x0b", "\x0c", "\x85", "\u2028", "\u2029", "\u00a0", "\u3000", "  "]
CONTROL = ["\x00", "\x01", "\x07", "\x1b", "\x1f", "\x7f", "\x9f"]
SURROGATES = ["\ud800", "\udbff", "\udc00", "\udfff", "\ud83c"]

# Every category, with the awkward ones (surrogates, controls, format and combining characters,
# odd spaces and line separators, non-ASCII decimal digits) drawn far more often than chance.
_EVERY = st.characters(codec=None, exclude_categories=())
_AWKWARD = [st.characters(categories=c) for c in (["Cs"], ["Cc"], ["Cf"], ["Mn", "Me"], ["Zs", "Zl", "Zp"], ["Nd"])]
ANY_CHAR = st.one_of(_EVERY, _EVERY, _EVERY, st.characters(codec="ascii"),
                     st.sampled_from([c for c in ZERO_WIDTH + COMBINING + WHITESPACE + CONTROL + SURROGATES if len(c) == 1]),
                     *_AWKWARD)
# Short texts (Hypothesis's usual sizes) and long ones of 200-2000 characters.
ANY_TEXT = st.text(ANY_CHAR, max_size=2000) | st.integers(200, 2000).flatmap(
    lambda n: st.text(ANY_CHAR, min_size=n, max_size=n))

# Fragments written for this test (not taken from any post): risk words, contacts, amounts, frames.
FRAGMENTS = [
    "biaya admin 5jt", "visa turis", "kamboja", "wa.me/6281234567890", "0812-3456-7890", "Rp 15.000.000",
    "PT Maju", "PT Maju Sejahtera Abadi", "usia 18-35", "@hrd_kerja", "🇰🇭", "t.me/lokerkh", "hrd.maju@gmail.com",
    "https://bit.ly/loker-kh", "www.loker-luar.com/daftar?id=1", "gaji 25jt/bln", "dp 2 juta", "tanpa biaya",
    "kata Kapolres.", "SIP3MI No. 412/KEP/2023", "JO no: TW-2025-0117", "NT$ 28.000", "umur maksimal 45",
    "+62 812 3456 7890", "62-812-3456-7890", "api.whatsapp.com/send?phone=6281234567890", "myawaddy",
    "timur tengah", "paspor ditahan", "berangkat cepat", "tanpa pengalaman", "kerja di 🇲🇲", "0️⃣8️⃣1️⃣2️⃣",
    "lpk-so Fuji Insan", "CV. Maju Jaya", "RM 2.000/hari", "3,5jt", "HKD 4.990", "yg penting mau krj",
    "loker online scam", "waspada penipuan", "B I A Y A", "g4ji", "by.aya", "p-a-s-p-o-r", "Gajiiii",
]
LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7", "l": "|", "b": "8", "g": "9"}
LEET_SYMBOLS = {"a": "@", "s": "$", "i": "!"}
CYRILLIC = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "i": "і", "k": "к", "m": "м"}
OTHER_DIGITS = [0x660, 0x6F0, 0x966, 0xE50, 0x1D7CE, 0x1D7EC]  # Arabic-Indic, Devanagari, Thai, math digits


def _regional(r: random.Random) -> str:
    return "".join(chr(0x1F1E6 + r.randrange(26)) for _ in range(r.choice([1, 2, 2, 3])))


def _char_transform(c: str, kind: str, r: random.Random) -> str:
    lower = c.lower()
    if kind == "math_bold" and c.isascii() and c.isalpha():
        return chr((0x1D400 if c.isupper() else 0x1D41A) + ord(lower) - 97)
    if kind == "math_script" and c.isascii() and c.isalpha():
        return chr(0x1D4D0 + ord(c.upper()) - 65)
    if kind == "fullwidth" and "!" <= c <= "~":
        return chr(ord(c) - 0x21 + 0xFF01)
    if kind == "other_digits" and c.isascii() and c.isdigit():
        return chr(r.choice(OTHER_DIGITS) + int(c)) if r.random() < 0.5 else c
    if kind == "cyrillic":
        return CYRILLIC.get(lower, c)
    if kind == "leet":
        return LEET.get(lower, LEET_SYMBOLS.get(lower, c)) if r.random() < 0.7 else c
    if kind == "keycap" and (c.isdigit() or c in "#*"):
        return c + r.choice(["\ufe0f\u20e3", "\u20e3", "\ufe0f"])
    if kind == "combining":
        return c + r.choice(COMBINING) * r.randint(1, 3)
    if kind == "zero_width":
        return c + r.choice(ZERO_WIDTH) if r.random() < 0.5 else c
    if kind == "spaced":
        return c + r.choice(SEPARATORS)
    if kind == "repeat":
        return c * r.randint(1, 6)
    if kind == "case":
        return c.upper() if r.random() < 0.5 else c
    if kind == "junk":
        return c + r.choice(CONTROL + WHITESPACE + SURROGATES) if r.random() < 0.3 else c
    return c


KINDS = ["math_bold", "math_script", "fullwidth", "other_digits", "cyrillic", "leet", "keycap", "combining",
         "zero_width", "spaced", "repeat", "case", "junk"]
GLUE = [" ", " ", " ", "\n", ", ", "", "\t", "\r\n", "  ", ". ", " 🇰🇭 ", "\x00", "\ufe0f", "\u200b", " / "]


@st.composite
def adversarial_posts(draw, max_fragments: int = 14) -> str:
    """Risk fragments, each rewritten by zero or more obfuscation kinds, glued with odd separators
    and sprinkled with arbitrary text, regional-indicator runs and lone surrogates."""
    r = random.Random(draw(st.integers(0, 2**32 - 1)))
    parts = []
    for _ in range(draw(st.integers(1, max_fragments))):
        piece = draw(st.sampled_from(FRAGMENTS) | st.text(ANY_CHAR, max_size=6)
                     | st.sampled_from(ZERO_WIDTH + CONTROL + SURROGATES + WHITESPACE)
                     | st.builds(_regional, st.randoms(use_true_random=False)))
        for kind in draw(st.lists(st.sampled_from(KINDS), max_size=3)):
            piece = "".join(_char_transform(c, kind, r) for c in piece)
        parts.append(piece)
        parts.append(draw(st.sampled_from(GLUE)))
    return "".join(parts)


POSTS = ANY_TEXT | adversarial_posts()

# --- properties -------------------------------------------------------------------------------


def _valid_spans(spans, n: int) -> None:
    for start, end in spans:
        assert 0 <= start < end <= n, (start, end, n)


def _check_map(raw: str):
    n = normalize(raw)
    assert n.original == raw
    assert len(n.starts) == len(n.ends) == len(n.text)
    _valid_spans(zip(n.starts, n.ends), len(raw))
    assert all(a <= b for a, b in zip(n.starts, n.starts[1:])), "starts must be non-decreasing"
    assert all(a <= b for a, b in zip(n.ends, n.ends[1:])), "ends must be non-decreasing"
    return n


@settings(FUZZ, max_examples=250 * SCALE)
@given(POSTS, st.data())
def test_normalize_never_raises_and_its_map_is_valid(raw, data):
    n = _check_map(raw)
    if n.text:
        a = data.draw(st.integers(0, len(n.text) - 1), label="a")
        b = data.draw(st.integers(a + 1, len(n.text)), label="b")
        start, end = n.original_span(a, b)
        assert 0 <= start < end <= len(raw)
        assert (start, end) == (n.starts[a], n.ends[b - 1])


@settings(FUZZ, max_examples=120 * SCALE)
@given(adversarial_posts(max_fragments=30))
def test_every_single_character_span_maps_back(raw):
    n = _check_map(raw)
    for i in range(len(n.text)):
        start, end = n.original_span(i, i + 1)
        assert 0 <= start < end <= len(raw)


@settings(FUZZ, max_examples=150 * SCALE)
@given(POSTS)
def test_cue_hits_lie_inside_the_post(raw):
    for hit in default_cues().find(normalize(raw)):
        assert 0 <= hit.start < hit.end <= len(raw), hit


@settings(FUZZ, max_examples=150 * SCALE)
@given(POSTS)
def test_analyze_never_raises_and_every_span_is_in_the_post(raw):
    doc = analyze(raw)
    assert doc.post == raw
    _valid_spans([(h.start, h.end) for h in doc.cues], len(raw))
    _valid_spans([(e.start, e.end) for e in doc.entities], len(raw))
    assert all(0 <= idx <= len(doc.normalized.text) for _, idx in doc.tokens)


_E164 = re.compile(r"\+[0-9]{8,15}")  # ASCII digits: an officer searches and dials these


def _check_entities(raw: str) -> None:
    for ent in find_entities(normalize(raw)):
        assert 0 <= ent.start < ent.end <= len(raw), ent
        if ent.kind in ("phone", "whatsapp"):
            assert _E164.fullmatch(ent.value), ent
        if ent.kind == "money":
            assert ent.value["amount"] > 0 and ent.value["idr"] > 0
        json.dumps(ent.value, allow_nan=False)  # money and every other value serialise to JSON


@settings(FUZZ, max_examples=250 * SCALE)
@given(POSTS)
def test_entities_have_valid_spans_and_values(raw):
    _check_entities(raw)


# Contacts and amounts with random digit runs, so phone and money parsing see every length.
_DIGITS = st.text("0123456789", min_size=1, max_size=18) | st.text("0123456789٠١٢٣٤٥٦٧٨٩०१२३४५६७८९", max_size=18)
CONTACTS = st.tuples(
    st.sampled_from(["", "wa ", "wa.me/", "https://wa.me/+", "api.whatsapp.com/send?phone=", "+", "Rp ", "rp",
                     "NT$ ", "gaji ", "biaya ", "$", "08", "+62 8", "62-8", "0"]),
    st.lists(_DIGITS, min_size=1, max_size=5),
    st.sampled_from([" ", "-", ".", ",", ""]),
    st.sampled_from(["", " jt", "jt", " juta", "rb", "k", " miliar", "/bulan", " per hari", " ", "x"]),
).map(lambda t: t[0] + t[2].join(t[1]) + t[3])


@settings(FUZZ, max_examples=300 * SCALE)
@given(st.lists(CONTACTS, min_size=1, max_size=4).map(" ".join))
def test_contact_and_amount_values(raw):
    _check_entities(raw)


@pytest.mark.parametrize("post,expected", [
    # Bugs the fuzzer found in recruit_detect/entities.py: values that were not E.164.
    ("WA 08١٢٣٤٥٦٧٨٩", [("phone", "+628123456789")]),  # Arabic-Indic digits were kept as they are
    ("wa.me/٦٢٨١٢٣٤٥٦٧٨٩", [("whatsapp", "+628123456789")]),
    ("wa.me/000000000000000", []),  # a local 0 and 14 digits gave 16 digits: no number
    ("wa.me/081234567890", [("whatsapp", "+6281234567890")]),
])
def test_regressions_phone_values_are_e164(post, expected):
    _check_entities(post)
    assert [(e.kind, e.value) for e in find_entities(normalize(post))] == expected


@pytest.fixture(scope="module")
def detector():
    return Detector.load()


@settings(FUZZ, max_examples=12 * SCALE)
@given(st.lists(POSTS, min_size=1, max_size=8))
def test_verdicts_one_per_post_with_risk_in_range(detector, posts):
    verdicts = detector.verdicts(posts)
    assert len(verdicts) == len(posts)
    for post, v in zip(posts, verdicts):
        assert v.analysis.post == post
        assert 0.0 <= v.risk <= 1.0
        assert v.band in ("high", "review", "low")
        json.dumps(detector.record(v, "x", terms=True))
