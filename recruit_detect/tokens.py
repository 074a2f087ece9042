"""Tokens of a normalized post, shared by the cue phrase matcher and the word features.

One regular expression, not spaCy's tokenizer: on the benchmark posts spaCy's Indonesian rules
cost 0.43 ms per post (a third of the whole scoring budget) and add every new string (each
phone number, each amount) to a vocabulary that grows without bound over millions of posts.
The phrase matcher only needs runs of letters and digits, which this gives exactly;
tests/test_tokens.py checks its phrase matches against the character-level phrase regexes.
"""
from __future__ import annotations

import re

# An Indonesian mobile number, with single spaces, dashes or dots between its digit groups, is one
# token ("0812 3456 7890"): as three number tokens its grouping was a feature, and the grouping is
# a writer's habit. Leaving one author out (benchmarks/bench_authors.py), one author's honest
# domestic ads were flagged at 0.27, and at 0.16 with this token. Narrower than entities._PHONE,
# which also reads "+62 812" and numbers broken across lines: a token never spans a line break.
PHONE = re.compile(r"(?:\+62|62|0)8\d{2}(?:[ \-.]?\d){6,9}(?!\d)")
# A number with its thousands separators ("15.000.000") is one token; so is a run of letters
# and digits ("a1b", "rp15"); any other visible character is a token of its own.
_TOKEN = re.compile(PHONE.pattern + r"|\d+(?:[.,]\d+)*|[^\W_]+|\S")


def tokenize(text: str) -> tuple[tuple[str, int], ...]:
    """(token, start) pairs of `text`, in order."""
    return tuple([(m.group(), m.start()) for m in _TOKEN.finditer(text)])
