"""Which literal strings a regex match must contain, so a pattern is only run on posts that have one.

Python's `re` tries a pattern at every position of the text unless the pattern starts with a
literal; a cue's alternation rarely does, so each cue cost a full scan of every post. Most
posts contain none of a cue's words. This is the "required atoms" prefilter of RE2 and
Hyperscan, computed from the pattern's parse tree: if the pattern matches, the match contains one
of the atoms, so skipping a post without any atom can never lose a match (tests/test_prefilter.py
checks that on the corpus and on generated text). One Aho-Corasick pass per post finds the
atoms of all patterns at once.
"""
from __future__ import annotations

import re
import re._constants as C
import re._parser as P
from functools import lru_cache
from typing import ClassVar

_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT)
_MAX_ATOMS = 64  # beyond this, checking the atoms costs about as much as running the pattern
_MAX_CLASS = 16  # a character class of at most this many characters becomes one-character atoms


def _strength(atoms: frozenset[str] | None) -> tuple[int, int]:
    """How selective an atom set is: longer atoms first, then fewer of them; (0, 0) for none."""
    return (min(map(len, atoms)), -len(atoms)) if atoms else (0, 0)


def _char_class(items) -> frozenset[str] | None:
    """The characters of a small class like `[.\\-_*]` or `[0-9@$]`; None for categories, negations
    and big ranges."""
    chars: set[str] = set()
    for op, arg in items:
        if op == C.LITERAL:
            chars.add(chr(arg))
        elif op == C.RANGE and arg[1] - arg[0] < _MAX_CLASS:
            chars.update(map(chr, range(arg[0], arg[1] + 1)))
        else:
            return None
    return frozenset(chars) if len(chars) <= _MAX_CLASS else None


def _union(branches) -> frozenset[str] | None:
    """The atoms of an alternation: every branch's, unless a branch has none or they are too many."""
    if any(b is None for b in branches):
        return None
    union = frozenset().union(*branches)
    return union if len(union) <= _MAX_ATOMS else None


def _exact(op, arg) -> frozenset[str] | None:
    """The strings a node matches when they are few and fixed: a literal, a small class, or a
    group or alternation of such sequences ("(?:com|id|co\\.id)"); None otherwise."""
    if op == C.LITERAL:
        return frozenset({chr(arg)})
    if op == C.IN:
        return _char_class(arg)
    if op == C.SUBPATTERN:
        return _exact_sequence(arg[-1])
    if op == C.BRANCH:
        return _union([_exact_sequence(b) for b in arg[1]])
    return None


def _join(heads: frozenset[str], tails: frozenset[str] | None) -> frozenset[str] | None:
    """Every head followed by every tail; None when a part is not fixed or they are too many."""
    if tails is None or len(heads) * len(tails) > _MAX_ATOMS:
        return None
    return frozenset(a + b for a in heads for b in tails)


def _exact_sequence(items) -> frozenset[str] | None:
    strings: frozenset[str] | None = frozenset({""})
    for op, arg in items:
        strings = _join(strings, _exact(op, arg))
        if strings is None:
            return None
    return strings


def _conjuncts(items) -> list[frozenset[str]]:
    """Atom sets of a sequence such that every match holds an atom of each: its runs of fixed
    strings and its required parts, with nested groups and required repeats flattened into it.
    Neighbouring fixed parts join: "\\.(?:com|id)" needs ".com" or ".id", rarer than "id" alone."""
    sets: list[frozenset[str]] = []
    run = frozenset({""})  # the strings the fixed parts since the last other part spell
    for op, arg in items:
        part = _exact(op, arg)
        joined = _join(run, part)
        if joined is not None:
            run = joined
            continue
        if "" not in run:  # a run that may be empty guarantees nothing
            sets.append(run)
        run = frozenset({""})
        if part is not None:  # too many strings with the run before it: a run of its own
            run = part
        elif op == C.SUBPATTERN:
            sets += _conjuncts(arg[-1])
        elif op == C.ATOMIC_GROUP:
            sets += _conjuncts(arg)
        elif op in _REPEATS:
            sets += _conjuncts(arg[2]) if arg[0] >= 1 else []
        elif op == C.BRANCH and (atoms := _union([_sequence(b) for b in arg[1]])):
            sets.append(atoms)
        # big classes, anchors, lookarounds: no literal is guaranteed
    if "" not in run:
        sets.append(run)
    return sets


def _most_selective(sets) -> frozenset[str] | None:
    return max(sets, key=_strength, default=None)


def _sequence(items) -> frozenset[str] | None:
    """Atoms of a sequence: the most selective of its conjuncts."""
    return _most_selective(_conjuncts(items))


def required_atom_sets(pattern: re.Pattern) -> list[frozenset[str]]:
    """Atom sets such that every match of `pattern` contains an atom of each one ("pl\\s+(?:kami|
    saya)": {"pl"} and {"kami", "saya"}); none for case-insensitive and verbose patterns."""
    if pattern.flags & (re.IGNORECASE | re.VERBOSE):
        return []
    return _conjuncts(P.parse(pattern.pattern, pattern.flags))


def required_atoms(pattern: re.Pattern) -> frozenset[str] | None:
    """Strings of which every match of `pattern` contains at least one (the most selective of
    `required_atom_sets`); None when there are none worth checking."""
    return _most_selective(required_atom_sets(pattern))


def starts_with_literal(pattern: re.Pattern) -> bool:
    """True when every match starts with a literal character or a character class, which `re`
    then looks for with a fast scan instead of trying the whole pattern at each position (the rule
    of `re._compiler._get_charset_prefix`). A leading lookbehind defeats it."""
    items = P.parse(pattern.pattern, pattern.flags)
    while items and items[0][0] == C.SUBPATTERN:
        items = items[0][1][-1]
    if not items:
        return False
    op, arg = items[0]
    if op in (C.LITERAL, C.IN):
        return True
    return op == C.BRANCH and all(branch and branch[0][0] == C.LITERAL for branch in arg[1])


class _AtomScanner:
    """Which atoms of two characters or more a text contains, in one Aho-Corasick pass
    (pyahocorasick) for every pattern at once: checking each pattern's atoms with `in` cost more
    than the scans it saved. The last answer is kept, since the cue engine, the entity finder and
    the money finder all ask about the same text."""

    known: ClassVar[set[str]] = set()
    automaton: ClassVar[object] = None
    last: ClassVar[tuple[str, set[str]]] = ("", set())

    @classmethod
    def learn(cls, atoms) -> None:
        new = set(atoms) - cls.known
        if new:
            import ahocorasick

            # Built aside and swapped in, so an exception part-way (a post's time alarm) leaves the
            # old automaton whole; `known` goes last, so a half-done swap only means a rebuild.
            known = cls.known | new
            automaton = ahocorasick.Automaton()
            for atom in known:
                automaton.add_word(atom, atom)
            automaton.make_automaton()
            cls.last = ("", set())
            cls.automaton = automaton
            cls.known = known

    @classmethod
    def present(cls, text: str) -> set[str]:
        if text != cls.last[0] or not text:
            cls.last = (text, {atom for _, atom in cls.automaton.iter(text)})
        return cls.last[1]


class Index:
    """Which of many patterns may match a text, from one atom scan: the cue engine asks about its
    85 scanners at once; `may_match` asks about one pattern.

    A pattern is offered when the text holds an atom of its most selective set and of each of its
    other sets of multi-character atoms (`also`): "pl\\s+(?:kami|saya)" needs "pl" and one of
    "kami" and "saya". With one set alone, common atoms ("kerja", "id", "juta") let 14.6 of the
    80 cue regexes run on a bench_score post, at about 4 us each, and most found nothing."""

    def __init__(self, patterns):
        self.always: set[int] = set()
        self.by_atom: dict[str, list[int]] = {}
        self.by_char: dict[str, list[int]] = {}
        self.also: dict[int, list[frozenset[str]]] = {}
        for k, pattern in enumerate(patterns):
            sets = required_atom_sets(pattern)
            atoms = _most_selective(sets)
            if atoms is None:
                self.always.add(k)
                continue
            for atom in atoms:
                (self.by_char if len(atom) == 1 else self.by_atom).setdefault(atom, []).append(k)
            also = {s for s in sets if s != atoms and min(map(len, s)) > 1 and len(s) <= _MAX_ATOMS}
            if also:
                self.also[k] = list(also)
        # A set, not the dict: `isdisjoint` and `intersection` walk a dict argument key by key,
        # but of two sets the smaller one (the post's few atoms): cue candidates 17.7 -> 14.7 us a post.
        self.atoms = frozenset(self.by_atom)
        learned = self.atoms.union(*(s for sets in self.also.values() for s in sets))
        if learned:
            _AtomScanner.learn(learned)

    def candidates(self, text: str) -> set[int]:
        found = set(self.always)
        present = _AtomScanner.present(text) if self.by_atom or self.also else set()
        for atom in present.intersection(self.atoms):
            found.update(self.by_atom[atom])
        for char, ks in self.by_char.items():
            if char in text:
                found.update(ks)
        for k in found.intersection(self.also):
            if not _holds_all(self.also[k], present):
                found.discard(k)
        return found


def _holds_all(sets, present: set[str]) -> bool:
    """Whether `present` holds an atom of each of `sets`."""
    for atoms in sets:
        if present.isdisjoint(atoms):
            return False
    return True


@lru_cache(maxsize=1024)
def _single(pattern: re.Pattern) -> Index:
    return Index([pattern])


def may_match(pattern: re.Pattern, text: str) -> bool:
    """False only when `text` holds none of the pattern's atoms, so the pattern cannot match."""
    index = _single(pattern)  # the same test as `candidates`, without building the set
    if index.always:
        return True
    present = _AtomScanner.present(text) if index.atoms or index.also else set()
    if not ((index.by_char and any(c in text for c in index.by_char)) or not present.isdisjoint(index.atoms)):
        return False
    return not index.also or _holds_all(index.also[0], present)


def finditer_left_bounded(pattern: re.Pattern, text: str, blocked):
    """The non-empty matches `pattern` would give with a negative lookbehind in front that
    rejects a character where `blocked(c)` is true. The lookbehind is checked here, not in the
    regex: a pattern that opens with one makes `re` try every position, one that opens with a
    literal lets it jump to candidates. A rejected match resumes the search one character on,
    which finds exactly the lookbehind pattern's matches (tests/test_cues.py, test_entities.py)."""
    pos, search = 0, pattern.search
    while (m := search(text, pos)) is not None:
        a, b = m.span()
        if a == b or (a and blocked(text[a - 1])):
            pos = a + 1
            continue
        yield m
        pos = b


def finditer(pattern: re.Pattern, text: str):
    """`pattern.finditer(text)`, skipped when `text` holds none of the pattern's atoms."""
    return pattern.finditer(text) if may_match(pattern, text) else iter(())
