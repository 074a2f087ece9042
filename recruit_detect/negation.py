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

import hashlib
from functools import cache

from recruit_detect import resources, safe_regex

_FILES = ("negators.txt", "negation_bridge.txt", "contrast.txt")
_QUOTE = "[\"'\u201c\u201d\u2018\u2019]"
_JOINERS = ("atau", "ataupun", "maupun", "or", "utowo")  # "'uang kursi' atau 'uang jaminan'"
_MAY_END = frozenset("\"'\u201c\u201d\u2018\u2019/:")  # the marks a denial may end with before the phrase
# How far back a denial may start: four bridge words and three list items fit in it.
REACH = 100


def _words(name: str) -> str:
    return "|".join(sorted(resources.words(name), key=lambda w: (-len(w), w)))


@cache
def _patterns() -> tuple[safe_regex.SafePattern, ...]:
    item = rf"{_QUOTE}?\w+(?:[ \t]+\w+){{0,2}}{_QUOTE}?"
    join = rf"[ \t]*(?:{_QUOTE}[ \t]*,|/|,?[ \t]*\b(?:{'|'.join(_JOINERS)})\b)[ \t]*"
    denied = safe_regex.compile(
        rf"(?<![a-z0-9])(?:{_words('negators.txt')})(?:[ \t]+(?:{_words('negation_bridge.txt')})){{0,4}}"
        rf"[ \t]*:?[ \t]*(?:{item}{join}){{0,3}}{_QUOTE}?[ \t]*\Z", name="negation.denied")
    # Up to two words without digits between phrase and "?" ("rekening pribadi staf? NEVER."), and
    # the negator must end its clause: "DP 500rb? Tidak masalah" does not deny the DP.
    answered = safe_regex.compile(
        rf"(?:[ \t]+[a-z]+){{0,2}}[ \t]*{_QUOTE}?[ \t]*[?:][ \t]*(?:{_words('negators.txt')})"
        rf"(?:[ \t]+(?:ada|pernah|perlu))?[ \t]*(?:[.!,;]|\n|\Z)", name="negation.answered")
    clause = rf"\n|[.!?;](?:\s|$)|(?<![a-z0-9])(?:{_words('contrast.txt')})(?![a-z0-9])"
    return (denied, answered, safe_regex.compile(clause, name="negation.clause"),
            safe_regex.compile(rf"{clause}|[,()]", name="negation.clause_after"))


def digest() -> bytes:
    """The word lists' bytes, for the cue set's digest: they decide which hits count."""
    return hashlib.sha256("\0".join(" ".join(sorted(resources.words(name))) for name in _FILES).encode()).digest()


def denied(text: str, start: int, end: int) -> bool:
    """True when a negator's clause runs, through bridge words and list items only, up to the
    phrase at [start, end), or the phrase is asked and answered with a negator."""
    before, answered, _, _ = _patterns()
    lo = max(0, start - REACH)
    head = text[lo:start].rstrip(" \t")
    # Fast path: the text before a denied phrase ends in a negator, a bridge word, a list joiner, a
    # quote, "/", ":" or a comma after a quote, so after anything else the search (3.6 us a hit) is
    # skipped: two hits in three are decided here.
    if head and head[-1].isalnum():
        i = len(head) - 1
        while i and head[i - 1].isalnum():
            i -= 1
        may_end = head[i:] in _ends()
    elif head[-1:] == ",":  # a comma joins list items only after a quote: "'uang kursi', 'uang jaminan'"
        may_end = head[:-1].rstrip(" \t")[-1:] in _MAY_END
    else:
        may_end = head[-1:] in _MAY_END
    return (may_end and before.search(text, lo, start) is not None) or answered.match(text, end) is not None


@cache
def _ends() -> frozenset[str]:
    """The words a denial's text before the phrase can end with."""
    words = resources.words("negators.txt") | resources.words("negation_bridge.txt")
    return frozenset(w.split()[-1] for w in words) | set(_JOINERS)


def suppressed(suppressor: safe_regex.SafePattern, text: str, start: int, end: int, before: int, after: int) -> bool:
    """True when a match of `suppressor` within `before` characters before [start, end) or `after`
    characters after it (or overlapping it) shares the phrase's clause."""
    _, _, clause, clause_after = _patterns()
    for m in suppressor.finditer(text, max(0, start - before), min(len(text), end + after)):
        if m.end() <= start and clause.search(text, m.end(), start):
            continue
        if m.start() >= end and clause_after.search(text, end, m.start()):
            continue
        return True
    return False
