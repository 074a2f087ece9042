"""How the flag threshold is chosen, measured on bench_accuracy's datasets and outer folds.

For each outer fold the tool's model is fitted once on the training part, with 3 and with 5
inner folds for its out-of-fold calibration, and the threshold is set from the training part's
out-of-fold probabilities by each rule:
  argmax   where the out-of-fold F1 peaks (the rule before session 4)
  half_f1  half the peak out-of-fold F1 (model.choose_thresholds, the shipped rule: for a
           calibrated classifier F1 peaks there; Lipton, Elkan and Naryanaswamy 2014)
Fraud-class F1 on the test part is reported for each, beside `oracle`, the best threshold on the
test part itself: a ceiling no rule can reach, showing how much the choice costs at most. The
test part's Brier score and log-loss show whether the number of inner folds changes how well the
risk is calibrated.

    python benchmarks/bench_threshold.py --emscad ../shared/datasets/emscad \
        --sms ../shared/datasets/sms_id/dataset_sms_spam_v1.csv --corpus corpus/*.jsonl

Writes benchmarks/results/threshold.json.
"""
from __future__ import annotations

import argparse
import json
import platform
from pathlib import Path

import numpy as np
from bench_accuracy import dataset_arguments, datasets, outer_folds
from sklearn.metrics import brier_score_loss, f1_score, log_loss

from recruit_detect.detector import analyze
from recruit_detect.model import RiskModel, choose_thresholds, f1_curve

HERE = Path(__file__).resolve().parent
INNER_FOLDS = (3, 5)


def thresholds(y_train, oof) -> dict[str, float]:
    f1, _, _, cuts = f1_curve(y_train, oof)
    return {"argmax": float(cuts[f1.argmax()]), "half_f1": choose_thresholds(y_train, oof).illegal}


def fold_scores(analyses, y, groups, train, test, inner: int, seed: int, jobs: int) -> dict[str, float]:
    model = RiskModel(folds=inner, seed=seed, n_jobs=jobs).fit([analyses[i] for i in train], y[train], groups[train])
    risk = model.predict_proba([analyses[i] for i in test])[:, 1]
    out = {rule: f1_score(y[test], risk >= t, zero_division=0)
           for rule, t in thresholds(y[train], model.oof_proba_).items()}
    out["oracle"] = float(f1_curve(y[test], risk)[0].max())
    # How well calibrated the risk is on the test part (lower is better)
    out["brier"] = brier_score_loss(y[test], risk)
    out["log_loss"] = log_loss(y[test], risk, labels=[0, 1])
    return out


def _summary(values) -> dict:
    return {"mean": round(float(np.mean(values)), 4), "std": round(float(np.std(values)), 4),
            "folds": [round(float(v), 4) for v in values]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    dataset_arguments(ap)
    ap.add_argument("--jobs", type=int, default=2, help="processes for the inner folds (results do not depend on it)")
    ap.add_argument("--out", default=str(HERE / "results" / "threshold.json"))
    args = ap.parse_args()
    results = {}
    for name, texts, labels, groups, _ in datasets(args):
        y, groups, splits = outer_folds(texts, labels, groups, args.folds, args.seed)
        analyses = [analyze(t) for t in texts]
        results[name] = {"posts": len(texts), "fraud": int(y.sum())}
        for inner in INNER_FOLDS:
            per_fold = [fold_scores(analyses, y, groups, tr, te, inner, args.seed, args.jobs) for tr, te in splits]
            rules = {rule: _summary([f[rule] for f in per_fold]) for rule in per_fold[0]}
            gain = [f["half_f1"] - f["argmax"] for f in per_fold]
            rules["half_f1_minus_argmax"] = _summary(gain)
            results[name][f"inner_folds_{inner}"] = rules
            print(f"{name:<8} inner {inner}  " + "  ".join(f"{r} {v['mean']:.4f}" for r, v in rules.items()), flush=True)
    results["protocol"] = {"outer_folds": args.folds, "seed": args.seed, "python": platform.python_version(),
                           "split": "as bench_accuracy.py: exact duplicates removed, StratifiedGroupKFold"}
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
