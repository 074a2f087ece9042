"""Negation scope (recruit_detect/negation.py): denials before a risk phrase, and suppressors kept
inside their clause."""
import pytest
from hypothesis import given, settings, strategies as st

from recruit_detect import negation
from recruit_detect.detector import analyze
from recruit_detect.normalize import normalize
from recruit_detect.tokens import tokenize


def _negators(text: str) -> list[int]:
    """Where negators' first words start: what CueSet.find passes to `denied`."""
    return [start for word, start in tokenize(text) if word in negation.first_words()]


def _denied_at(text: str, phrase: str) -> bool:
    norm = normalize(text).text
    start = norm.index(phrase)
    return negation.denied(norm, start, start + len(phrase), _negators(norm))


@pytest.mark.parametrize("text, phrase", [
    ("Kami tidak pernah meminta uang jaminan.", "uang jaminan"),
    ("Daftar di LTSA, bukan lewat calo ya", "calo"),
    ("NO deposit, NO bayar training", "bayar training"),
    ("Disnaker tidak bekerja sama dengan sponsor mana pun", "sponsor"),
    ("gak usah DM admin", "dm"),  # slang: gak -> tidak
    ("TIDAK PERNAH kami tagih: 'uang kursi', 'uang jaminan', atau 'biaya lolos'", "biaya lolos"),
    ("kami tidak melayani urusan melalui tekong/calo", "calo"),
    ("tak usah transfer dulu", "transfer dulu"),
    ("FAQ:\nUang jaminan? TIDAK ADA.", "uang jaminan"),
    ("Transfer ke rekening pribadi staf? NEVER.", "rekening pribadi"),
])
def test_a_denial_reaches_the_phrase(text, phrase):
    assert _denied_at(text, phrase)


@pytest.mark.parametrize("text, phrase", [
    ("tanpa tes langsung berangkat", "langsung berangkat"),  # "tes" is not a bridge word
    ("Tidak perlu pengalaman, transfer dulu 500rb", "transfer dulu"),  # a bare comma ends the denial
    ("tidak ada biaya\nDM admin", "dm admin"),  # nor does a line break
    ("Minat komen ENTUK tak inbox", "inbox"),  # Javanese "tak" = "I will"
    ("Kami tidak pernah meminta apa-apa. Uang jaminan 2 juta", "uang jaminan"),
    ("DP 500rb? Tidak masalah, bisa dicicil", "dp"),  # the negator does not end its clause
])
def test_no_denial_reaches_the_phrase(text, phrase):
    assert not _denied_at(text, phrase)


def _fee_negated(text: str) -> list[bool]:
    return [h.negated for h in analyze(text).cues if h.cue == "fee_demand"]


def test_a_suppressor_stops_at_its_clause():
    assert _fee_negated("tanpa biaya admin, tapi transfer dulu 2 juta") == [True, False]
    assert _fee_negated("penempatan tanpa biaya. Untuk pencairan, bayar administrasi Rp650.000") == [False]
    assert _fee_negated("Gratis biaya penempatan! Hanya bayar asuransi Rp 480.000") == [True, False]
    # Before the phrase a comma does not break: the list names what is denied.
    assert _fee_negated("Tidak dikenakan biaya apapun, termasuk biaya seragam") == [True]


def test_a_suppressor_after_the_phrase_stops_at_a_comma_or_bracket():
    def visa(text):
        return [h.negated for h in analyze(text).cues if h.cue == "work_visa"]
    assert visa("Berangkat pakai visa kerja, bukan visa wisata") == [False]
    assert visa("masuk pakai PLKS (visa kerja), BUKAN visa pelancong") == [False]
    assert visa("Visa kerja nanti diurus di sana") == [True]


words = st.sampled_from(["kami", "tidak", "pernah", "meminta", "bukan", "lewat", "tanpa", "tes", "biaya", "no", "/",
                         "atau", ",", "'", "dan", "ada", "tapi", "2", "juta"])


@settings(max_examples=300, deadline=None)
@given(before=st.lists(words, max_size=8), after=st.lists(words, max_size=8))
def test_a_line_break_or_sentence_end_always_ends_a_denial(before, after):
    for stop in ("\n", ". "):
        text = " ".join(before) + stop + " ".join(after) + " calo"
        alone = " ".join(after) + " calo"
        assert (negation.denied(text, len(text) - 4, len(text), _negators(text))
                == negation.denied(alone, len(alone) - 4, len(alone), _negators(alone)))


tokens = st.sampled_from(["tidak", "pernah", "meminta", "bukan", "lewat", "tanpa", "tes", "kami", "no", "/", "atau",
                          ",", "'", '"', ":", "?", "ada", "tak ada", "uang kursi", "2", "juta", "ke", "dm"])


@settings(max_examples=400, deadline=None)
@given(before=st.lists(tokens, max_size=10), after=st.lists(tokens, max_size=4), glue=st.sampled_from([" ", ""]))
def test_the_shortcuts_give_the_answer_of_the_full_search(before, after, glue):
    """`denied` skips the searches when no negator is near the phrase or the text before it cannot
    end a denial; the shortcuts must never change the answer."""
    head = glue.join(before) + " "
    text = head + "calo" + " " + " ".join(after)
    start, end = len(head), len(head) + 4
    pattern, answered, _, _ = negation._patterns()
    full = (pattern.search(text, max(0, start - negation.REACH), start) is not None
            or answered.match(text, end) is not None)
    assert negation.denied(text, start, end, _negators(text)) == full


def test_find_reports_where_negators_start():
    from recruit_detect.cues import default_cues

    text = normalize("Kami tidak pernah minta DP, bukan lewat calo. Tanpa tes!").text
    spans, negators = default_cues()._phrase_spans(text, tokenize(text))
    assert negators == _negators(text) == [5, 28, 46] and negation.MARK not in spans
