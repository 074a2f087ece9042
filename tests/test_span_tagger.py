import random

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

from recruit_detect.cli import cli
from recruit_detect.detector import Detector, analyze
from recruit_detect.persist import load_model, read_model_data
from recruit_detect.span_tagger import SpanTagger, features, highlights, learn, token_labels, token_spans

# Filler and a planted phrase in made-up words, so no cue rule knows it: what the tagger finds
# there it learned from the annotation alone.
FILLER = ["info lengkap hubungi admin", "kerja di luar negeri", "gaji menarik", "syarat mudah",
          "berangkat bulan depan", "kuota terbatas", "segera daftar", "untuk pria dan wanita"]
PLANTED = "zorblat kweenik"


def toy_corpus(n=60, seed=3):
    rng = random.Random(seed)
    texts, spans = [], []
    for k in range(n):
        parts = rng.sample(FILLER, 4)
        if k % 2 == 0:
            parts.insert(rng.randrange(5), PLANTED)
        text = ", ".join(parts)
        at = text.find(PLANTED)
        texts.append(text)
        spans.append((("job_order_detail", at, at + len(PLANTED)),) if at >= 0 else ())
    return texts, spans


@pytest.fixture(scope="module")
def toy_tagger():
    texts, spans = toy_corpus()
    return SpanTagger().fit([analyze(t) for t in texts], spans)


def test_the_tagger_learns_a_phrase_no_rule_knows(toy_tagger):
    post = "lowongan baru: " + PLANTED + " untuk lulusan SMA"
    assert toy_tagger.spans([analyze(post)]) == [[("job_order_detail", 15, 30, pytest.approx(1.0, abs=0.1))]]
    assert post[15:30] == PLANTED
    assert toy_tagger.spans([analyze("kerja di luar negeri, gaji menarik")]) == [[]]


def test_token_labels_take_the_shortest_covering_span():
    a = analyze("biaya admin 5jt ya")
    spans = (("fee_demand", 0, 15), ("unrealistic_pay", 12, 15))
    # the normalizer reads "5jt" as "5 juta": two tokens, each mapped back into the original "5jt"
    assert [t for t, _ in a.tokens] == ["biaya", "admin", "5", "juta", "ya"]
    assert token_spans(a) == ([0, 6, 12, 13, 16], [5, 11, 13, 15, 18])
    assert token_labels(a, spans) == ["fee_demand", "fee_demand", "unrealistic_pay", "unrealistic_pay", "O"]


def test_a_rule_hit_of_the_same_cue_wins(toy_tagger):
    a = analyze("biaya admin 5jt, " + PLANTED)
    fee = [h for h in a.cues if h.cue == "fee_demand"]
    assert fee and not any(c == "fee_demand" for c, *_ in toy_tagger.spans([a])[0])


def test_switched_off_cues_are_not_highlighted(toy_tagger):
    a = analyze("lowongan baru: " + PLANTED)
    toy_tagger.off_ = ["job_order_detail"]
    try:
        assert toy_tagger.spans([a]) == [[]]
    finally:
        toy_tagger.off_ = []


def test_learn_needs_enough_annotated_posts():
    texts, spans = toy_corpus(n=120)
    analyses = [analyze(t) for t in texts]
    y = [k % 4 == 0 for k in range(120)]
    assert learn(analyses[:98], spans[:98], y[:98], list(range(98))) == (None, None)  # 49 annotated
    tagger, metrics = learn(analyses, spans, y, [f"g{k}" for k in range(120)])
    # every planted phrase is found out of fold, and nothing else is highlighted by the tagger
    assert metrics["posts"] == 60 and metrics["folds"] == 3
    assert metrics["model_only"] == {"annotated": 60, "recall": 1.0, "hits": 60, "precision": 1.0}
    assert metrics["rules"]["recall"] == 0.0
    assert tagger.off_ == []


words = st.sampled_from(["Dicari", "TKW", "ke", "Taiwan", "biaya", "admin", "5jt", "transfer", "dulu", "\n",
                         "PT", "Maju", "Jaya", "resmi", "0812-3344-5566", "visa", "turis", "Kamboja", "gaji",
                         "$1.200", "😮", "tanpa", "kata", "polisi", ".", ",", "Rp", "15.000.000", "ʙɪᴀʏᴀ"])
texts = st.lists(words, max_size=30).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(st.lists(texts, min_size=1, max_size=4))
def test_learned_spans_lie_on_tokens_and_do_not_depend_on_the_batch(posts):
    tagger = Detector.load().tagger
    analyses = [analyze(p) for p in posts]
    together = tagger.spans(analyses)
    assert together == [tagger.spans([a])[0] for a in analyses]
    for a, found in zip(analyses, together):
        starts, ends = token_spans(a)
        rules = {(h.cue, h.start, h.end) for h in a.cues}
        for cue, start, end, p in found:
            assert 0 <= start < end <= len(a.post) and start in starts and end in ends
            assert any(ch.isalnum() for ch in a.post[start:end])  # never punctuation alone
            assert 0.5 <= p <= 1.0
            assert not any(c == cue and s < end and start < e for c, s, e in rules)
    batch = features(analyses)
    single = [features([a]) for a in analyses]
    assert np.array_equal(batch.keys, np.concatenate([b.keys for b in single]))
    assert np.allclose(tagger.probabilities(batch).sum(axis=1), 1.0)


def test_both_readers_of_a_model_file_give_the_same_highlights(small_model, records):
    model, _ = load_model(small_model)
    data, _ = read_model_data(small_model)
    from_data = SpanTagger.from_data(data["span_tagger_"])
    docs = [analyze(t) for t in toy_corpus()[0][:10]] + [analyze("Dicari TKW ke Taiwan, biaya admin 5jt transfer dulu")]
    docs += [analyze(r["text"]) for r in records[::100]]
    found = model.span_tagger_.spans(docs)
    assert found == from_data.spans(docs)
    assert sum(map(len, found)) > 0  # the comparison covers real highlights, not only empty lists
    assert Detector.load(small_model).tagger is not None


def test_from_data_refuses_mismatched_arrays(small_model):
    data, _ = read_model_data(small_model)
    broken = dict(data["span_tagger_"], weights_=data["span_tagger_"]["weights_"][:-1])
    with pytest.raises(ValueError, match="mismatched"):
        SpanTagger.from_data(broken)


SHIPPED_POST = ("Dibutuhkan segera 20 orang kerja di pabrik elektronik Taiwan, gaji 25jt/bln. Biaya proses 15jt "
                "bisa potong gaji. Hubungi Bu Ratna 0812-3344-5566, PT Maju Jaya Sentosa resmi terdaftar")


def test_the_shipped_model_adds_learned_highlights_to_flagged_posts():
    detector = Detector.load()
    verdict = detector.verdicts([SHIPPED_POST])[0]
    record = detector.record(verdict, "x")
    learned = [(c["cue"], c["start"], c["end"]) for c in record["cues"] if c["source"] == "model"]
    company = SHIPPED_POST.index("PT Maju Jaya Sentosa")
    assert verdict.band == "high"
    # the company name, which no rule lists, is highlighted from its start
    assert any(cue == "licensed_agency" and start == company and end <= company + 20 for cue, start, end in learned)
    assert all((c["source"] == "model") == ("probability" in c) for c in record["cues"])
    assert {c["source"] for c in record["cues"]} == {"rules", "model"}
    assert [c["start"] for c in record["cues"]] == sorted(c["start"] for c in record["cues"])


def test_low_band_posts_keep_the_rules_highlights_alone():
    detector = Detector.load()
    verdict = detector.verdicts(["Toko roti Sari Rasa di Bandung butuh kasir, gaji UMR, PT Sari Rasa Abadi"])[0]
    assert verdict.band == "low" and verdict.learned == ()


def test_check_says_which_highlights_were_learned():
    detector = Detector.load()
    record = detector.record(detector.verdicts([SHIPPED_POST])[0], "x")
    learned = [c for c in record["cues"] if c["source"] == "model"]
    result = CliRunner().invoke(cli, ["check", SHIPPED_POST])
    english = CliRunner().invoke(cli, ["check", "--lang", "en", SHIPPED_POST])
    assert result.exit_code == 0 and english.exit_code == 0 and learned
    for c in learned:
        assert f"“{c['text']}” (dipelajari model, {c['probability']:.2f})" in result.output
        assert f"“{c['text']}” (learned, {c['probability']:.2f})" in english.output
    rules = [c for c in record["cues"] if c["source"] == "rules"]
    assert not any("dipelajari" in line for line in result.output.splitlines() if f"“{rules[0]['text']}”" in line)



def test_training_ignores_span_labels_that_are_not_cues(tmp_path, records):
    """A researcher's corpus may mark its own span labels; only the cue set's become highlights."""
    import json

    from recruit_detect.corpus import load_posts
    from recruit_detect.training import train

    picked = [r for r in records if r["cues"]][:80] + [r for r in records if r["label"] != "illegal"][:40]
    renamed = [dict(r, cues=[dict(c, cue="my_" + c["cue"]) if c["cue"] == "fee_demand" else c for c in r["cues"]])
               for r in picked]
    path = tmp_path / "mine.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in renamed), encoding="utf-8")
    model, metadata, card, _ = train(load_posts([path]), folds=3)
    assert not any(c.startswith("my_") for c in model.span_tagger_.classes_)
    assert "fee_demand" not in model.span_tagger_.classes_ and "private_contact" in model.span_tagger_.classes_
    assert metadata["highlights"]["posts"] >= 50 and "## Highlights" in card


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 2**64 - 1), max_size=200), st.randoms(use_true_random=False))
def test_the_key_table_finds_what_a_binary_search_finds(absent, rnd):
    """The hash table and its overflow list give each key's row exactly as searching keys_ would."""
    tagger = Detector.load().tagger
    keys = tagger.keys_
    present = [int(keys[rnd.randrange(len(keys))]) for _ in range(200)]
    query = np.array(present + absent, dtype=np.uint64)
    where = np.searchsorted(keys, query).clip(max=len(keys) - 1)
    expected = np.where(keys[where] == query, where, len(keys))
    assert np.array_equal(tagger._rows(query), expected)
    assert len(tagger._cache()["overflow"]) > 0  # the shipped keys do collide, so both paths are checked


def _hand_made_tagger(words: dict[str, list[float]]) -> SpanTagger:
    """A tagger whose only weights are each word's own (classes O, fee_demand, urgency)."""
    from recruit_detect.span_tagger import _WORD, WINDOW, _crc

    keys = sorted(((_WORD + WINDOW) << 32 | _crc(w), scores) for w, scores in words.items())
    tagger = SpanTagger()
    tagger.classes_ = ["O", "fee_demand", "urgency"]
    tagger.keys_ = np.array([k for k, _ in keys], dtype=np.uint64)
    tagger.weights_ = np.array([s for _, s in keys] + [[0.0, 0.0, 0.0]], dtype=np.float16)
    tagger.intercept_ = np.zeros(3, dtype=np.float32)
    return tagger


def test_a_highlight_extends_over_likely_neighbours_of_its_cue():
    # alpha: fee_demand at 0.91; beta: fee_demand likeliest at 0.41 (above EXTEND, below the
    # threshold); gamma: outside
    tagger = _hand_made_tagger({"alpha": [-3, 3, -3], "beta": [-1, 0, -0.2], "gamma": [3, -3, -3]})
    spans = tagger.spans([analyze(t) for t in ("alpha beta gamma", "beta gamma", "gamma beta alpha beta")])
    assert [[(c, a, b) for c, a, b, _ in found] for found in spans] == [
        [("fee_demand", 0, 10)], [], [("fee_demand", 6, 21)]]
    assert spans[0][0][3] == pytest.approx(0.91, abs=0.01)


@settings(max_examples=200, deadline=None)
@given(texts)
def test_negators_are_the_ones_the_phrase_search_finds(text):
    from recruit_detect.cues import default_cues

    cues, a = default_cues(), analyze(text + " tidak ada biaya, tanpa DP, bukan calo, ga pake deposit")
    assert cues.negators(a.normalized.text, a.tokens) == cues._phrase_spans(a.normalized.text, a.tokens)[1]


def test_a_learned_risk_highlight_the_post_denies_is_not_shown():
    # "paspor" is learned as document retention and a made-up word as low requirements; a post that
    # denies them shows neither, but a negator that begins the cue's own phrase ("tanpa
    # pengalaman": no experience needed) is read with the phrase, as the rules read it
    tagger = _hand_made_tagger({"paspor": [-3, 3, -3], "zorblat": [-3, -3, 3]})
    tagger.classes_ = ["O", "document_retention", "low_requirements"]
    from recruit_detect.cues import default_cues

    def shown(text):
        return [(h.cue, text[h.start:h.end], h.source) for h in highlights(tagger, [analyze(text)], default_cues())[0]]

    assert shown("bawa paspor ya") == [("document_retention", "paspor", "model")]
    assert shown("kami tidak menahan paspor") == shown("paspor? tidak ada") == shown("kami tidak minta zorblat") == []
    assert shown("tanpa zorblat langsung kerja") == [("low_requirements", "zorblat", "model")]
