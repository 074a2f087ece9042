"""Plain-word cue phrases three ways, same posts, same run: one regex per cue, spaCy's tokenizer
with its PhraseMatcher, and the engine's path (one regex tokenizer, then a dict from first word
to phrases). Tokenizing is counted in the last two, since the engine has to do it.

Reports throughput and agreement (identical normalized spans per cue, after keeping the longest
match at each start as the engine does) and writes
benchmarks/results/cue_paths.json.

    python benchmarks/bench_cue_paths.py [CORPUS.jsonl ...] [--repeat 3]    (spaCy: pip install spacy)
"""
from __future__ import annotations

import argparse
import json
import platform
import re
import time
from pathlib import Path

from recruit_detect.cues import _LEFT, _RIGHT, _trie_regex, default_cues
from recruit_detect.normalize import normalize
from recruit_detect.tokens import tokenize


def regex_path(cues):
    compiled = [(c.id, re.compile(_LEFT + "(?:" + _trie_regex(c.token_phrases).replace(r"\s+", " ") + ")" + _RIGHT))
                for c in cues if c.token_phrases]

    def run(text):
        return {(cid, m.start(), m.end()) for cid, rx in compiled for m in rx.finditer(text)}
    return run


def spacy_path(cues):
    from spacy.lang.id import Indonesian
    from spacy.matcher import PhraseMatcher

    tok = Indonesian().tokenizer
    matcher = PhraseMatcher(tok.vocab, attr="ORTH")
    for c in cues:
        if c.token_phrases:
            matcher.add(c.id, [tok(p.lower()) for p in c.token_phrases])

    def run(text):
        doc = tok(text)
        return {(tok.vocab.strings[mid], doc[s].idx, doc[e - 1].idx + len(doc[e - 1].text)) for mid, s, e in matcher(doc)}
    return run, tok


def token_path(cues):
    cue_set = default_cues()

    def run(text):
        return {(cid, a, b) for cid, spans in cue_set._phrase_spans(text, tokenize(text))[0].items() for a, b in spans}
    return run


def kept(hits):
    """What CueSet.find keeps of a cue's matches: the longest at each start, no overlaps."""
    out, end = set(), {}
    for cid, a, b in sorted(hits, key=lambda h: (h[0], h[1], -h[2])):
        if a >= end.get(cid, -1):
            out.add((cid, a, b))
            end[cid] = b
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="*", default=sorted(str(p) for p in Path("corpus").glob("*.jsonl")))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", default="benchmarks/results/cue_paths.json")
    args = ap.parse_args()
    texts = [normalize(json.loads(line)["text"]).text for path in args.corpus
             for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    cues = default_cues().cues
    spacy_run, spacy_tokenizer = spacy_path(cues)
    paths = {"regex_per_cue": regex_path(cues), "spacy_phrasematcher": spacy_run, "token_index": token_path(cues)}
    results, hits = {}, {}
    for name, run in paths.items():
        hits[name] = [kept(run(t)) for t in texts]  # warm-up and the hits compared below
        best = float("inf")
        for _ in range(args.repeat):
            start = time.perf_counter()
            for t in texts:
                run(t)
            best = min(best, time.perf_counter() - start)
        results[name] = {"seconds": round(best, 4), "posts_per_second": round(len(texts) / best)}
    agreement = {other: {"posts_with_identical_hits": sum(a == b for a, b in zip(hits["regex_per_cue"], hits[other])),
                         "hits_only_regex": sum(len(a - b) for a, b in zip(hits["regex_per_cue"], hits[other])),
                         "hits_only_" + other: sum(len(b - a) for a, b in zip(hits["regex_per_cue"], hits[other]))}
                 for other in ("spacy_phrasematcher", "token_index")}
    report = {"posts": len(texts), "phrases": sum(len(c.token_phrases) for c in cues), "paths": results,
              "agreement_with_regex": agreement, "spacy_vocabulary_after_run": len(spacy_tokenizer.vocab),
              "python": platform.python_version()}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(f"{'path':<22}{'posts/s':>10}")
    for name, r in results.items():
        print(f"{name:<22}{r['posts_per_second']:>10}")
    print(json.dumps(agreement, indent=1))


if __name__ == "__main__":
    main()
