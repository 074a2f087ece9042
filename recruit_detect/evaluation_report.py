"""Write an evaluation report folder: metrics.json, report.md and PNG plots (precision-recall,
ROC, reliability diagram, confusion matrix, risk histogram per subtype), the worst false
positives and negatives with their cues, and per-cue coverage and precision."""
from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import numpy as np

from recruit_detect.evaluate import format_metrics, format_ratio, negation_entry


def cue_table(posts, verdicts) -> dict:
    """For each risk cue (active hits only): posts it fires in, coverage of the illegal posts, and
    precision (share of the posts it fires in that are illegal)."""
    fired = defaultdict(lambda: [0, 0])
    n_illegal = sum(p.illegal for p in posts) or 1
    for post, verdict in zip(posts, verdicts):
        for cue in {h.cue for h in verdict.analysis.cues if h.active and h.polarity == "risk"}:
            fired[cue][0] += 1
            fired[cue][1] += post.illegal
    return {cue: {"posts": n, "illegal": k, "coverage": round(k / n_illegal, 4), "precision": round(k / n, 4)}
            for cue, (n, k) in sorted(fired.items(), key=lambda kv: -kv[1][0])}


def worst(posts, verdicts, threshold: float, n: int = 20) -> dict:
    def entry(post, verdict):
        return {"id": post.id, "label": post.label, "subtype": post.subtype, "risk": round(verdict.risk, 4),
                "text": post.text[:500],
                "cues": sorted({h.cue for h in verdict.analysis.cues if h.active})}
    pairs = list(zip(posts, verdicts))
    fps = sorted((pv for pv in pairs if not pv[0].illegal and pv[1].risk >= threshold), key=lambda pv: -pv[1].risk)
    fns = sorted((pv for pv in pairs if pv[0].illegal and pv[1].risk < threshold), key=lambda pv: pv[1].risk)
    return {"false_positives": [entry(*pv) for pv in fps[:n]], "false_negatives": [entry(*pv) for pv in fns[:n]]}


def _plots(folder: Path, y, risk, threshold, subtypes) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import ConfusionMatrixDisplay, PrecisionRecallDisplay, RocCurveDisplay

    made = []

    def save(fig, name):
        fig.tight_layout()
        fig.savefig(folder / name, dpi=110)
        plt.close(fig)
        made.append(name)

    if 0 < y.sum() < len(y):
        fig, ax = plt.subplots(figsize=(5, 4))
        PrecisionRecallDisplay.from_predictions(y, risk, ax=ax, name="illegal")
        ax.set_title("Precision-recall")
        save(fig, "precision_recall.png")
        fig, ax = plt.subplots(figsize=(5, 4))
        RocCurveDisplay.from_predictions(y, risk, ax=ax, name="illegal")
        ax.set_title("ROC")
        save(fig, "roc.png")
        fig, ax = plt.subplots(figsize=(5, 4))
        observed, predicted = calibration_curve(y, risk, n_bins=10, strategy="quantile")
        ax.plot([0, 1], [0, 1], ":", color="grey", label="perfect")
        ax.plot(predicted, observed, "o-", label="model")
        ax.set_xlabel("predicted risk")
        ax.set_ylabel("share illegal")
        ax.set_title("Reliability")
        ax.legend()
        save(fig, "reliability.png")
    fig, ax = plt.subplots(figsize=(4.5, 4))
    ConfusionMatrixDisplay.from_predictions(y, (risk >= threshold).astype(int), labels=[0, 1],
                                            display_labels=["other", "illegal"],
                                            ax=ax, colorbar=False)
    ax.set_title(f"Confusion at {threshold:.3f}")
    save(fig, "confusion_matrix.png")
    names = sorted(set(subtypes))
    fig, ax = plt.subplots(figsize=(7, max(3, 0.28 * len(names) + 1)))
    data = [risk[np.array(subtypes) == s] for s in names]
    ax.boxplot(data, orientation="horizontal", tick_labels=names, showfliers=True)
    ax.axvline(threshold, color="red", linestyle="--", label="threshold")
    ax.set_xlabel("risk")
    ax.set_title("Risk by subtype")
    ax.legend()
    save(fig, "risk_by_subtype.png")
    return made


def _span_table(spans: dict) -> list[str]:
    """Markdown rows of a cue_spans.agreement result: overall, then by cue."""
    return ["| cue | annotated | recall | highlights | precision |", "|---|---:|---:|---:|---:|"] + [
        f"| {c} | {e['annotated']} | {format_ratio(e['recall'])} | {e['hits']} | {format_ratio(e['precision'])} |"
        for c, e in {"(all)": spans["overall"], **spans["by_cue"]}.items()]


def write_report(folder, posts, verdicts, metrics: dict, threshold: float) -> None:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    y = np.array([p.illegal for p in posts])
    risk = np.array([v.risk for v in verdicts])
    cues = cue_table(posts, verdicts)
    errors = worst(posts, verdicts, threshold)
    plots = _plots(folder, y, risk, threshold, [p.subtype or p.label for p in posts])
    (folder / "metrics.json").write_text(json.dumps({**metrics, "cues": cues, **errors}, ensure_ascii=False, indent=2)
                                         + "\n", encoding="utf-8")
    lines = [f"# Evaluation of {metrics.get('model', 'model')}", "", "```", format_metrics(metrics), "```", ""]
    lines += [f"![{p[:-4]}]({p})" for p in plots] + ["", "## Risk cues: coverage of illegal posts and precision", "",
                                                     "| cue | posts | illegal | coverage | precision |", "|---|---:|---:|---:|---:|"]
    lines += [f"| {c} | {e['posts']} | {e['illegal']} | {e['coverage']:.3f} | {e['precision']:.3f} |" for c, e in cues.items()]
    if "cue_spans" in metrics:
        spans = metrics["cue_spans"]
        lines += ["", f"## Cue spans against the annotation ({spans['posts']} annotated posts)", "",
                  "An annotated span is recalled when a highlight of the same cue overlaps it; a highlight is "
                  "correct when it overlaps an annotated span of its cue. Negated spans are left out.", ""]
        lines += _span_table(spans)
        if "negation" in spans:
            lines += ["", f"Negation, on the {spans['negation']['hits']} highlights that overlap an annotated span: "
                      + negation_entry(spans["negation"]) + " (a span is denied when the annotators marked it "
                      "negated; recall is the share of those the engine negated, precision the share of the "
                      "engine's negated hits the annotators marked)."]
    if "highlights" in metrics:
        shown = metrics["highlights"]
        lines += ["", "## Highlights shown: the cue rules' and the span tagger's", "",
                  "The tagger's highlights are added on posts in the review and high bands.", ""]
        lines += _span_table(shown)
    for key, title in (("false_positives", "Worst false positives"), ("false_negatives", "Worst false negatives")):
        lines += ["", f"## {title}", ""]
        lines += [f"- `{e['id']}` {e['label']}/{e['subtype'] or '-'} risk {e['risk']:.3f} cues {', '.join(e['cues']) or '-'}: "
                  + e["text"].replace("\n", " ")[:240] for e in errors[key]] or ["(none)"]
    (folder / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
