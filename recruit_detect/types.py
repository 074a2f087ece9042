"""Frozen result types shared by the core stages. Offsets always point into the original post."""
from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from typing import Any


class CompactPickle:
    """Pickles as the class and its field values, not the default state dict and one setattr per
    field of a frozen dataclass: training sends every analysis back from its worker processes
    (dumping and loading a post's analysis took about 400 us before this and the compact tokens
    of `Analysis.__reduce__`, 240 after, on 3,000 posts)."""

    def __reduce__(self):
        return type(self), tuple(self.__dict__.values())  # a dataclass's __dict__ is in field order


@dataclass(frozen=True)
class CueHit(CompactPickle):
    """One cue found in a post: `post[start:end]` is the highlighted text."""

    cue: str
    start: int
    end: int
    score: float
    severity: str
    polarity: str
    negated: bool = False  # "tanpa biaya": the cue's own phrase, cancelled by a suppressor
    reported: bool = False  # inside a news, warning, question or testimony frame

    @property
    def active(self) -> bool:
        return not (self.negated or self.reported)

    def to_dict(self, post: str, reason: str) -> dict[str, Any]:
        return {"cue": self.cue, "start": self.start, "end": self.end, "text": post[self.start:self.end],
                "severity": self.severity, "polarity": self.polarity, "score": round(self.score, 3),
                "reported": self.reported, "reason": reason}


@dataclass(frozen=True)
class Entity(CompactPickle):
    """A contact, amount, destination or organisation pulled out of a post."""

    kind: str  # phone | whatsapp | telegram | email | url | money | destination | organisation | licence | age
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

    def __reduce__(self):
        # Tokens travel as one string and an int array: a tuple of (str, int) pairs pickled at
        # 85 us a post. "\x1f" cannot occur in a token: the normalizer turns control characters
        # into spaces.
        words = "\x1f".join(t for t, _ in self.tokens)
        return _unpack_analysis, (self.post, self.normalized, self.cues, self.entities, words,
                                  array("i", [s for _, s in self.tokens]), self.warnings)


def _unpack_analysis(post, normalized, cues, entities, words, starts, warnings) -> Analysis:
    tokens = tuple(zip(words.split("\x1f"), starts)) if starts else ()
    return Analysis(post, normalized, cues, entities, tokens, warnings)


@dataclass(frozen=True)
class Verdict:
    risk: float
    band: str
    illegal: bool
    analysis: Analysis
    terms: tuple[tuple[int, int, float], ...] = field(default=())  # (start, end, weight) of strong model terms


@dataclass(frozen=True)
class Thresholds:
    illegal: float  # risk >= illegal -> flagged
    high: float  # risk >= high -> band "high"
    review: float  # review <= risk < high -> band "review"

    def band(self, risk: float) -> str:
        return "high" if risk >= self.high else "review" if risk >= self.review else "low"

    def to_dict(self) -> dict:
        return {"illegal": self.illegal, "high": self.high, "review": self.review}
