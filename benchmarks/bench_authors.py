"""Leave one author out: how much of the corpus's cross-validated accuracy is the authors' style?

Each author wrote one slice of the corpus in one voice (corpus/README.md), so style and label are
correlated, and grouped folds keep ideas apart but not authors. Here each author's posts are
scored by models trained on the other authors' posts only: this tool's pipeline (threshold chosen
out of fold on the training part, as `train` does) and, in the same run on the same splits, the
strongest baselines of bench_accuracy.py. Reported per author (recall of its illegal posts,
false-positive rate of the rest) and pooled over all held-out posts.

    python benchmarks/bench_authors.py corpus/*.jsonl

Writes benchmarks/results/authors.json.
"""
from __future__ import annotations

import argparse
import json
import platform
import subprocess
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score, precision_score, recall_score

from bench_accuracy import METHODS
from recruit_detect.detector import analyze

HERE = Path(__file__).resolve().parent
COMPARED = ("recruit-detect", "linear_svm", "tfidf_char_lr")


def _rates(y, pred) -> dict:
    out = {"posts": int(len(y)), "illegal": int(y.sum())}
    if y.sum():
        out["recall"] = round(float(pred[y == 1].mean()), 4)
    if (y == 0).any():
        out["false_positive_rate"] = round(float(pred[y == 0].mean()), 4)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="+")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(HERE / "results" / "authors.json"))
    args = ap.parse_args()
    rows = [json.loads(line) for p in args.corpus for line in Path(p).read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [r["text"] for r in rows]
    y = np.array([int(r["label"] == "illegal") for r in rows])
    groups = np.array([r["group"] for r in rows])
    authors = np.array([r["author"] for r in rows])
    analyses = [analyze(t) for t in texts]
    pred = {m: np.zeros(len(y), dtype=int) for m in COMPARED}
    result = {"posts": len(rows), "authors": {}, "commit": subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE).stdout.strip(),
        "python": platform.python_version()}
    for author in sorted(set(authors), key=lambda a: int(a[1:])):
        test = np.flatnonzero(authors == author)
        train = np.flatnonzero(authors != author)
        entry = {}
        for method in COMPARED:
            _, p, _ = METHODS[method](texts, analyses, y, groups, train, test, args.seed)
            pred[method][test] = p
            entry[method] = _rates(y[test], np.asarray(p))
        result["authors"][author] = entry
        print(author, "  ".join(f"{m} {e.get('recall', e.get('false_positive_rate'))}" for m, e in entry.items()),
              flush=True)
    result["pooled"] = {m: {"precision": round(float(precision_score(y, p)), 4), "recall": round(float(recall_score(y, p)), 4),
                            "f1": round(float(f1_score(y, p)), 4)} for m, p in pred.items()}
    for m, e in result["pooled"].items():
        print(f"pooled {m:<15} precision {e['precision']:.3f}  recall {e['recall']:.3f}  F1 {e['f1']:.3f}")
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
