"""Accuracy on real and project data: this tool's pipeline vs. four standard baselines, in the same
run, on the same deduplicated, grouped, stratified folds.

Datasets (paths are arguments, so a researcher can point at a full copy):
  --emscad DIR   EMSCAD pieces (fake_jobs.csv, cleaned_real_jobs_partial.csv, fj_small_emscad_2pct.csv):
                 title + description + requirements + benefits only (no company_profile: see the
                 selection-artefact note in ../shared/datasets/README.md)
  --sms CSV      Indonesian SMS (Teks, label): fraud (label 1) vs. the rest
  --corpus F...  the project corpus: illegal vs. the rest

    python benchmarks/bench_accuracy.py --emscad ../shared/datasets/emscad \
        --sms ../shared/datasets/sms_id/dataset_sms_spam_v1.csv --corpus corpus/*.jsonl

Writes benchmarks/results/accuracy.json and prints fraud-class precision, recall, F1 and PR-AUC
(mean and standard deviation over folds), training time and prediction throughput.
"""
from __future__ import annotations

import argparse
import csv
import html
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, f1_score, precision_score, recall_score
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.naive_bayes import ComplementNB
from sklearn.pipeline import FeatureUnion, make_pipeline
from sklearn.svm import LinearSVC

from recruit_detect.detector import analyze
from recruit_detect.model import RiskModel, choose_thresholds
from recruit_detect.training import near_duplicate_groups

HERE = Path(__file__).resolve().parent
csv.field_size_limit(sys.maxsize)


# --- datasets ------------------------------------------------------------------------------------

def _rows(path):
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as f:
        return list(csv.DictReader(f))


def load_emscad(folder):
    folder = Path(folder)
    texts, labels = [], []
    for name, fixed in (("fake_jobs.csv", None), ("cleaned_real_jobs_partial.csv", 0), ("fj_small_emscad_2pct.csv", None)):
        path = folder / name
        if not path.exists():
            continue
        for row in _rows(path):
            parts = [html.unescape(row.get(k) or "") for k in ("title", "description", "requirements", "benefits")]
            texts.append("\n".join(p for p in parts if p.strip()))
            labels.append(fixed if fixed is not None else int(str(row.get("fraudulent", "0")).strip() in ("1", "t", "true")))
    return texts, labels


def load_sms(path):
    rows = _rows(path)
    return [r["Teks"] for r in rows], [int(str(r["label"]).strip() == "1") for r in rows]


def load_corpus(paths):
    rows = [json.loads(line) for p in paths for line in Path(p).read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r["text"] for r in rows], [int(r["label"] == "illegal") for r in rows], [r["group"] for r in rows]


def dedupe(texts, labels, groups=None):
    """Drop exact repeats of whitespace- and case-normalized text (first one kept)."""
    seen, keep = set(), []
    for i, t in enumerate(texts):
        key = " ".join(t.lower().split())
        if key and key not in seen:
            seen.add(key)
            keep.append(i)
    pick = lambda xs: [xs[i] for i in keep]  # noqa: E731
    return pick(texts), pick(labels), (pick(groups) if groups else None), len(texts) - len(keep)


# --- methods: fit on train indices, return scores and 0/1 predictions on test indices -----------

def _word():
    return TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)


def _char():
    return TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True)


def sklearn_method(factory):
    def run(texts, analyses, y, groups, train, test, seed):
        model = factory().fit([texts[i] for i in train], y[train])
        start = time.perf_counter()
        x = [texts[i] for i in test]
        scores = model.decision_function(x) if hasattr(model, "decision_function") else model.predict_proba(x)[:, 1]
        pred = model.predict(x)
        return scores, pred, time.perf_counter() - start
    return run


def tool(texts, analyses, y, groups, train, test, seed):
    model = RiskModel(folds=3, seed=seed).fit([analyses[i] for i in train], y[train], groups[train])
    threshold = choose_thresholds(y[train], model.oof_proba_).illegal
    start = time.perf_counter()
    # The tool's throughput includes its analysis (normalizer, cues, entities) of the test posts.
    fresh = [analyze(texts[i]) for i in test]
    risk = model.predict_proba(fresh)[:, 1]
    return risk, (risk >= threshold).astype(int), time.perf_counter() - start


METHODS = {
    "recruit-detect": tool,
    "tfidf_word_lr": sklearn_method(lambda: make_pipeline(_word(), LogisticRegression(C=10, class_weight="balanced", max_iter=3000))),
    "tfidf_char_lr": sklearn_method(lambda: make_pipeline(_char(), LogisticRegression(C=10, class_weight="balanced", max_iter=3000))),
    "complement_nb": sklearn_method(lambda: make_pipeline(_word(), ComplementNB(alpha=0.3))),
    "linear_svm": sklearn_method(lambda: make_pipeline(FeatureUnion([("w", _word()), ("c", _char())]),
                                                       LinearSVC(C=0.5, class_weight="balanced"))),
}


def outer_folds(texts, labels, groups, folds, seed):
    """(labels, groups, splits): the grouped, stratified folds every method is scored on (groups
    from near-duplicate clusters unless the data has them)."""
    y = np.array(labels)
    groups = np.array(groups if groups else near_duplicate_groups([" ".join(t.lower().split()) for t in texts]))
    return y, groups, list(StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed).split(texts, y, groups))


def datasets(args):
    """(name, texts, labels, groups, duplicates dropped) for each dataset given on the command line;
    none given is an error, not an empty results file over the committed one."""
    if not (args.emscad or args.sms or args.corpus):
        raise SystemExit("no dataset given: pass --emscad DIR, --sms CSV and/or --corpus FILE...")
    found = []
    if args.emscad:
        found.append(("emscad", *load_emscad(args.emscad), None))
    if args.sms:
        found.append(("sms_id", *load_sms(args.sms), None))
    if args.corpus:
        found.append(("corpus", *load_corpus(args.corpus)))
    return [(name, *dedupe(texts, labels, groups)) for name, texts, labels, groups in found]


def evaluate(name, texts, labels, groups, folds, seed, methods):
    y, groups, splits = outer_folds(texts, labels, groups, folds, seed)
    analyses = [analyze(t) for t in texts] if "recruit-detect" in methods else None
    result = {"posts": len(texts), "fraud": int(y.sum()), "groups": int(len(set(groups))), "methods": {}}
    wrong_everywhere = np.ones(len(y), dtype=bool)
    for method in methods:
        per_fold = []
        for train, test in splits:
            start = time.perf_counter()
            scores, pred, predict_seconds = METHODS[method](texts, analyses, y, groups, train, test, seed)
            fit_seconds = time.perf_counter() - start - predict_seconds
            wrong_everywhere[test] &= pred != y[test]
            per_fold.append({"precision": precision_score(y[test], pred, zero_division=0),
                             "recall": recall_score(y[test], pred, zero_division=0),
                             "f1": f1_score(y[test], pred, zero_division=0),
                             "pr_auc": average_precision_score(y[test], scores),
                             "train_seconds": fit_seconds, "posts_per_second": len(test) / predict_seconds})
        summary = {k: {"mean": round(float(np.mean([f[k] for f in per_fold])), 4),
                       "std": round(float(np.std([f[k] for f in per_fold])), 4)} for k in per_fold[0]}
        result["methods"][method] = summary
        print(f"{name:<10} {method:<15} F1 {summary['f1']['mean']:.3f}±{summary['f1']['std']:.3f}  "
              f"P {summary['precision']['mean']:.3f}  R {summary['recall']['mean']:.3f}  "
              f"PR-AUC {summary['pr_auc']['mean']:.3f}±{summary['pr_auc']['std']:.3f}  "
              f"train {summary['train_seconds']['mean']:.1f} s  {summary['posts_per_second']['mean']:,.0f} posts/s",
              flush=True)
    # Posts every method gets wrong: where the labels or the data, not a method, set the ceiling
    # (on the SMS set, promotions labelled fraud beside near-copies labelled promotion).
    result["wrong_for_every_method"] = {"posts": int(wrong_everywhere.sum()),
                                        "fraud_label": int(y[wrong_everywhere].sum())}
    f1 = {m: s["f1"]["mean"] for m, s in result["methods"].items()}
    if "recruit-detect" in f1 and len(f1) > 1:
        best = max((v, m) for m, v in f1.items() if m != "recruit-detect")
        result["tool_minus_best_baseline_f1"] = round(f1["recruit-detect"] - best[0], 4)
        result["best_baseline"] = best[1]
    return result


def dataset_arguments(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--emscad")
    ap.add_argument("--sms")
    ap.add_argument("--corpus", nargs="*")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    dataset_arguments(ap)
    ap.add_argument("--methods", nargs="+", default=list(METHODS))
    ap.add_argument("--out", default=str(HERE / "results" / "accuracy.json"))
    args = ap.parse_args()
    results = {}
    for name, texts, labels, groups, dropped in datasets(args):
        results[name] = evaluate(name, texts, labels, groups, args.folds, args.seed, args.methods)
        results[name]["duplicates_dropped"] = dropped
    results["protocol"] = {"folds": args.folds, "seed": args.seed, "python": platform.python_version(),
                           "split": "exact duplicates removed, then StratifiedGroupKFold over near-duplicate "
                                    "clusters (corpus: its group field)"}
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
