"""How well the cue engine finds the cue spans annotators marked, per cue and overall.

recall: annotated spans that a hit of the same cue overlaps. precision: hits that overlap an
annotated span of their cue. The highlights are what an officer reads, so they are measured
against the annotation directly, not only through the classifier's scores.

Negated spans and hits are left out on both sides ("tanpa biaya" is shown as cancelled, not as a
cue), and only posts with at least one annotated span count: the project's guidelines mark every
cue in ads and hard negatives but let other not-ad posts (sales, chatter) go unmarked, so a hit
there is not known to be wrong. Overlap, not equal offsets: annotators and rules draw the edges of
"biaya admin 3jt transfer dulu" differently, and either edge highlights the same cue.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

Span = tuple[str, int, int]  # (cue id, start, end), half-open code-point offsets


def parse_annotation(value, negated: bool = False) -> tuple[Span, ...] | None:
    """The un-negated spans (with `negated`, the negated ones) of a corpus record's `cues` field
    (DESIGN 4.1), or None when the value is not such a list, so a researcher's unrelated `cues`
    column is ignored, not misread."""
    if not isinstance(value, list):
        return None
    spans = []
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("cue"), str):
            return None
        start, end = item.get("start"), item.get("end")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end):
            return None
        if bool(item.get("negated")) == negated:
            spans.append((item["cue"], start, end))
    return tuple(spans)


def _overlaps(a: Span, b: Span) -> bool:
    return a[0] == b[0] and a[1] < b[2] and b[1] < a[2]


def agreement(annotated: Iterable[Sequence[Span] | None], found: Iterable[Sequence[Span]]) -> dict:
    """Compare each post's annotated spans with the spans the engine found in it (un-negated
    hits). Posts without annotated spans (empty or None) are skipped (see the module docstring)."""
    counts = {key: Counter() for key in ("annotated", "recalled", "hits", "correct")}
    posts = 0
    for gold, hits in zip(annotated, found):
        if not gold:
            continue
        posts += 1
        for span in gold:
            counts["annotated"][span[0]] += 1
            counts["recalled"][span[0]] += any(_overlaps(span, hit) for hit in hits)
        for hit in hits:
            counts["hits"][hit[0]] += 1
            counts["correct"][hit[0]] += any(_overlaps(hit, span) for span in gold)

    def entry(annotated, recalled, hits, correct):
        return {"annotated": annotated, "recall": round(recalled / annotated, 4) if annotated else None,
                "hits": hits, "precision": round(correct / hits, 4) if hits else None}

    cues = sorted(set(counts["annotated"]) | set(counts["hits"]), key=lambda c: (-counts["annotated"][c], c))
    return {"posts": posts,
            "overall": entry(*(sum(counts[k].values()) for k in counts)),
            "by_cue": {c: entry(*(counts[k][c] for k in counts)) for c in cues}}


def engine_spans(analysis) -> tuple[Span, ...]:
    """The un-negated hits of an `Analysis`, as spans."""
    return tuple((h.cue, h.start, h.end) for h in analysis.cues if not h.negated)


def shown_spans(verdict) -> tuple[Span, ...]:
    """The highlights a score record shows for a `Verdict`: the rules' un-negated hits and the
    span tagger's (on posts in the review and high bands)."""
    return engine_spans(verdict.analysis) + tuple((h.cue, h.start, h.end) for h in verdict.learned)


def engine_hits(analysis) -> tuple[tuple[str, int, int, bool], ...]:
    """Every hit of an `Analysis` as (cue, start, end, negated), for `negation_agreement`."""
    return tuple((h.cue, h.start, h.end, h.negated) for h in analysis.cues)


def negation_agreement(kept: Iterable[Sequence[Span]], denied: Iterable[Sequence[Span]],
                       found: Iterable[Sequence[tuple[str, int, int, bool]]]) -> dict:
    """How the engine's `negated` agrees with the annotators' on the hits both drew: every hit
    that overlaps an annotated span of its cue, kept or denied. recall: of those the annotators
    marked denied, the share the engine negated; precision: of those the engine negated, the share
    the annotators marked denied. `found` holds each post's hits as (cue, start, end, negated)."""
    n = marked = negated = both = 0
    for keep, deny, hits in zip(kept, denied, found):
        for cue, start, end, engine in hits:
            span = (cue, start, end)
            is_denied = any(_overlaps(span, d) for d in deny or ())
            if not (is_denied or any(_overlaps(span, k) for k in keep or ())):
                continue
            n += 1
            marked += is_denied
            negated += engine
            both += is_denied and engine
    return {"hits": n, "denied": marked, "recall": round(both / marked, 4) if marked else None,
            "negated": negated, "precision": round(both / negated, 4) if negated else None}
