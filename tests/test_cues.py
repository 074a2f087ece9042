import re

import pytest

from recruit_detect.cues import _LEFT, default_cues, load_cues
from recruit_detect.errors import CueError
from recruit_detect.normalize import normalize

CUES = default_cues()
EXAMPLES = [(c.id, t, True) for c in CUES.cues for t in c.match] + \
           [(c.id, t, False) for c in CUES.cues for t in c.no_match]


@pytest.mark.parametrize("cue_id,text,should_fire", EXAMPLES, ids=[f"{c}:{'+' if m else '-'}{i}" for i, (c, _, m) in enumerate(EXAMPLES)])
def test_cue_examples(cue_id, text, should_fire):
    assert CUES.fires(cue_id, text) is should_fire


def test_every_cue_has_five_examples_each_way():
    for cue in CUES.cues:
        assert len(cue.match) >= 5 and len(cue.no_match) >= 5, cue.id


def test_cues_cover_the_red_flags_legitimacy_and_not_ad_signals():
    refs = {r for c in CUES.cues for r in c.refs}
    wanted = {f"R{n:02d}" for n in [*range(1, 19), 21, 22]} | {f"L0{n}" for n in range(1, 9)} | {f"N0{n}" for n in range(1, 9)}
    assert wanted <= refs
    assert {c.polarity for c in CUES.cues} == {"risk", "legit", "not_ad"}


def test_negated_and_reported_hits_are_marked():
    hits = CUES.find(normalize("Tanpa biaya admin. Polisi menangkap calo yang meminta biaya pendaftaran, kata Kapolres."))
    fee = [h for h in hits if h.cue == "fee_demand"]
    assert [(h.negated, h.reported) for h in fee] == [(True, False), (False, True)]


GOOD = b"""title = "t"\ntitle_en = "t"\nreason = "r"\nreason_en = "r"\nseverity = "weak"\npolarity = "risk"
refs = ["R01"]\nphrases = ["abc"]\nmatch = ["abc", "x abc", "abc y", "ABC", "a abc b"]
no_match = ["abd", "xabc", "abcx", "b", "c"]\n"""


def test_loader_accepts_a_valid_file():
    assert load_cues({"tiny": GOOD}).ids == ("tiny",)
    assert load_cues({"tiny": GOOD}).check_examples() == []


@pytest.mark.parametrize("mutation,message", [
    (lambda s: s + b'colour = "red"\n', "unknown keys"),
    (lambda s: s.replace(b'phrases = ["abc"]', b"patterns = ['a(b']"), "does not compile"),
    (lambda s: s.replace(b'severity = "weak"', b'severity = "huge"'), "severity"),
    (lambda s: s.replace(b'"b", "c"]', b'"b"]'), "at least 5"),
    (lambda s: s.replace(b'refs = ["R01"]\n', b""), "missing keys"),
    (lambda s: s + b"this is not toml", "not valid TOML"),
])
def test_loader_rejects_bad_files(mutation, message):
    with pytest.raises(CueError, match=message):
        load_cues({"tiny": mutation(GOOD)})


def test_a_misbehaving_example_is_reported():
    bad = GOOD.replace(b'"b", "c"]', b'"b", "abc"]')
    assert load_cues({"tiny": bad}).check_examples() == ["tiny: should not match but does: 'abc'"]


def test_bad_id_is_rejected():
    with pytest.raises(CueError, match="snake_case"):
        load_cues({"Bad-Name": GOOD})


def test_scanners_checking_the_left_boundary_in_python_match_the_regex_with_it(records):
    scanners = [s for cue in CUES.cues for s in cue.scanners if s.left_in_python]
    assert scanners
    texts = [normalize(r["text"]).text for r in records[::3]]
    texts += ["xvisa turis visa turis", "kerja di kamboja2 kamboja", "abk kapal korea abk kapal taiwan"]
    for scanner in scanners:
        full = re.compile(_LEFT + scanner.pattern.pattern)
        for text in texts:
            assert scanner.spans(text) == [m.span() for m in full.finditer(text) if m.end() > m.start()], \
                (scanner.pattern.pattern, text)
