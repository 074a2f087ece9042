"""Normalize a post for matching, keeping a map from every normalized character to the original.

Scammers write "B I A Y A", "g4ji", "by.aya", "𝐊𝐀𝐌𝐁𝐎𝐉𝐀", "kаmbоjа" (Cyrillic а/о) or "kerja di 🇰🇭"
to slip past keyword filters. Each pass below undoes one such trick. Every output character
carries the half-open span of original characters it came from, so a cue found in the
normalized text is highlighted on exactly the characters the poster typed.
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from array import array
from collections import Counter
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import chain

from recruit_detect import prefilter, resources, safe_regex

OBFUSCATION_KINDS = ("invisible", "homoglyph", "fancy", "emoji", "spaced", "split", "leet")


@dataclass(frozen=True)
class Normalized:
    """`text` is the normalized post; `starts[i]:ends[i]` is the original span of `text[i]`.
    The maps are int arrays, not tuples: 4 bytes an offset instead of a pointer to a boxed int."""

    original: str
    text: str
    starts: array
    ends: array
    edits: tuple[tuple[str, int], ...] = field(default=())

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a non-empty normalized span to the original span it covers."""
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"span {start}:{end} is outside the normalized text")
        return self.starts[start], self.ends[end - 1]

    @property
    def obfuscation(self) -> dict[str, int]:
        return dict(self.edits)


# --- data ------------------------------------------------------------------------------------

@cache
def _data():
    slang = resources.table("slang.tsv")
    lexicon = resources.words("lexicon.txt") | frozenset(slang) | frozenset(
        w for v in slang.values() for w in v.split())
    return (slang, resources.table("confusables.tsv"), resources.table("flags.tsv"),
            resources.table("emoji.tsv"), lexicon)


@lru_cache(maxsize=8192)
def _fold_char(c: str) -> tuple[str, str | None]:
    """Fold one non-ASCII character; return (replacement, obfuscation kind or None)."""
    cat = unicodedata.category(c)
    if cat == "Cf":  # zero-width and other format characters hide inside words
        return "", "invisible"
    if cat in ("Mn", "Me"):  # combining marks and variation selectors (U+FE0F)
        return "", None
    if cat in ("Cc", "Cs", "Zl", "Zp", "Zs"):
        return " ", None
    if cat == "Nd" and not unicodedata.normalize("NFKD", c).isascii():
        # Digits of other scripts ("٠٨١٢", Devanagari, Bengali...): NFKD leaves them, and a phone
        # number written in them would escape the entity finder.
        return str(unicodedata.decimal(c)), "fancy"
    _, confusables, _, emoji, _ = _data()
    if c in emoji:
        return f" {emoji[c]} ", "emoji"
    decomposed = unicodedata.normalize("NFKD", c)
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    if folded in confusables:
        return confusables[folded], "homoglyph"
    if any(ch in confusables for ch in folded):
        return "".join(confusables.get(ch, ch) for ch in folded), "homoglyph"
    decomposition = unicodedata.decomposition(c)
    kind = "fancy" if decomposition.startswith(("<font>", "<wide>", "<circle>", "<square>")) else None
    return folded, kind


_KEYCAP = safe_regex.compile("([0-9#*])\ufe0f?\u20e3", name="normalize.keycap")
_FLAG = safe_regex.compile("[\U0001F1E6-\U0001F1FF]{2}", name="normalize.flag")
_NON_ASCII = safe_regex.compile(r"[^\x00-\x7f]+", name="normalize.non_ascii")


_IOTA = [array("i", range(4097))]


def _iota(a: int, b: int) -> array:
    """array("i", range(a, b)), sliced from a shared array: a copy in C, not a Python loop."""
    if b > len(_IOTA[0]):
        _IOTA[0] = array("i", range(max(b, 2 * len(_IOTA[0]))))
    return _IOTA[0][a:b]


def _fold(text: str, edits: Counter) -> tuple[str, array, array]:
    """First pass: casefold, NFKD, drop invisibles, fold look-alikes, flags, keycaps and emoji."""
    if text.isascii():
        n = len(text)
        return text.lower(), _iota(0, n), _iota(1, n + 1)
    _, _, flags, _, _ = _data()
    out: list[str] = []
    starts, ends = array("i"), array("i")

    def emit(piece: str, s: int, e: int) -> None:
        out.append(piece)
        starts.extend(array("i", (s,)) * len(piece))
        ends.extend(array("i", (e,)) * len(piece))

    pos = 0
    for run in _NON_ASCII.finditer(text):
        a, b = run.span()
        # Keycap digits are an ASCII digit followed by non-ASCII marks: take the digit back.
        if a > 0 and text[a - 1] in "0123456789#*" and _KEYCAP.match(text, a - 1) and pos < a:
            a -= 1
        out.append(text[pos:a].lower())
        starts.extend(_iota(pos, a))
        ends.extend(_iota(pos + 1, a + 1))
        i = a
        while i < b:
            # A keycap starts with an ASCII character, so only where the run was moved back to one;
            # a flag starts with a regional indicator letter.
            m = _KEYCAP.match(text, i) if text[i] < "\x80" else None
            if m:
                emit(m.group(1), i, m.end())
                edits["emoji"] += 1
                i = m.end()
                continue
            m = _FLAG.match(text, i) if "\U0001F1E6" <= text[i] <= "\U0001F1FF" else None
            if m:
                code = "".join(chr(ord(ch) - 0x1F1E6 + 65) for ch in m.group())
                if code in flags:
                    emit(f" {flags[code]} ", i, m.end())
                    edits["emoji"] += 1
                    i = m.end()
                    continue
            piece, kind = _fold_char(text[i])
            if kind:
                edits[kind] += 1
            if piece:
                emit(piece, i, i + 1)
            i += 1
        pos = b
    out.append(text[pos:].lower())
    starts.extend(_iota(pos, len(text)))
    ends.extend(_iota(pos + 1, len(text) + 1))
    return "".join(out), starts, ends


# --- rewriting with the map --------------------------------------------------------------------

class _Buffer:
    """Normalized text plus its map; `rewrite` replaces regex matches and keeps the map exact."""

    def __init__(self, text: str, starts: array, ends: array):
        self.text, self.starts, self.ends = text, starts, ends
        self._protected: tuple[list[int], list[int]] | None = None  # of `text`; see `_protects`

    def _protects(self, a: int, b: int) -> bool:
        """Whether [a, b) overlaps a protected span of the text. The spans are found once per
        text, for every protecting pass; they are sorted and disjoint, so only the first one
        ending after `a` can overlap (testing them all was quadratic: "a@b." x 5,000, 0.7 s)."""
        if self._protected is None:
            spans = [m.span() for m in prefilter.finditer(_PROTECTED, self.text)]
            self._protected = ([s for s, _ in spans], [e for _, e in spans])
        starts, ends = self._protected
        k = bisect.bisect_right(ends, a)
        return k < len(starts) and starts[k] < b

    def rewrite(self, pattern: safe_regex.SafePattern, fn, protect: bool = False,
                hint: safe_regex.SafePattern | None = None) -> int:
        """Replace each match by fn(match): a string, or a list of (piece, rel_start, rel_end)
        whose characters map to the original span of match[rel_start:rel_end]; None keeps it.
        `hint` finds a part every match must contain; without it the pass is skipped."""
        # Most passes have nothing to undo in most posts. A pattern that opens with a lookbehind
        # makes `re` try every position (about 0.1 us each), while a hint that opens with a rare
        # character class is scanned for in C; the prefilter skips posts without the atoms.
        text = self.text
        if hint is not None and next(prefilter.finditer(hint, text), None) is None:
            return 0
        matches = prefilter.finditer(pattern, text)
        first = next(matches, None)
        if first is None:
            return 0
        return self.replace(((m.start(), m.end(), fn(m)) for m in chain((first,), matches) if m.end() > m.start()),
                            protect)

    def replace(self, edits, protect: bool = False) -> int:
        """Apply (start, end, replacement) edits in text order, the replacement as in `rewrite`.
        Edits are produced lazily from the text as it was before this call."""
        text, starts, ends = self.text, self.starts, self.ends
        t_parts: list[str] = []
        new_starts, new_ends = array("i"), array("i")
        pos = changes = 0
        for a, b, out in edits:
            if out is None:
                continue
            if protect and self._protects(a, b):
                continue
            t_parts.append(text[pos:a])
            new_starts += starts[pos:a]
            new_ends += ends[pos:a]
            if isinstance(out, str):
                out = [(out, 0, b - a)] if len(out) != b - a else [
                    (ch, k, k + 1) for k, ch in enumerate(out)]
            for piece, ra, rb in out:
                t_parts.append(piece)
                new_starts += array("i", (min(starts[a + ra:a + rb]),)) * len(piece)
                new_ends += array("i", (max(ends[a + ra:a + rb]),)) * len(piece)
            pos = b
            changes += 1
        if changes:
            t_parts.append(text[pos:])
            new_starts += starts[pos:]
            new_ends += ends[pos:]
            self.text = "".join(t_parts)
            self._protected = None
            self.starts, self.ends = new_starts, new_ends
        return changes


# URLs, e-mails, handles and wa.me links must survive untouched: their dots and digits are data.
_PROTECTED = safe_regex.compile(
    r"(?:https?://|www\.)\S+|[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,6}|\b(?:wa\.me|t\.me|bit\.ly|s\.id|"
    r"linktr\.ee|lynk\.id|tinyurl\.com)/\S*|@\w{3,}", name="normalize.protected")


_CONTROL = safe_regex.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", name="normalize.control")
# Whitespace that needs rewriting: runs, tabs and other odd spaces (a lone " " or "\n" is left
# alone). Written to start with a character class, so `re` jumps from one whitespace to the next.
_SPACES = safe_regex.compile(r"\s(?:\s+|(?<![ \n]))", name="normalize.spaces")
# Three or more single letters or digits separated by single spaces: "b i a y a", "0 8 1 2".
_SPACED = safe_regex.compile(r"(?<![\w.\-*'\u00b7])(?:[a-z0-9] ){2,}[a-z0-9](?![\w.\-*'\u00b7])",
                             name="normalize.spaced")
# the last two characters of every _SPACED match
_SPACED_HINT = safe_regex.compile(r" [a-z0-9] [a-z0-9](?![\w.\-*'\u00b7])", name="normalize.spaced_hint")
# "w a", "p.t": only the short words worth joining, so the prefilter's atoms can skip the pass.
_SPACED_PAIR = safe_regex.compile(r"(?<![^\W_])(?:w a|w\.a|p t|p\.t|c v|c\.v|d p|d\.p|h p|h\.p)(?![^\W_])",
                                  name="normalize.spaced_pair")
# Single letters joined by punctuation: "p-a-s-p-o-r", "b.i.a.y.a".
_DOTTED = safe_regex.compile(r"(?<![\w.])[a-z](?:[.\-_*'\u00b7][a-z]){2,}(?![\w])", name="normalize.dotted")
_DOTTED_HINT = safe_regex.compile(r"[.\-_*'\u00b7][a-z][.\-_*'\u00b7]", name="normalize.dotted_hint")
# Punctuation inside a word: "by.aya", "bi-aya".
_SPLIT_WORD = safe_regex.compile(r"(?<![\w.@/])([a-z]{1,12})[.\-_*'\u00b7]([a-z]{1,12})(?![\w/])",
                                 name="normalize.split_word")
_SPLIT_HINT = safe_regex.compile(r"[.\-_*'\u00b7][a-z]", name="normalize.split_hint")
# Only tokens holding a digit or symbol, and a letter, can be leetspeak: matching just those
# keeps this pass cheap (the lookahead drops the many plain numbers before any Python runs).
_LEET_TOKEN = safe_regex.compile(r"(?<![a-z0-9@$!|])(?=[0-9@$!|]*+[a-z])[a-z]*+[0-9@$!|][a-z0-9@$!|]*",
                                 name="normalize.leet_token")
_LEET = {"4": "a", "3": "e", "1": "i", "0": "o", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i", "|": "l"}
# "15jt", "rp500": amounts, not leet
_NOT_LEET = safe_regex.compile(r"(?<![a-z0-9])(?:\d++(?:[.,]\d+)?[a-z]{1,5}|[a-z]++\d+)", name="normalize.not_leet")
# a price or a long number inside the token
_NUMBERISH = safe_regex.compile(r"\d{3}|\$\d|\d\$", name="normalize.numberish")
_ELONGATED = safe_regex.compile(r"([a-z])\1{2,}", name="normalize.elongated")
# A backreference gives the prefilter no atoms; spelled out, the 26 triples do.
_ELONGATED_HINT = safe_regex.compile("|".join(c * 3 for c in "abcdefghijklmnopqrstuvwxyz"),
                                     name="normalize.elongated_hint")
_NUMBER_UNIT = safe_regex.compile(r"\d(jt|jta|jeti|juta|rb|rbu|ribu)(?![a-z])", name="normalize.number_unit")


def _join_spaced(m: re.Match) -> list[tuple[str, int, int]] | None:
    chars = m.group()[::2]
    if sum(ch.isalpha() for ch in chars) < 2 and len(chars) < 4:
        return None
    pieces = [(ch, 2 * k, 2 * k + 1) for k, ch in enumerate(chars)]
    # "w a 0 8 1 2 ..." is a word then a number: keep the space between them.
    digits = len(chars) - len(chars.rstrip("0123456789"))
    if digits >= 4 and digits < len(chars):
        cut = len(chars) - digits
        pieces.insert(cut, (" ", 2 * cut - 1, 2 * cut))
    return pieces


def _join_pair(m: re.Match) -> list[tuple[str, int, int]]:
    return [(m.group()[0], 0, 1), (m.group()[2], 2, 3)]


def _join_dotted(m: re.Match) -> list[tuple[str, int, int]]:
    return [(ch, 2 * k, 2 * k + 1) for k, ch in enumerate(m.group()[::2])]


def _join_split(m: re.Match) -> list[tuple[str, int, int]] | None:
    joined = m.group(1) + m.group(2)
    if joined not in _data()[4]:
        return None
    left = len(m.group(1))
    return [(m.group(1), 0, left), (m.group(2), left + 1, len(m.group()))]


def _unleet(m: re.Match) -> list[tuple[str, int, int]] | None:
    token = m.group()
    core = token.strip("@$!|")
    if not core or not any(ch.isalpha() for ch in core) or not any(ch in _LEET for ch in core):
        return None
    lexicon = _data()[4]
    if (core in lexicon or any(ch.isdigit() and ch not in _LEET for ch in core) or _NOT_LEET.fullmatch(core)
            or _NUMBERISH.search(core)):
        return None
    lead = len(token) - len(token.lstrip("@$!|"))
    candidate = "".join(_LEET.get(ch, ch) for ch in core)
    if candidate not in lexicon and "1" in core:
        with_l = "".join("l" if ch == "1" else _LEET.get(ch, ch) for ch in core)
        if with_l in lexicon:
            candidate = with_l
    return [(ch, lead + k, lead + k + 1) for k, ch in enumerate(candidate)]


@cache
def _slang_automaton():
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for word, meaning in _data()[0].items():
        automaton.add_word(word, (len(word), meaning))
    automaton.make_automaton()
    return automaton


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c in "_'"  # re's \w is isalnum() or "_"


def _slang_edits(text: str):
    """Whole words of the slang table, found in one Aho-Corasick pass: matching every word with a
    regex and looking each up in Python cost a tenth of the analysis. A word is a run of
    letters and digits with no word character or apostrophe on either side."""
    for last, (size, meaning) in _slang_automaton().iter(text):
        a, b = last + 1 - size, last + 1
        if (a == 0 or not _is_word_char(text[a - 1])) and (b == len(text) or not _is_word_char(text[b])):
            yield a, b, meaning


def normalize(text: str) -> Normalized:
    """Normalize `text` for matching; see the module docstring for what each pass undoes."""
    edits: Counter = Counter()
    buf = _Buffer(*_fold(text, edits))
    slang = _data()[0]
    buf.rewrite(_CONTROL, lambda m: " ")
    # Keep line breaks (they end sentences, which scope reported frames); collapse the rest.
    buf.rewrite(_SPACES, lambda m: "\n" if "\n" in m.group() else " ")
    edits["split"] += buf.rewrite(_DOTTED, _join_dotted, protect=True, hint=_DOTTED_HINT)
    edits["spaced"] += buf.rewrite(_SPACED, _join_spaced, hint=_SPACED_HINT) + buf.rewrite(_SPACED_PAIR, _join_pair)
    edits["split"] += buf.rewrite(_SPLIT_WORD, _join_split, protect=True, hint=_SPLIT_HINT)
    edits["leet"] += buf.rewrite(_LEET_TOKEN, _unleet, protect=True)
    buf.rewrite(_ELONGATED, lambda m: m.group(1), hint=_ELONGATED_HINT)
    buf.rewrite(_NUMBER_UNIT, lambda m: [(m.group()[0], 0, 1), (" ", 1, 2), (slang.get(m.group(1), m.group(1)), 1, len(m.group()))])
    buf.replace(_slang_edits(buf.text), protect=True)
    return Normalized(text, buf.text, buf.starts, buf.ends,
                      tuple((k, edits[k]) for k in OBFUSCATION_KINDS if edits[k]))
