"""Precision and coverage of the silver-label rules (recruit_detect/silver.py) against the project
corpus's gold labels. Writes benchmarks/results/silver.json.

    python benchmarks/bench_silver.py [corpus/*.jsonl]
"""
import collections
import json
import sys
from pathlib import Path

from recruit_detect.detector import analyze
from recruit_detect.silver import propose

HERE = Path(__file__).resolve().parent


def main():
    paths = sys.argv[1:] or sorted(str(p) for p in (HERE.parent / "corpus").glob("*.jsonl"))
    rows = [json.loads(line) for p in paths for line in Path(p).read_text(encoding="utf-8").splitlines() if line]
    rules = collections.defaultdict(lambda: {"fired": 0, "correct": 0})
    labelled = correct = 0
    for row in rows:
        silver = propose(analyze(row["text"]))
        if silver.label == "unknown":
            continue
        labelled += 1
        correct += silver.label == row["label"]
        for rule in silver.rules:
            rules[rule]["fired"] += 1
            rules[rule]["correct"] += silver.label == row["label"]
    table = {r: {**v, "precision": round(v["correct"] / v["fired"], 3)} for r, v in sorted(rules.items())}
    result = {"posts": len(rows), "labelled": labelled, "coverage": round(labelled / len(rows), 3),
              "precision": round(correct / labelled, 3), "rules": table}
    (HERE / "results" / "silver.json").write_text(json.dumps(result, indent=2) + "\n")
    for rule, v in table.items():
        print(f"{rule:<36} fired {v['fired']:>5}  precision {v['precision']:.3f}")
    print(f"overall: {labelled}/{len(rows)} posts labelled (coverage {result['coverage']:.3f}), "
          f"precision {result['precision']:.3f}")


if __name__ == "__main__":
    main()
