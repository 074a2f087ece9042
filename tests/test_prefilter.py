"""The prefilter may only skip posts that cannot match: every match contains one of the atoms."""
import re

import pytest
from hypothesis import given, settings, strategies as st

from recruit_detect import entities, money, normalize as normalize_module
from recruit_detect.cues import default_cues
from recruit_detect.normalize import normalize
from recruit_detect.prefilter import Index, finditer, may_match, required_atoms


@pytest.mark.parametrize("source,atoms", [
    (r"biaya\s+pendaftaran", {"pendaftaran"}),  # the longest required literal
    (r"(?<![a-z])(?:visa\s+turis|paspor)", {"turis", "paspor"}),
    (r"[.\-_]x{2,}", {"x"}),  # fewer atoms of the same length win
    (r"[.\-_][a-z]", {".", "-", "_"}),  # a small class gives one-character atoms
    (r"\d{3}", None),  # a category guarantees no literal
    (r"(?:kerja)?\s+gaji", {"gaji"}),  # an optional part is not required
    (r"a|\w+", None),  # one branch without atoms makes the whole alternation unfilterable
])
def test_required_atoms(source, atoms):
    found = required_atoms(re.compile(source))
    assert (set(found) if found is not None else None) == atoms


def _patterns():
    for cue in default_cues().cues:
        yield from (scanner.pattern for scanner in cue.scanners)
    for module in (entities, money, normalize_module):
        yield from (v for v in vars(module).values() if isinstance(v, re.Pattern))
    yield money._currencies()[2]
    yield entities._destination_pattern()[1]


PATTERNS = list(_patterns())


def _check(text):
    for pattern in PATTERNS:
        assert [m.span() for m in finditer(pattern, text)] == [m.span() for m in pattern.finditer(text)], pattern.pattern


def test_prefilter_never_loses_a_match_on_the_corpus(records):
    for r in records:
        _check(normalize(r["text"]).text)


def test_the_prefilter_skips_posts_without_atoms():
    pattern = default_cues().get("non_work_visa").scanners[0].pattern
    assert not may_match(pattern, "lowongan operator pabrik, gaji umr")
    assert may_match(pattern, "berangkat pakai visa turis")
    assert may_match(re.compile(r"\d+"), "tanpa angka")  # no atoms: nothing to check, always run


_FRAGMENTS = ["biaya", "admin", "visa", "turis", "wa.me/", "62812345678", "@", "t.me/", "rp", "15.000", "jt", "juta",
              "usia", "18-35", "pt", "sip3mi", "kamboja", " ", "\n", ".", "-", "0812", "gaji", "kerja", "x"]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=25))
def test_prefilter_never_loses_a_match_on_fragment_salad(parts):
    _check("".join(parts))


def test_the_index_offers_every_pattern_that_matches(records):
    index = Index(PATTERNS)
    for r in records[::2]:
        text = normalize(r["text"]).text
        offered = index.candidates(text)
        assert {k for k, p in enumerate(PATTERNS) if p.search(text)} <= offered
        assert len(offered) < len(PATTERNS)  # and it does skip some
