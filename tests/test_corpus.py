"""The corpus contract (DESIGN 4.1, corpus/GUIDELINES.md) and the composition the data card promises."""
import collections
import re

from recruit_detect.cues import default_cues

KEYS = {"id", "text", "label", "subtype", "profile", "group", "platform", "obfuscated", "subtle", "cues", "author"}
SUBTYPES = {
    "illegal": {"scam_compound", "moratorium_domestic", "malaysia_backdoor", "fishing_crew", "fake_internship",
                "impersonation_fee", "task_scam", "advance_fee"},
    "legitimate": {"overseas_p3mi", "overseas_g2g", "overseas_training", "overseas_manning", "domestic"},
    "not_ad": {"news", "police_release", "warning", "outreach", "fact_check", "testimony", "jobseeker_query",
               "family_search", "travel_service", "sales", "loan_spam", "course", "jobseeker_post", "chatter"},
}
HARD_NEGATIVES = {"news", "police_release", "warning", "outreach", "fact_check", "testimony", "jobseeker_query",
                  "family_search"}
PLATFORMS = {"facebook", "instagram", "tiktok", "x", "telegram", "whatsapp", "news_site", "forum"}


def test_schema(records):
    for r in records:
        assert set(r) == KEYS, r["id"]
        assert isinstance(r["text"], str) and r["text"].strip(), r["id"]
        assert r["subtype"] in SUBTYPES[r["label"]], r["id"]
        assert r["platform"] in PLATFORMS, r["id"]
        assert isinstance(r["obfuscated"], bool) and isinstance(r["subtle"], bool), r["id"]
        assert r["profile"] in ({f"P{k}" for k in range(1, 8)} | {None} if r["label"] == "illegal" else {None}), r["id"]
        assert r["group"].startswith(r["author"] + "-g"), r["id"]


def test_ids_are_unique(records):
    counts = collections.Counter(r["id"] for r in records)
    assert [i for i, n in counts.items() if n > 1] == []


def test_cue_spans_are_valid(records):
    known = set(default_cues().ids)
    for r in records:
        for c in r["cues"]:
            assert c["cue"] in known, (r["id"], c)
            assert 0 <= c["start"] < c["end"] <= len(r["text"]), (r["id"], c)
            assert r["text"][c["start"]:c["end"]].strip(), (r["id"], c)
            assert isinstance(c["reported"], bool) and isinstance(c["negated"], bool)


def test_spans_on_ads_and_hard_negatives(records):
    for r in records:
        if r["label"] != "not_ad" or r["subtype"] in HARD_NEGATIVES:
            assert r["cues"], r["id"]


def _grams(text, n=5):
    words = re.findall(r"\w+", text.lower())
    return {" ".join(words[i:i + n]) for i in range(len(words) - n + 1)}


def test_posts_in_different_groups_share_at_most_half_their_5_grams(records):
    grams = [_grams(r["text"]) for r in records]
    index = collections.defaultdict(set)
    for k, g in enumerate(grams):
        for gram in g:
            index[gram].add(k)
    offenders = []
    for k, g in enumerate(grams):
        shared = collections.Counter(j for gram in g for j in index[gram]
                                     if j > k and records[j]["group"] != records[k]["group"])
        for j, n in shared.items():
            if n / min(len(g), len(grams[j])) > 0.5:
                offenders.append((records[k]["id"], records[j]["id"]))
    assert offenders == []


def test_composition_minimums(records):
    by = collections.Counter((r["label"]) for r in records)
    illegal = [r for r in records if r["label"] == "illegal"]
    legit = [r for r in records if r["label"] == "legitimate"]
    not_ad = [r for r in records if r["label"] == "not_ad"]
    assert len(records) >= 1800
    assert by["illegal"] >= 700 and by["legitimate"] >= 500 and by["not_ad"] >= 600
    profiles = collections.Counter(r["profile"] for r in illegal)
    assert all(profiles[f"P{k}"] >= 40 for k in range(1, 8)), profiles
    assert sum(r["obfuscated"] for r in illegal) >= 150
    assert sum(r["subtle"] for r in illegal) >= 120
    assert sum(r["subtype"] != "domestic" for r in legit) >= 200
    assert sum(r["subtype"] == "domestic" for r in legit) >= 300
    assert sum(r["subtype"] in HARD_NEGATIVES for r in not_ad) >= 350
    assert sum(r["subtype"] not in HARD_NEGATIVES for r in not_ad) >= 250


def test_authors_and_platforms_are_varied(records):
    assert len({r["author"] for r in records}) >= 5
    assert len({r["platform"] for r in records}) == len(PLATFORMS)
