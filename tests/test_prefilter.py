"""The prefilter may only skip posts that cannot match: every match contains one of the atoms."""
import re

import pytest
from hypothesis import given, settings, strategies as st

from recruit_detect import entities, money, normalize as normalize_module
from recruit_detect.cues import default_cues
from recruit_detect.normalize import normalize
from recruit_detect.prefilter import Index, finditer, may_match, required_atom_sets, required_atoms


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


_PAIRS = ("aa", "bb", "cc", "dd", "ee", "ff", "gg", "hh")


@pytest.mark.parametrize("source,sets", [
    (r"\bpl\s+(?:kami|saya)", [{"pl"}, {"kami", "saya"}]),
    (r"gaji(?:\s+pokok)?\s+(?:rp|idr)", [{"gaji"}, {"rp", "idr"}]),  # the optional part gives none
    (r"x(?:ab)+(?<=b)y", [{"x"}, {"ab"}, {"y"}]),  # a required repeat counts, a lookbehind does not
    (r"(?:kerja\s+16|jam\s+16)\s+jam", [{"kerja", "jam"}, {"jam"}]),
    # neighbouring fixed parts join into longer atoms
    (r"[a-z]+\.(?:com|id|co\.id)\s", [{".com", ".id", ".co.id"}]),
    (r"(?:p|b)t[.\-]x", [{"pt.x", "pt-x", "bt.x", "bt-x"}]),
    (r"(?:a|)b\d(?:c|)", [{"ab", "b"}]),  # an empty alternative joins as nothing; an empty run is no atom
    # 8 x 8 strings, then 2 more would be 128 > 64: the class starts a run of its own
    ("(?:{0})(?:{0})(?:x|y)".format("|".join(_PAIRS)), [{a + b for a in _PAIRS for b in _PAIRS}, {"x", "y"}]),
])
def test_required_atom_sets(source, sets):
    assert [set(s) for s in required_atom_sets(re.compile(source))] == sets


def test_the_index_offers_a_pattern_only_when_each_atom_set_is_present():
    index = Index([re.compile(r"\bpl\s+(?:kami|saya)\s+wilayah")])
    assert index.candidates("pl kami wilayah jatim") == {0}
    assert index.candidates("kami dari wilayah jatim") == set()  # no "pl"
    assert index.candidates("aplikasi wilayah") == set()  # "pl", but neither "kami" nor "saya"
    assert index.candidates("pl saya") == set()  # no "wilayah"
    pattern = re.compile(r"\bkirim\s+cv\s+ke\s+hrd")
    assert may_match(pattern, "kirim cv ke hrd") and not may_match(pattern, "kirim cv ke email")


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
              "usia", "18-35", "pt", "sip3mi", "kamboja", " ", "\n", ".", "-", "0812", "gaji", "kerja", "x",
              "pl", "kami", "jam", "16", "hari", "3", "berangkat", "umroh", "lalu", "kontrak", "2 tahun", ".com", "id"]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=25))
def test_prefilter_never_loses_a_match_on_fragment_salad(parts):
    _check("".join(parts))


def test_the_index_offers_every_pattern_that_matches_in_the_cue_examples():
    # Each example holds the words of at least one pattern, so every atom set of it is tested.
    index = Index(PATTERNS)
    for cue in default_cues().cues:
        for example in cue.match:
            text = normalize(example).text
            assert {k for k, p in enumerate(PATTERNS) if p.search(text)} <= index.candidates(text), example
            _check(text)


def test_the_index_offers_every_pattern_that_matches(records):
    index = Index(PATTERNS)
    for r in records[::2]:
        text = normalize(r["text"]).text
        offered = index.candidates(text)
        assert {k for k, p in enumerate(PATTERNS) if p.search(text)} <= offered
        assert len(offered) < len(PATTERNS)  # and it does skip some
