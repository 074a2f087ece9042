"""Frozen result types shared by the core stages. Offsets always point into the original post."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class CueHit:
    """One cue found in a post: `post[start:end]` is the highlighted text."""

    cue: str
    start: int
    end: int
    score: float
    severity: str
    polarity: str
    negated: bool = False  # "tanpa biaya": the cue's own phrase, cancelled by a suppressor
    reported: bool = False  # inside a news, warning, question or testimony frame
    # "rules" (the cue files) or "model" (span_tagger.py, with the tagger's probability)
    source: str = "rules"
    probability: float | None = None

    @property
    def active(self) -> bool:
        return not (self.negated or self.reported)

    def to_dict(self, post: str, reason: str) -> dict[str, Any]:
        return {"cue": self.cue, "start": self.start, "end": self.end, "text": post[self.start:self.end],
                "severity": self.severity, "polarity": self.polarity, "score": round(self.score, 3),
                "reported": self.reported, "reason": reason, "source": self.source,
                **({"probability": round(self.probability, 3)} if self.probability is not None else {})}


@dataclass(frozen=True)
class Entity:
    """A contact, amount, destination or organisation pulled out of a post."""

    kind: str  # phone | whatsapp | telegram | group | email | url | money | account | destination | organisation | licence | age
    start: int
    end: int
    value: Any

    def to_dict(self, post: str) -> dict[str, Any]:
        return {"kind": self.kind, "start": self.start, "end": self.end,
                "text": post[self.start:self.end], "value": self.value}


@dataclass(frozen=True)
class Analysis:
    """Everything the rules know about a post; the model's input and the explanation's source."""

    post: str
    normalized: Any  # recruit_detect.normalize.Normalized
    cues: tuple[CueHit, ...]
    entities: tuple[Entity, ...] = field(default=())
    tokens: tuple[tuple[str, int], ...] = field(default=())  # (token, start in normalized text)
    warnings: tuple[str, ...] = field(default=())  # patterns that ran out of time (safe_regex)


@dataclass(frozen=True)
class Verdict:
    risk: float
    band: str
    illegal: bool
    analysis: Analysis
    terms: tuple[tuple[int, int, float], ...] = field(default=())  # (start, end, weight) of strong model terms
    learned: tuple[CueHit, ...] = field(default=())  # the span tagger's highlights (review and high bands)


@dataclass(frozen=True)
class Thresholds:
    illegal: float  # risk >= illegal -> flagged
    high: float  # risk >= high -> band "high"
    review: float  # review <= risk < high -> band "review"

    def band(self, risk: float) -> str:
        return "high" if risk >= self.high else "review" if risk >= self.review else "low"

    def to_dict(self) -> dict:
        return {"illegal": self.illegal, "high": self.high, "review": self.review}
