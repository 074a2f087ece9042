"""Highlights against the annotation: how many of the corpus's annotated cue spans the cue engine
finds (recall) and how many of its highlights an annotator marked (precision), per cue, next to a
baseline in the same run: each cue's phrase list searched as whole words in the lower-cased post,
with no normalizer, no patterns and no negation.

The corpus is split by author into the posts the cue files were tuned on and posts they were not
(by default a16-a33: a16-a19 were written in session 13 before the cue files were extended and
were not mined for phrases, though the misses of fee_demand, false_legitimacy and fake_internship
there were seen once before they were set aside; a20-a28 were written after the change, but
session 14's fee patterns came from a25's misses; a29-a33 were written in session 15, after the
last change to the cue files), so both an in-sample and an out-of-sample
figure are reported. The engine's negation is also compared with
the annotators' `negated` flags; its word lists (recruit_detect/negation.py) were drawn from the
misses of a1-a22 and then of a23, so for negation a24 is close to blind (its misses were seen
once) and a25-a28 are blind.

`engine_and_tagger` adds the learned highlights (span_tagger.py) of a tagger fitted, as `train`
fits it, on the tuned-on authors' annotated posts only, so on the held-out slice it is measured on
writers it never read. It is measured on every annotated post; the detector shows learned
highlights only on posts in the review and high bands.

    python benchmarks/bench_cue_spans.py corpus/*.jsonl [--held-out a16,a17,...]

Writes benchmarks/results/cue_spans.json.
"""
from __future__ import annotations

import argparse
import json
import platform
import re
import subprocess
from pathlib import Path

from recruit_detect.cue_spans import agreement, engine_hits, engine_spans, negation_agreement, parse_annotation
from recruit_detect.cues import default_cues
from recruit_detect.detector import analyze
from recruit_detect.span_tagger import highlights, learn

HERE = Path(__file__).resolve().parent


def phrase_baseline():
    """A function from a post to its spans: every cue phrase found as whole words, lower-cased."""
    scanners = [(cue.id, re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, sorted(cue.phrases, key=len, reverse=True)))
                                    + r")(?!\w)")) for cue in default_cues().cues if cue.phrases]

    def spans(text: str):
        lowered = text.lower()  # same length as text for the corpus's scripts, so offsets hold
        return tuple((cue, m.start(), m.end()) for cue, rx in scanners for m in rx.finditer(lowered))
    return spans


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="+")
    ap.add_argument("--held-out", default=",".join(f"a{k}" for k in range(16, 34)),
                    help="authors whose posts the cue files were not tuned on")
    ap.add_argument("--out", default=str(HERE / "results" / "cue_spans.json"))
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    held_out = set(args.held_out.split(","))
    rows = [json.loads(line) for p in args.corpus for line in Path(p).read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if len(r["text"].lower()) == len(r["text"])]
    baseline = phrase_baseline()
    analyses = [analyze(r["text"]) for r in rows]
    found = {"engine": [engine_spans(a) for a in analyses], "phrase_baseline": [baseline(r["text"]) for r in rows]}
    gold = [parse_annotation(r["cues"]) or () for r in rows]
    denied = [parse_annotation(r["cues"], negated=True) or () for r in rows]
    hits = [engine_hits(a) for a in analyses]
    result = {"posts": len(rows), "held_out_authors": sorted(held_out),
              "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                       cwd=HERE).stdout.strip(),
              "python": platform.python_version(), "slices": {}}
    # The learned highlights (span_tagger.learn, as `train` fits them) from the tuned-on authors
    # alone, as a score record shows them (span_tagger.highlights), beside the rules' highlights.
    tuned = [i for i, r in enumerate(rows) if r["author"] not in held_out]
    tagger, _ = learn([analyses[i] for i in tuned], [gold[i] for i in tuned], [rows[i]["label"] == "illegal" for i in tuned],
                      [rows[i]["group"] for i in tuned], jobs=args.jobs)
    learned = [tuple((h.cue, h.start, h.end) for h in shown) for shown in highlights(tagger, analyses, default_cues())]
    found["engine_and_tagger"] = [e + m for e, m in zip(found["engine"], learned)]
    result["tagger_cues_off"] = tagger.off_
    for name, keep in (("tuned_on", lambda r: r["author"] not in held_out), ("held_out", lambda r: r["author"] in held_out)):
        idx = [i for i, r in enumerate(rows) if keep(r)]
        result["slices"][name] = {method: agreement([gold[i] for i in idx], [spans[i] for i in idx])
                                  for method, spans in found.items()}
        for method, a in result["slices"][name].items():
            o = a["overall"]
            print(f"{name:<9} {method:<16} posts {a['posts']:>5}  recall {o['recall']:.3f} of {o['annotated']}  "
                  f"precision {o['precision']:.3f} of {o['hits']}")
        # The baseline has no negation, so only the engine's is compared with the annotation.
        neg = result["slices"][name]["engine_negation"] = negation_agreement(
            [gold[i] for i in idx], [denied[i] for i in idx], [hits[i] for i in idx])
        print(f"{name:<9} engine negation  recall {neg['recall']:.3f} of {neg['denied']} denied  "
              f"precision {neg['precision']:.3f} of {neg['negated']} negated ({neg['hits']} hits on annotated spans)")
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
