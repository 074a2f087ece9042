"""Structural guard against catastrophic backtracking: no unbounded repetition may contain another
unbounded repetition (the `(a+)+` shape), in any cue, entity, money or normalizer pattern. The
timing side is measured, not asserted: benchmarks/bench_regex_safety.py (50k-character inputs)."""
import re
import re._constants as C
import re._parser as P

import pytest

from recruit_detect import entities, money, normalize
from recruit_detect.cues import default_cues


def _all_patterns():
    for cue in default_cues().cues:
        for k, scanner in enumerate(cue.scanners):
            yield f"{cue.id}.scanner{k}", scanner.pattern.pattern
        for kind in ("suppressor", "context"):
            if getattr(cue, kind) is not None:
                yield f"{cue.id}.{kind}", getattr(cue, kind).pattern
    for module in (entities, money, normalize):
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern):
                yield f"{module.__name__}.{name}", value.pattern
    yield "money.amount", money._currencies()[2].pattern
    yield "entities.destination", entities._destination_pattern()[1].pattern


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


PATTERNS = list(_all_patterns())


@pytest.mark.parametrize("name,source", PATTERNS, ids=[n for n, _ in PATTERNS])
def test_no_nested_unbounded_repetition(name, source):
    assert not _nested_unbounded(P.parse(source)), f"{name} nests unbounded repetitions"


def test_the_guard_catches_the_classic_shapes():
    assert _nested_unbounded(P.parse(r"(a+)+b")) and _nested_unbounded(P.parse(r"(?:\w+\s*)*x"))
    assert not _nested_unbounded(P.parse(r"(?:\w+\s+){0,2}\d+")) and not _nested_unbounded(P.parse(r"a+b*"))
