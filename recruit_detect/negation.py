"""Negation scope: whether a cue's phrase stands in a clause that denies it.

Honest ads and warnings deny the very phrases scams use ("kami tidak pernah meminta uang
jaminan", "daftar di LTSA, bukan lewat calo", "NO bayar training"). A risk cue found there must not
be highlighted to an officer as a demand. Two rules, both on normalized text (the shipped
model's cue features follow them too, so the word lists are part of the cue set's digest):

- `denied`: a negator (lang/id/negators.txt), then at most four bridge words
  (negation_bridge.txt: verbs of asking, paying and going through, never content words), then at
  most three quoted or "/"- or "atau"-joined list items, then the phrase; or the phrase as a
  question the post answers with a bare negator ("Uang jaminan? TIDAK ADA.", "biaya admin: no").
- `suppressed`: a cue's own suppressors ("tanpa biaya" for a fee) reach no further than the clause
  they stand in: not across a line break, a sentence end or a contrast word (contrast.txt), and,
  for a suppressor after the phrase, not across a comma or bracket either ("visa kerja, bukan
  visa turis" does not deny the work visa). Before the phrase a comma does not break: "tidak ada
  biaya wawancara, biaya medical" lists what is denied.
"""
from __future__ import annotations

import bisect
import hashlib
from collections.abc import Sequence
from functools import cache

from recruit_detect import resources, safe_regex

_FILES = ("negators.txt", "negation_bridge.txt", "contrast.txt")
_QUOTE = "[\"'\u201c\u201d\u2018\u2019]"
_JOINERS = ("atau", "ataupun", "maupun", "or", "utowo")  # "'uang kursi' atau 'uang jaminan'"
_MAY_END = frozenset("\"'\u201c\u201d\u2018\u2019/:")  # the marks a denial may end with before the phrase
# How far back a denial may start: four bridge words and three list items fit in it.
REACH = 100
ASKED = 2 * (3 + 20) + 3 + 1 + 3 + 1 + 3  # the longest run of `answered` up to its negator
# The mark under which CueSet's phrase trie reports where a negator's first word stands; not a
# possible cue id, so it never meets a cue file's name.
MARK = "<negator>"


def _words(name: str) -> str:
    return "|".join(sorted(resources.words(name), key=lambda w: (-len(w), w)))


@cache
def _patterns() -> tuple[safe_regex.SafePattern, ...]:
    item = rf"{_QUOTE}?\w+(?:[ \t]+\w+){{0,2}}{_QUOTE}?"
    join = rf"[ \t]*(?:{_QUOTE}[ \t]*,|/|,?[ \t]*\b(?:{'|'.join(_JOINERS)})\b)[ \t]*"
    denied = safe_regex.compile(
        rf"(?<![^\W_])(?:{_words('negators.txt')})(?![^\W_])(?:[ \t]+(?:{_words('negation_bridge.txt')})){{0,4}}"
        rf"[ \t]*:?[ \t]*(?:{item}{join}){{0,3}}{_QUOTE}?[ \t]*\Z", name="negation.denied")
    # Up to two words without digits between phrase and "?" ("rekening pribadi staf? NEVER."), and
    # the negator must end its clause: "DP 500rb? Tidak masalah" does not deny the DP. Bounded, so
    # the "?" or ":" lies within ASKED characters of the phrase and `denied` can look for it first.
    answered = safe_regex.compile(
        rf"(?:[ \t]{{1,3}}[a-z]{{1,20}}){{0,2}}[ \t]{{0,3}}{_QUOTE}?[ \t]{{0,3}}[?:][ \t]{{0,3}}(?:{_words('negators.txt')})"
        rf"(?:[ \t]+(?:ada|pernah|perlu))?[ \t]*(?:[.!,;]|\n|\Z)", name="negation.answered")
    clause = rf"\n|[.!?;](?:\s|$)|(?<![a-z0-9])(?:{_words('contrast.txt')})(?![a-z0-9])"
    return (denied, answered, safe_regex.compile(clause, name="negation.clause"),
            safe_regex.compile(rf"{clause}|[,()]", name="negation.clause_after"))


def digest() -> bytes:
    """A hash of the word lists, for the cue set's digest: they decide which hits count."""
    return hashlib.sha256("\0".join(" ".join(sorted(resources.words(name))) for name in _FILES).encode()).digest()


@cache
def first_words() -> frozenset[str]:
    """The words a negator starts with; CueSet.find reports where they stand in a post."""
    return frozenset(w.split()[0] for w in resources.words("negators.txt"))


def denied(text: str, start: int, end: int, negators: Sequence[int]) -> bool:
    """True when a negator's clause runs, through bridge words and list items only, up to the
    phrase at [start, end), or the phrase is asked and answered with a negator. `negators` holds
    the sorted starts of the tokens of `first_words()` in `text`: a hit with none near it (two in
    three) is decided by a bisection."""
    lo = max(0, start - REACH)
    i = bisect.bisect_left(negators, lo)
    if i < len(negators) and negators[i] < start and _before(text, lo, start):
        return True
    j = bisect.bisect_left(negators, end, i)
    return j < len(negators) and negators[j] < end + ASKED and _patterns()[1].match(text, end) is not None


def _before(text: str, lo: int, start: int) -> bool:
    """The denial before the phrase, searched in text[lo:start]."""
    head = text[lo:start].rstrip(" \t")
    # The text before a denied phrase ends in a negator, a bridge word, a list joiner, a quote,
    # "/", ":" or a comma after a quote; after anything else the search (3.6 us) is skipped.
    if head and head[-1].isalnum():
        i = len(head) - 1
        while i and head[i - 1].isalnum():
            i -= 1
        may_end = head[i:] in _ends()
    elif head[-1:] == ",":  # a comma joins list items only after a quote: "'uang kursi', 'uang jaminan'"
        may_end = head[:-1].rstrip(" \t")[-1:] in _MAY_END
    else:
        may_end = head[-1:] in _MAY_END
    return may_end and _patterns()[0].search(text, lo, start) is not None


@cache
def _ends() -> frozenset[str]:
    """The words a denial's text before the phrase can end with."""
    words = resources.words("negators.txt") | resources.words("negation_bridge.txt")
    return frozenset(w.split()[-1] for w in words) | set(_JOINERS)


def suppressed(suppressor: safe_regex.SafePattern, text: str, start: int, end: int, before: int, after: int) -> bool:
    """True when a match of `suppressor` within `before` characters before [start, end) or `after`
    characters after it (or overlapping it) shares the phrase's clause."""
    lo, hi = max(0, start - before), min(len(text), end + after)
    m = suppressor.search(text, lo, hi)
    if m is None:  # nearly always: one search, as before suppressors knew their clause
        return False
    _, _, clause, clause_after = _patterns()
    for m in suppressor.finditer(text, m.start(), hi):
        if m.end() <= start and clause.search(text, m.end(), start):
            continue
        if m.start() >= end and clause_after.search(text, end, m.start()):
            continue
        return True
    return False
