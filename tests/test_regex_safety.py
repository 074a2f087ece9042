"""Regex safety: every pattern that reads a post compiles through `safe_regex`, whose time is bounded
at run time (a CPU-time alarm per post on `re`, then a fallback on `regex` with a timeout per
call). On top of that a structural lint rejects the classic catastrophic shape, and the two
engines must agree on every corpus match. Timing is measured, not asserted:
benchmarks/bench_regex_safety.py."""
import re
import re._constants as C
import re._parser as P

import pytest

from recruit_detect import entities, money, normalize, safe_regex
from recruit_detect.cues import default_cues
from recruit_detect.detector import analyze, post_patterns

CATASTROPHIC = r"(.*a){20}x"  # polynomial backtracking even in `regex`: ~1 s on 200 characters


PATTERNS = [p for p in post_patterns() if p.pattern != CATASTROPHIC]


def _nested_unbounded(items, inside=False) -> bool:
    for op, arg in items:
        if op in (C.MAX_REPEAT, C.MIN_REPEAT):
            low, high, sub = arg
            unbounded = high == C.MAXREPEAT
            if unbounded and inside:
                return True
            if _nested_unbounded(sub, inside or unbounded):
                return True
        elif op == C.SUBPATTERN:
            if _nested_unbounded(arg[-1], inside):
                return True
        elif op == C.BRANCH:
            if any(_nested_unbounded(b, inside) for b in arg[1]):
                return True
        elif op in (C.ASSERT, C.ASSERT_NOT):
            if _nested_unbounded(arg[1], inside):
                return True
        elif op == C.ATOMIC_GROUP or op == C.POSSESSIVE_REPEAT:
            continue  # no backtracking into these
    return False


def test_every_pattern_that_reads_posts_is_guarded():
    import recruit_detect.cues as cues_module

    for module in (entities, money, normalize, cues_module):
        plain = [name for name, value in vars(module).items() if isinstance(value, re.Pattern)]
        assert plain == [], f"{module.__name__} compiles {plain} with `re`; use safe_regex.compile"
    for cue in default_cues().cues:
        assert all(isinstance(s.pattern, safe_regex.SafePattern) for s in cue.scanners)
        assert all(isinstance(p, (safe_regex.SafePattern, type(None))) for p in (cue.suppressor, cue.context))
    names = {p.name for p in PATTERNS}
    assert {"entities.phone", "money.amount", "entities.destination", "normalize.leet_token", "cue fee_demand"} <= names
    assert len(PATTERNS) >= 120


@pytest.mark.parametrize("pattern", PATTERNS, ids=[f"{p.name}:{k}" for k, p in enumerate(PATTERNS)])
def test_no_nested_unbounded_repetition(pattern):
    assert not _nested_unbounded(P.parse(pattern.pattern)), f"{pattern.name} nests unbounded repetitions"


def test_the_lint_catches_the_classic_shapes():
    assert _nested_unbounded(P.parse(r"(a+)+b")) and _nested_unbounded(P.parse(r"(?:\w+\s*)*x"))
    assert not _nested_unbounded(P.parse(r"(?:\w+\s+){0,2}\d+")) and not _nested_unbounded(P.parse(r"a+b*"))


def test_both_engines_find_the_same_matches_on_the_corpus(records):
    texts = [normalize.normalize(post["text"]).text for post in records[::3]]
    fast = [[[m.span() for m in p.finditer(t)] for p in PATTERNS] for t in texts]
    with safe_regex.guarded() as noted:
        slow = [[[m.span() for m in p.finditer(t)] for p in PATTERNS] for t in texts]
    assert noted == [] and fast == slow


def test_a_guarded_call_that_runs_out_of_time_falls_back_and_is_noted(monkeypatch):
    monkeypatch.setattr(safe_regex, "CALL_SECONDS", 0.05)
    slow = safe_regex.compile(CATASTROPHIC, name="test.catastrophic")
    with safe_regex.guarded() as noted:
        assert list(slow.finditer("a" * 400)) == []
        assert slow.search("a" * 400) is None and slow.match("a" * 400) is None
        assert slow.sub("-", "a" * 400) == "a" * 400 and slow.findall("a" * 400) == []
        assert [m.span() for m in slow.finditer("a" * 20 + "x")] == [(0, 21)]  # an easy text is still matched
    assert noted == ["test.catastrophic"]


def test_matches_found_before_the_budget_ran_out_are_kept(monkeypatch):
    monkeypatch.setattr(safe_regex, "CALL_SECONDS", 0.05)
    slow = safe_regex.compile(r"b|" + CATASTROPHIC, name="test.partial")
    with safe_regex.guarded() as noted:
        spans = [m.span() for m in slow.finditer("bb" + "a" * 400)]
    assert spans == [(0, 1), (1, 2)] and noted == ["test.partial"]


def test_the_alarm_stops_a_runaway_re_match():
    quadratic = safe_regex.compile(r"[.!?]+(?:\s|$)", name="test.quadratic")  # 9 s on this text in `re`
    assert safe_regex.can_interrupt()
    with pytest.raises(safe_regex.OutOfTime):
        with safe_regex.interrupt_after(0.2):
            quadratic.search("." * 20_000 + "x")
    assert quadratic.search("..x. ") is not None  # disarmed: nothing rings afterwards


def test_a_post_that_rings_the_alarm_is_analyzed_again_and_says_what_ran_out(monkeypatch):
    monkeypatch.setattr(safe_regex, "CALL_SECONDS", 0.05)
    monkeypatch.setattr(entities, "_EMAIL", safe_regex.compile(r"(.*a){20}@x", name="test.slow_email"))
    post = "Lowongan ke Kamboja, biaya admin 5 juta, WA 0812-3456-7890, hubungi @x " + "ab" * 150
    analysis = analyze(post)
    assert analysis.warnings == ("pattern test.slow_email ran out of time; its cues or entities may be incomplete",)
    assert {e.kind for e in analysis.entities} >= {"phone", "destination"}
    assert {h.cue for h in analysis.cues} >= {"fee_demand", "scam_destination"}


def test_the_fallback_gives_the_same_analysis_as_the_fast_path(monkeypatch, records):
    posts = [r["text"] for r in records[:60]]
    fast = [analyze(p) for p in posts]
    monkeypatch.setattr(safe_regex, "can_interrupt", lambda: False)  # as where no alarm can be set
    slow = [analyze(p) for p in posts]
    assert [(a.cues, a.entities, a.normalized.text, a.warnings) for a in slow] == \
        [(a.cues, a.entities, a.normalized.text, ()) for a in fast]


def test_no_warnings_on_an_ordinary_post():
    assert analyze("Dicari admin gudang, gaji UMR, kirim CV ke HRD PT Maju Jaya.").warnings == ()


def test_compile_errors_are_re_errors():
    with pytest.raises(re.error):
        safe_regex.compile("(unclosed")
