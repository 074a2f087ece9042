"""Regex safety: time every cue, suppressor, context, entity and normalizer pattern on adversarial
inputs of 5,000 and 50,000 characters. Linear matching takes about 10x longer on the 10x input;
catastrophic backtracking shows as a far larger ratio. Writes benchmarks/results/regex_safety.json.

    python benchmarks/bench_regex_safety.py
"""
from __future__ import annotations

import json
import re
import time
from pathlib import Path

from recruit_detect import entities, money, normalize
from recruit_detect.cues import default_cues

HERE = Path(__file__).resolve().parent
# Inputs that stress the shapes our patterns use: long words, digit groups, separators, repeated
# phrase prefixes that almost match, whitespace runs, and spaced single letters.
SEEDS = {
    "letters": "a",
    "digits_and_dots": "1.",
    "near_miss_phrase": "biaya admin ",
    "spaced_letters": "b ",
    "whitespace": " \t",
    "words_and_numbers": "gaji 15 juta rp ",
    "at_and_dots": "a@b.",
    "mixed": "k4mb0j4 v!sa . - ",
}


def patterns():
    for cue in default_cues().cues:
        for kind in ("pattern", "suppressor", "context"):
            rx = getattr(cue, kind)
            if rx is not None:
                yield f"cue:{cue.id}:{kind}", rx
    for module in (entities, money, normalize):
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern):
                yield f"{module.__name__.split('.')[-1]}:{name}", value
    yield "money:amount", money._currencies()[2]
    yield "entities:destination", entities._destination_pattern()[1]


def seconds(rx, text, repeat=3):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in rx.finditer(text):
            pass
        best = min(best, time.perf_counter() - start)
    return best


def main():
    rows = []
    for name, rx in patterns():
        worst = None
        for seed_name, seed in SEEDS.items():
            small = (seed * (5_000 // len(seed) + 1))[:5_000]
            large = (seed * (50_000 // len(seed) + 1))[:50_000]
            t_small, t_large = seconds(rx, small), seconds(rx, large)
            ratio = t_large / max(t_small, 1e-6)
            if worst is None or t_large > worst["seconds_50k"]:
                worst = {"pattern": name, "input": seed_name, "seconds_5k": round(t_small, 5),
                         "seconds_50k": round(t_large, 5), "ratio": round(ratio, 1)}
        rows.append(worst)
    rows.sort(key=lambda r: -r["seconds_50k"])
    for r in rows[:15]:
        print(f"{r['pattern']:<40} {r['input']:<18} 5k {r['seconds_5k'] * 1000:8.2f} ms  "
              f"50k {r['seconds_50k'] * 1000:8.2f} ms  x{r['ratio']}")
    result = {"patterns": len(rows), "max_seconds_50k": rows[0]["seconds_50k"],
              "max_ratio": max(r["ratio"] for r in rows), "rows": rows}
    print(f"{len(rows)} patterns; slowest 50k-character input {result['max_seconds_50k'] * 1000:.1f} ms; "
          f"largest 50k/5k time ratio {result['max_ratio']}")
    (HERE / "results" / "regex_safety.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
