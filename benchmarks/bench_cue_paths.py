"""Cue phrase lists: compiled regex (the engine's path) vs. spaCy PhraseMatcher, same posts, same run.

Both paths match every cue's phrase list on normalized corpus text. The script reports how often
they agree (identical normalized spans per cue) and their throughput, and writes
benchmarks/results/cue_paths.json. The engine keeps the faster path where they agree.

    python benchmarks/bench_cue_paths.py [CORPUS.jsonl ...] [--repeat 3]
"""
from __future__ import annotations

import argparse
import json
import platform
import re
import time
from pathlib import Path

from recruit_detect.cues import alternation, default_cues
from recruit_detect.features import tokenizer
from recruit_detect.normalize import normalize


def regex_path(cues):
    compiled = [(c.id, re.compile(alternation(c.phrases, []))) for c in cues if c.phrases]

    def run(text):
        return {(cid, m.start(), m.end()) for cid, rx in compiled for m in rx.finditer(text)}
    return run


def spacy_path(cues):
    from spacy.matcher import PhraseMatcher

    tok = tokenizer()
    matcher = PhraseMatcher(tok.vocab, attr="ORTH")
    for c in cues:
        if c.phrases:
            matcher.add(c.id, [tok(p.lower()) for p in c.phrases])

    def run(text):
        doc = tok(text)
        return {(tok.vocab.strings[mid], doc[s].idx, doc[e - 1].idx + len(doc[e - 1].text)) for mid, s, e in matcher(doc)}
    return run


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="*", default=sorted(str(p) for p in Path("corpus").glob("*.jsonl")))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", default="benchmarks/results/cue_paths.json")
    args = ap.parse_args()
    texts = [normalize(json.loads(line)["text"]).text for path in args.corpus
             for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    cues = default_cues().cues
    paths = {"regex": regex_path(cues), "spacy_phrasematcher": spacy_path(cues)}
    results, hits = {}, {}
    for name, run in paths.items():
        hits[name] = [run(t) for t in texts]  # warm-up and the hits compared below
        best = float("inf")
        for _ in range(args.repeat):
            start = time.perf_counter()
            for t in texts:
                run(t)
            best = min(best, time.perf_counter() - start)
        results[name] = {"seconds": round(best, 4), "posts_per_second": round(len(texts) / best)}
    same = sum(a == b for a, b in zip(hits["regex"], hits["spacy_phrasematcher"]))
    only_regex = sum(len(a - b) for a, b in zip(hits["regex"], hits["spacy_phrasematcher"]))
    only_spacy = sum(len(b - a) for a, b in zip(hits["regex"], hits["spacy_phrasematcher"]))
    report = {"posts": len(texts), "phrases": sum(len(c.phrases) for c in cues), "paths": results,
              "posts_with_identical_hits": same, "hits_only_regex": only_regex, "hits_only_spacy": only_spacy,
              "speed_ratio_regex_over_spacy": round(results["regex"]["posts_per_second"]
                                                    / results["spacy_phrasematcher"]["posts_per_second"], 2),
              "python": platform.python_version()}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(f"{'path':<22}{'posts/s':>10}")
    for name, r in results.items():
        print(f"{name:<22}{r['posts_per_second']:>10}")
    print(f"identical hits on {same}/{len(texts)} posts; only regex {only_regex}, only spaCy {only_spacy}")


if __name__ == "__main__":
    main()
