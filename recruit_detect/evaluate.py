"""Honest metrics for the illegal class: precision, recall, F1, PR-AUC, ROC-AUC, and the
false-positive rate of every negative label and subtype (news and warnings must not alarm)."""
from __future__ import annotations

from collections import defaultdict

import numpy as np
from sklearn.metrics import average_precision_score, f1_score, precision_score, recall_score, roc_auc_score


def metrics(y, proba, threshold: float, labels=None, subtypes=None) -> dict:
    y = np.asarray(y, dtype=int)
    proba = np.asarray(proba, dtype=float)
    pred = (proba >= threshold).astype(int)
    out = {
        "n": int(len(y)), "positives": int(y.sum()), "threshold": threshold,
        "precision": round(float(precision_score(y, pred, zero_division=0)), 4),
        "recall": round(float(recall_score(y, pred, zero_division=0)), 4),
        "f1": round(float(f1_score(y, pred, zero_division=0)), 4),
        "pr_auc": round(float(average_precision_score(y, proba)), 4) if 0 < y.sum() < len(y) else None,
        "roc_auc": round(float(roc_auc_score(y, proba)), 4) if 0 < y.sum() < len(y) else None,
    }
    for key, values in (("by_label", labels), ("by_subtype", subtypes)):
        if values is None:
            continue
        buckets = defaultdict(list)
        for value, truth, flagged in zip(values, y, pred):
            buckets[value or "-"].append((truth, flagged))
        table = {}
        for value in sorted(buckets):
            rows = buckets[value]
            n_pos = sum(t for t, _ in rows)
            entry = {"n": len(rows)}
            if n_pos:
                entry["recall"] = round(sum(f for t, f in rows if t) / n_pos, 4)
            if n_pos < len(rows):
                entry["false_positive_rate"] = round(sum(f for t, f in rows if not t) / (len(rows) - n_pos), 4)
            table[value] = entry
        out[key] = table
    return out


def format_metrics(m: dict) -> str:
    lines = [f"posts {m['n']}  illegal {m['positives']}  threshold {m['threshold']:.3f}",
             f"illegal class: precision {m['precision']:.3f}  recall {m['recall']:.3f}  F1 {m['f1']:.3f}  "
             f"PR-AUC {m['pr_auc'] if m['pr_auc'] is None else format(m['pr_auc'], '.3f')}  "
             f"ROC-AUC {m['roc_auc'] if m['roc_auc'] is None else format(m['roc_auc'], '.3f')}"]
    for key, title in (("by_label", "by label"), ("by_subtype", "by subtype")):
        if key in m:
            lines.append(f"{title}:")
            for name, e in m[key].items():
                parts = [f"n {e['n']:>4}"]
                if "recall" in e:
                    parts.append(f"recall {e['recall']:.3f}")
                if "false_positive_rate" in e:
                    parts.append(f"false-positive rate {e['false_positive_rate']:.3f}")
                lines.append(f"  {name:<22} " + "  ".join(parts))
    if "cue_spans" in m:
        spans = m["cue_spans"]
        lines.append(f"cue spans in {spans['posts']} annotated posts: " + _span_entry(spans["overall"]))
        if "negation" in spans:
            lines.append("negation: " + negation_entry(spans["negation"]))
    if "highlights" in m:
        lines.append("with the learned highlights (review and high bands): " + _span_entry(m["highlights"]["overall"]))
    return "\n".join(lines)


def format_ratio(value: float | None) -> str:
    """A rate to three places; "-" where its denominator was 0."""
    return "-" if value is None else f"{value:.3f}"


def negation_entry(e: dict) -> str:
    """'recall 0.875 of 112 denied  precision 0.867 of 113 negated'."""
    return (f"recall {format_ratio(e['recall'])} of {e['denied']} denied  "
            f"precision {format_ratio(e['precision'])} of {e['negated']} negated")


def _span_entry(e: dict) -> str:
    """'recall 0.412 of 900 annotated  precision 0.700 of 530 hits'."""
    return (f"recall {format_ratio(e['recall'])} of {e['annotated']} annotated  "
            f"precision {format_ratio(e['precision'])} of {e['hits']} hits")
