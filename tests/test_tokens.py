"""The tokenizer and the token phrase matcher: phrases of plain words found on tokens must be
exactly the matches of the cue's phrase regex (words one space apart, word boundaries)."""
import re

import pytest
from hypothesis import given, settings, strategies as st

from recruit_detect.cues import _LEFT, _RIGHT, _trie_regex, default_cues
from recruit_detect.normalize import normalize
from recruit_detect.tokens import tokenize

CUES = default_cues()


@pytest.mark.parametrize("text,tokens", [
    ("biaya admin 15.000.000, wa.me/62812", ["biaya", "admin", "15.000.000", ",", "wa", ".", "me", "/", "62812"]),
    ("gaji 15 juta/bulan!!", ["gaji", "15", "juta", "/", "bulan", "!", "!"]),
    ("rp15 a1b @hrd_id #tppo", ["rp15", "a1b", "@", "hrd", "_", "id", "#", "tppo"]),
    ("kerja di 日本 😊", ["kerja", "di", "日本", "😊"]),
    # a mobile number is one token, its groups kept; across a line break it is not
    ("wa 0812 3456 7890, +6281234567890.", ["wa", "0812 3456 7890", ",", "+6281234567890", "."]),
    ("0857-2201-6638 / 0812\n3456 7890", ["0857-2201-6638", "/", "0812", "3456", "7890"]),
    ("", []),
])
def test_tokens(text, tokens):
    found = tokenize(text)
    assert [t for t, _ in found] == tokens
    assert all(text[s:s + len(t)] == t for t, s in found)


def _phrase_regex(cue) -> re.Pattern:
    # The meaning the token matcher promises: one space between words, no line breaks inside.
    return re.compile(_LEFT + "(?:" + _trie_regex(cue.token_phrases).replace(r"\s+", " ") + ")" + _RIGHT)


def _expected(text):
    return {cue.id: [m.span() for m in _phrase_regex(cue).finditer(text)] for cue in CUES.cues if cue.token_phrases}


def _longest_first(spans):
    kept, end = [], -1
    for a, b in sorted(spans, key=lambda ab: (ab[0], -ab[1])):
        if a >= end:
            kept.append((a, b))
            end = b
    return kept


def _assert_same(text):
    found, _ = CUES._phrase_spans(text, tokenize(text))
    expected = _expected(text)
    for cue_id in expected:
        # The regex takes the first alternative at a position, the token matcher every phrase;
        # after keeping the longest match at each start (as CueSet.find does) they must agree.
        assert _longest_first(found.get(cue_id, [])) == _longest_first(expected[cue_id]), (cue_id, text)


def test_phrase_matcher_agrees_with_the_phrase_regex_on_the_corpus(records):
    for r in records:
        _assert_same(normalize(r["text"]).text)


_WORDS = sorted({w for cue in CUES.cues for p in cue.token_phrases for w in p.split()})


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.one_of(st.sampled_from(_WORDS), st.sampled_from([" ", "  ", "\n", ".", "_", "#", "1", "a", "é"])),
                max_size=30))
def test_phrase_matcher_agrees_with_the_phrase_regex_on_word_salad(parts):
    _assert_same(normalize(" ".join(parts)).text)
