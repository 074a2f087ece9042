import json

from hypothesis import given, settings, strategies as st

from recruit_detect.corpus import Mapping, load_posts
from recruit_detect.cue_spans import agreement, engine_hits, engine_spans, negation_agreement, parse_annotation
from recruit_detect.detector import analyze


def test_agreement_counts_overlaps_of_the_same_cue():
    gold = [[("fee_demand", 10, 20), ("private_contact", 30, 35), ("urgency", 40, 45)],
            [],  # not annotated: its hit is not counted against the engine
            [("fee_demand", 0, 5)]]
    found = [[("fee_demand", 18, 25), ("private_contact", 35, 40), ("scam_job", 0, 3)],
             [("fee_demand", 0, 9)],
             [("fee_demand", 4, 6), ("fee_demand", 50, 60)]]
    result = agreement(gold, found)
    assert result["posts"] == 2
    # fee 10-20 and 0-5 recalled; contact 30-35 only touches 35-40 (half-open); urgency missed.
    assert result["overall"] == {"annotated": 4, "recall": 0.5, "hits": 5, "precision": 0.4}
    assert result["by_cue"] == {
        "fee_demand": {"annotated": 2, "recall": 1.0, "hits": 3, "precision": 0.6667},
        "private_contact": {"annotated": 1, "recall": 0.0, "hits": 1, "precision": 0.0},
        "urgency": {"annotated": 1, "recall": 0.0, "hits": 0, "precision": None},
        "scam_job": {"annotated": 0, "recall": None, "hits": 1, "precision": 0.0},
    }


spans = st.lists(st.tuples(st.sampled_from(["a", "b"]), st.integers(0, 50), st.integers(1, 10)).map(
    lambda t: (t[0], t[1], t[1] + t[2])), min_size=1, max_size=6)


@settings(max_examples=200, deadline=None)
@given(st.lists(spans, min_size=1, max_size=5), st.lists(spans, min_size=1, max_size=5))
def test_agreement_is_perfect_on_itself_and_bounded(gold, found):
    assert agreement(gold, gold)["overall"]["recall"] == agreement(gold, gold)["overall"]["precision"] == 1.0
    result = agreement(gold, found)
    for e in (result["overall"], *result["by_cue"].values()):
        assert all(v is None or 0.0 <= v <= 1.0 for v in (e["recall"], e["precision"]))
    assert result["overall"]["annotated"] == sum(map(len, gold[:len(found)]))


def test_parse_annotation_reads_the_corpus_field_and_ignores_other_columns():
    cues = [{"cue": "fee_demand", "start": 3, "end": 9, "reported": False, "negated": False},
            {"cue": "fee_demand", "start": 12, "end": 20, "reported": False, "negated": True}]
    assert parse_annotation(cues) == (("fee_demand", 3, 9),)
    assert parse_annotation([]) == ()
    assert parse_annotation("fee_demand") is None
    assert parse_annotation([{"cue": "fee_demand", "start": 9, "end": 3}]) is None
    assert parse_annotation([{"name": "x"}]) is None


def test_engine_spans_leave_out_negated_hits():
    analysis = analyze("Lowongan ke Taiwan tanpa biaya admin, tapi transfer dulu 2 juta")
    assert [(h.cue, h.negated) for h in analysis.cues] == [("zero_cost", False), ("fee_demand", True),
                                                           ("fee_demand", False)]
    assert engine_spans(analysis) == (("zero_cost", 19, 30), ("fee_demand", 43, 63))
    assert engine_hits(analysis) == tuple((h.cue, h.start, h.end, h.negated) for h in analysis.cues)


def test_load_posts_keeps_annotated_spans_only_for_a_single_text_field(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"id": "x", "text": "bayar dulu", "title": "t", "label": "illegal",
                                "cues": [{"cue": "fee_demand", "start": 0, "end": 10, "negated": False},
                                         {"cue": "fee_demand", "start": 0, "end": 5, "negated": True}]}) + "\n")
    post = load_posts([path])[0]
    assert (post.spans, post.denied) == ((("fee_demand", 0, 10),), (("fee_demand", 0, 5),))
    for mapping in (Mapping(text_fields=("title", "text")), Mapping(cues_field=None)):
        post = load_posts([path], mapping)[0]
        assert post.spans is None and post.denied is None


def test_negation_agreement_counts_the_hits_on_annotated_spans():
    record = [{"cue": "fee_demand", "start": 0, "end": 5, "negated": True},
              {"cue": "fee_demand", "start": 10, "end": 15},
              {"cue": "vague_recruiter", "start": 20, "end": 24, "negated": True}]
    kept, denied = parse_annotation(record), parse_annotation(record, negated=True)
    assert kept == (("fee_demand", 10, 15),)
    assert denied == (("fee_demand", 0, 5), ("vague_recruiter", 20, 24))
    hits = (("fee_demand", 1, 4, True), ("fee_demand", 11, 14, True), ("vague_recruiter", 20, 24, False),
            ("private_contact", 30, 32, True))  # the last overlaps no annotated span: not counted
    assert negation_agreement([kept], [denied], [hits]) == {"hits": 3, "denied": 2, "recall": 0.5, "negated": 2,
                                                            "precision": 0.5}
    assert negation_agreement([()], [()], [hits]) == {"hits": 0, "denied": 0, "recall": None, "negated": 0,
                                                      "precision": None}
