"""Indonesian tokenization shared by the cue engine's phrase matcher and the word features."""
from __future__ import annotations

_tokenizer = None


def tokenizer():
    """spaCy's Indonesian tokenizer rules (prefixes, suffixes, infixes, URL matching); needs no
    model download. Built without the 16k hyphenated-word exceptions of `spacy.blank("id")`:
    compiling those takes 3 s at every start, and reduplications like "anak-anak" then split into
    "anak", "-", "anak", which serves n-gram features just as well."""
    global _tokenizer
    if _tokenizer is None:
        from spacy.lang.id import Indonesian
        from spacy.tokenizer import Tokenizer
        from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex
        from spacy.vocab import Vocab

        rules = Indonesian.Defaults
        _tokenizer = Tokenizer(Vocab(), rules={}, prefix_search=compile_prefix_regex(rules.prefixes).search,
                               suffix_search=compile_suffix_regex(rules.suffixes).search,
                               infix_finditer=compile_infix_regex(rules.infixes).finditer,
                               token_match=rules.token_match, url_match=rules.url_match)
    return _tokenizer
