"""The cue engine: one TOML data file per cue, validated strictly, matched on normalized text.

The same hits feed the highlights an officer sees and the classifier's cue features, so there is
never a second copy of the rules.
"""
from __future__ import annotations

import bisect
import hashlib
import re
import tomllib
from dataclasses import dataclass, replace
from functools import cache, cached_property
from importlib import resources

from recruit_detect import negation, prefilter, safe_regex
from recruit_detect.errors import CueError
from recruit_detect.normalize import Normalized, normalize
from recruit_detect.tokens import tokenize
from recruit_detect.types import CueHit

SEVERITIES = {"hard": 1.0, "medium": 0.6, "weak": 0.3}
POLARITIES = ("risk", "legit", "not_ad")
_REQUIRED = {"title", "title_en", "reason", "reason_en", "severity", "polarity", "refs", "match", "no_match"}
_OPTIONAL = {"law", "phrases", "patterns", "suppressors", "context", "window", "suppress_after"}
_MIN_EXAMPLES = 5
_ID = safe_regex.compile(r"[a-z][a-z0-9_]*", name="cues.id")
# Cue patterns must not start or end inside a word: "visa" must not match "divisa".
_LEFT, _RIGHT = r"(?<![a-z0-9])", r"(?![a-z0-9])"
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
# Phrases of plain words are looked up on tokens (a dict from first word to phrases): one pass
# over the tokens instead of one regex scan per cue (benchmarks/results/cue_paths.json).
# Phrases with digits or punctuation ("t.me", "100% legal", "usia 17") stay regexes.
_TOKEN_PHRASE = safe_regex.compile(r"[a-z]+(?: [a-z]++)*", name="cues.token_phrase")


@dataclass(frozen=True)
class Scanner:
    """One of a cue's regexes. When the regex starts with a literal, the left word boundary is
    checked here instead of in the regex: a leading lookbehind stops `re` from jumping to
    candidate positions, and that made every cue scan cost a pass over the whole post. Skipping a
    position whose left boundary fails and searching again from the next one finds exactly the
    matches of the regex with the boundary inside (tests/test_cues.py)."""

    pattern: safe_regex.SafePattern
    left_in_python: bool

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Non-empty matches; the caller has already asked the prefilter whether any is possible."""
        if not self.left_in_python:
            return [m.span() for m in self.pattern.finditer(text) if m.end() > m.start()]
        return [m.span() for m in prefilter.finditer_left_bounded(self.pattern, text, _ALNUM.__contains__)]


def _scanner(cue_id: str, source: str) -> Scanner:
    core = _compile(cue_id, f"pattern {source!r}", f"(?:{source}){_RIGHT}")
    if prefilter.starts_with_literal(core):
        return Scanner(core, True)
    return Scanner(_compile(cue_id, f"pattern {source!r}", f"{_LEFT}(?:{source}){_RIGHT}"), False)


@dataclass(frozen=True)
class Cue:
    id: str
    title: str
    title_en: str
    reason: str
    reason_en: str
    severity: str
    polarity: str
    refs: tuple[str, ...]
    law: str
    phrases: tuple[str, ...]
    token_phrases: tuple[str, ...]  # matched on tokens (see CueSet._phrase_spans)
    scanners: tuple[Scanner, ...]  # the other phrases (one trie) and each regex pattern
    suppressor: safe_regex.SafePattern | None
    context: safe_regex.SafePattern | None
    window: int
    suppress_after: int
    match: tuple[str, ...]
    no_match: tuple[str, ...]

    def hit(self, norm: Normalized, a: int, b: int, negators: list[int]) -> CueHit:
        """The hit for normalized span [a, b): negated by a suppressor in its clause or, for a
        risk cue, by a denial (negation.py; `negators` are where negators start); boosted by context."""
        text = norm.text
        negated = bool(self.suppressor and negation.suppressed(self.suppressor, text, a, b, self.window,
                                                               self.suppress_after))
        if not negated and negators and self.polarity == "risk":
            negated = negation.denied(text, a, b, negators)
        boosted = bool(self.context and self.context.search(text, max(0, a - self.window), min(len(text), b + self.window)))
        start, end = norm.original_span(a, b)
        return CueHit(self.id, start, end, min(1.0, SEVERITIES[self.severity] + 0.2 * boosted), self.severity,
                      self.polarity, negated)


def _trie_regex(phrases) -> str:
    """Phrases as a prefix trie ("biaya admin|biaya adm" -> "biaya\\s+adm(?:in)?"): Python's
    regex engine tries alternatives one by one, so sharing prefixes makes matching several
    times faster. Spaces between words match any run of whitespace."""
    trie: dict = {}
    for phrase in phrases:
        node = trie
        for ch in " ".join(phrase.lower().split()):
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node) -> str:
        branches = [(r"\s+" if ch == " " else re.escape(ch)) + emit(child) for ch, child in sorted(node.items()) if ch]
        optional = "" in node
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if optional:
            return body + "?" if len(branches) == 1 and len(branches[0]) == 1 else f"(?:{body})?"
        return body
    return emit(trie)


def alternation(phrases) -> str:
    """One regex for a list of phrases (suppressors, context words), as a trie, never inside a word."""
    return _LEFT + "(?:" + _trie_regex(phrases) + ")" + _RIGHT


def _compile(cue_id: str, what: str, source: str) -> safe_regex.SafePattern:
    try:
        return safe_regex.compile(source, name=f"cue {cue_id}")
    except re.error as exc:
        raise CueError(f"cue {cue_id}: {what} does not compile ({exc}); fix the regex in {cue_id}.toml") from None


def _strings(cue_id: str, data: dict, key: str) -> list[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise CueError(f"cue {cue_id}: '{key}' must be a list of non-empty strings")
    return value


def parse_cue(cue_id: str, data: dict) -> Cue:
    """Validate one cue definition strictly and compile it."""
    if not _ID.fullmatch(cue_id):
        raise CueError(f"cue file name {cue_id!r} is not a snake_case id")
    unknown = set(data) - _REQUIRED - _OPTIONAL
    if unknown:
        raise CueError(f"cue {cue_id}: unknown keys {sorted(unknown)}; allowed: {sorted(_REQUIRED | _OPTIONAL)}")
    missing = _REQUIRED - set(data)
    if missing:
        raise CueError(f"cue {cue_id}: missing keys {sorted(missing)}")
    if data["severity"] not in SEVERITIES:
        raise CueError(f"cue {cue_id}: severity must be one of {sorted(SEVERITIES)}")
    if data["polarity"] not in POLARITIES:
        raise CueError(f"cue {cue_id}: polarity must be one of {list(POLARITIES)}")
    phrases, patterns = _strings(cue_id, data, "phrases"), _strings(cue_id, data, "patterns")
    if not phrases and not patterns:
        raise CueError(f"cue {cue_id}: needs at least one phrase or pattern")
    for p in patterns:
        _compile(cue_id, f"pattern {p!r}", p)
    suppressors, context = _strings(cue_id, data, "suppressors"), _strings(cue_id, data, "context")
    match, no_match = _strings(cue_id, data, "match"), _strings(cue_id, data, "no_match")
    if len(match) < _MIN_EXAMPLES or len(no_match) < _MIN_EXAMPLES:
        raise CueError(f"cue {cue_id}: needs at least {_MIN_EXAMPLES} 'match' and 'no_match' examples")
    window, after = data.get("window", 40), data.get("suppress_after", 0)
    for key, value in (("window", window), ("suppress_after", after)):
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 200:
            raise CueError(f"cue {cue_id}: '{key}' must be an integer between 0 and 200")
    for key in ("title", "title_en", "reason", "reason_en", "law"):
        if not isinstance(data.get(key, ""), str):
            raise CueError(f"cue {cue_id}: '{key}' must be a string")
    token_phrases = [p for p in phrases if _TOKEN_PHRASE.fullmatch(p.lower())]
    other_phrases = [p for p in phrases if p not in token_phrases]
    return Cue(
        id=cue_id, title=data["title"], title_en=data["title_en"], reason=data["reason"],
        reason_en=data["reason_en"], severity=data["severity"], polarity=data["polarity"],
        refs=tuple(_strings(cue_id, data, "refs")), law=data.get("law", ""), phrases=tuple(phrases),
        token_phrases=tuple(token_phrases),
        scanners=tuple(_scanner(cue_id, source) for source in
                       ([_trie_regex(other_phrases)] if other_phrases else []) + patterns),
        suppressor=_compile(cue_id, "suppressors", alternation(suppressors)) if suppressors else None,
        context=_compile(cue_id, "context", alternation(context)) if context else None,
        window=window, suppress_after=after, match=tuple(match), no_match=tuple(no_match))


@dataclass(frozen=True)
class CueSet:
    cues: tuple[Cue, ...]
    digest: str

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.cues)

    @cached_property
    def _by_id(self) -> dict[str, Cue]:
        return {c.id: c for c in self.cues}

    def get(self, cue_id: str) -> Cue:
        return self._by_id[cue_id]

    @cached_property
    def _scanner_index(self) -> prefilter.Index:
        """Which scanners may match a post, numbered in the order `find` walks them."""
        return prefilter.Index([scanner.pattern for cue in self.cues for scanner in cue.scanners])

    @cached_property
    def _phrase_trie(self) -> dict:
        """Every plain-word phrase as a path of words; the key None holds the ids of the cues
        whose phrase ends at that node. A trie, not a list per first word: "biaya", "tanpa" and
        "tidak" each start 24-30 phrases, and trying them one by one was 29% of `find` under the
        profiler (84 -> 48 us a post on bench_train's posts). The first words of negators are
        there too, under `negation.MARK`, so the same pass says where a denial may start."""
        trie: dict = {}
        for word in negation.first_words():
            trie.setdefault(word, {}).setdefault(None, []).append(negation.MARK)
        for cue in self.cues:
            for phrase in cue.token_phrases:
                node = trie
                for word in phrase.lower().split():
                    node = node.setdefault(word, {})
                node.setdefault(None, []).append(cue.id)
        return trie

    def _phrase_spans(self, text: str, tokens) -> tuple[dict[str, list[tuple[int, int]]], list[int]]:
        """Plain-word phrases on tokens: words one space apart (a phrase never runs across a line
        break), and neither end touching another letter or digit, as `_LEFT` and `_RIGHT` say;
        and, from the same pass, where negators' first words start (for negation.denied)."""
        trie = self._phrase_trie
        spans: dict[str, list[tuple[int, int]]] = {}
        count = len(tokens)
        for i in [i for i, (word, _) in enumerate(tokens) if word in trie]:
            word, start = tokens[i]
            if start and text[start - 1] in _ALNUM:
                continue
            node, end, k = trie[word], start + len(word), i + 1
            while True:
                if None in node and (end == len(text) or text[end] not in _ALNUM):
                    for cue_id in node[None]:
                        spans.setdefault(cue_id, []).append((start, end))
                if k >= count or tokens[k][1] != end + 1 or text[end] != " " or tokens[k][0] not in node:
                    break
                node, end, k = node[tokens[k][0]], tokens[k][1] + len(tokens[k][0]), k + 1
        negators = [a for a, _ in spans.pop(negation.MARK, ())]
        return spans, negators

    @staticmethod
    def negators(text: str, tokens) -> list[int]:
        """Where negators' first words start in normalized `text`, as `_phrase_spans` finds them,
        without its phrase search: for Cue.hit on spans found elsewhere (span_tagger's)."""
        first, end = negation.first_words(), len(text)
        return [s for w, s in tokens if w in first and not (s and text[s - 1] in _ALNUM)
                and (s + len(w) == end or text[s + len(w)] not in _ALNUM)]

    def find(self, norm: Normalized, tokens=None) -> tuple[CueHit, ...]:
        """All hits in `norm`; `tokens` is `tokenize(norm.text)` when the caller already has it."""
        spans, negators = self._phrase_spans(norm.text, tokens if tokens is not None else tokenize(norm.text))
        hits = []
        possible = self._scanner_index.candidates(norm.text)
        k = 0
        for cue in self.cues:
            found = spans.get(cue.id, [])
            for scanner in cue.scanners:
                if k in possible:
                    found += scanner.spans(norm.text)
                k += 1
            if not found:  # most cues, in most posts
                continue
            end = -1
            # Longest match first at each start; overlapping shorter matches are the same cue again.
            for a, b in sorted(found, key=lambda ab: (ab[0], -ab[1])):
                if a >= end:
                    hits.append(cue.hit(norm, a, b, negators))
                    end = b
        frames = [h for h in hits if h.polarity == "not_ad" and not h.negated]
        if frames:
            hits = mark_reported(norm, hits, frames)
        return tuple(sorted(hits, key=lambda h: (h.start, h.end, h.cue)))

    def fires(self, cue_id: str, text: str) -> bool:
        """True when `cue_id` has an active hit (neither negated nor reported) in `text`."""
        return any(h.cue == cue_id and h.active for h in self.find(normalize(text)))

    def check_examples(self) -> list[str]:
        """Run every cue's executable examples; return one message per example that misbehaves."""
        problems = []
        for cue in self.cues:
            problems += [f"{cue.id}: should match but does not: {t!r}" for t in cue.match if not self.fires(cue.id, t)]
            problems += [f"{cue.id}: should not match but does: {t!r}" for t in cue.no_match if self.fires(cue.id, t)]
        return problems


# A news dateline or a fact-check label frames the whole post; other frames ("kata polisi",
# "waspada", "saya tertipu", "ada yang tau") frame the sentence they stand in.
_DOCUMENT_FRAMES = frozenset({"news_source", "fact_check"})
# The lookbehind starts a match only at the start of a run of stops: without it every position
# inside a long run of dots re-scanned the rest of the run (20,000 dots: 9 s).
_SENTENCE_END = safe_regex.compile(r"(?<![.!?\n])[.!?\n]+(?:\s|$)", name="cues.sentence_end")


def mark_reported(norm: Normalized, hits: list[CueHit], frames: list[CueHit]) -> list[CueHit]:
    if any(f.cue in _DOCUMENT_FRAMES for f in frames):
        return [replace(h, reported=True) if h.polarity == "risk" else h for h in hits]
    # Sentence boundaries in original offsets; a hit is framed when it shares a sentence with a frame.
    bounds = [0] + [norm.starts[m.end() - 1] for m in _SENTENCE_END.finditer(norm.text)] + [len(norm.original)]
    framed = {bisect.bisect_right(bounds, pos) for f in frames for pos in (f.start, f.end - 1)}
    return [replace(h, reported=True) if h.polarity == "risk" and bisect.bisect_right(bounds, h.start) in framed
            else h for h in hits]


def load_cues(sources: dict[str, bytes]) -> CueSet:
    """Build a cue set from {cue id: TOML bytes}; ids are the file stems, so they are unique."""
    cues = []
    digest = hashlib.sha256(negation.digest())  # the negation word lists decide which hits count too
    for cue_id in sorted(sources):
        raw = sources[cue_id]
        digest.update(cue_id.encode() + b"\0" + raw + b"\0")
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise CueError(f"cue {cue_id}: not valid TOML ({exc}); fix {cue_id}.toml") from None
        cues.append(parse_cue(cue_id, data))
    if not cues:
        raise CueError("no cue files found; reinstall recruit-detect")
    return CueSet(tuple(cues), digest.hexdigest()[:16])


@cache
def default_cues() -> CueSet:
    """The cue files shipped in this package."""
    files = resources.files("recruit_detect.cues")
    return load_cues({f.name[:-5]: f.read_bytes() for f in files.iterdir() if f.name.endswith(".toml")})
