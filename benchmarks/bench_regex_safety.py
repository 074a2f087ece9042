"""Regex safety: time every pattern that reads a post (cues, suppressors, context words, entities,
money, normalizer; the `re` fast path) on adversarial inputs of 2,000 and 20,000 characters (the
batch limit). Linear matching takes about 10x longer on the 10x input; a larger ratio means
backtracking. Inputs: repeated phrase fragments, and a run of one character followed by one
that ends no match (a run of dots before "x" is what exposed the quadratic sentence splitter).
Also times the run-time bound on a deliberately catastrophic pattern (safe_regex).
Writes benchmarks/results/regex_safety.json.

    python benchmarks/bench_regex_safety.py
"""
from __future__ import annotations

import json
import time
from pathlib import Path

from recruit_detect import safe_regex
from recruit_detect.detector import analyze, post_patterns

HERE = Path(__file__).resolve().parent
SIZES = (2_000, 20_000)
# Phrase fragments that almost match, digit groups, separators, whitespace, spaced letters...
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
# ...and runs of one character that a pattern repeats, then a character no pattern expects.
RUN_CHARS = "a1. \n-_/@#'!?,:$*+()"


def inputs(size):
    for name, seed in SEEDS.items():
        yield name, (seed * (size // len(seed) + 1))[:size]
    for ch in RUN_CHARS:
        yield f"run {ch!r}", ch * (size - 1) + "\u00a7"


def seconds(rx, text, repeat=3):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in rx.finditer(text):
            pass
        best = min(best, time.perf_counter() - start)
        if best > 0.5:
            break
    return best


def catastrophic():
    """A pattern that backtracks exponentially, through the bounded paths: the alarm stops `re`,
    the guarded call stops `regex`; the seconds are what one such post costs."""
    rx = safe_regex.compile(r"(.*a){20}x", name="bench.catastrophic")
    text = "a" * 400
    assert safe_regex.can_interrupt()
    start = time.perf_counter()
    try:
        with safe_regex.interrupt_after(safe_regex.post_seconds(len(text))):
            rx.search(text)
        alarm = None
    except safe_regex.OutOfTime:
        alarm = time.perf_counter() - start
    start = time.perf_counter()
    with safe_regex.guarded() as noted:
        rx.search(text)
    guarded = time.perf_counter() - start
    return {"pattern": rx.pattern, "chars": len(text), "alarm_seconds": alarm and round(alarm, 3),
            "guarded_seconds": round(guarded, 3), "noted": noted}


def worst_post():
    """The slowest adversarial input as a whole post through `analyze` (alarm and fallback included)."""
    rows = []
    for name, text in inputs(SIZES[-1]):
        start = time.process_time()
        analysis = analyze(text)
        rows.append({"input": name, "cpu_seconds": round(time.process_time() - start, 3),
                     "warnings": list(analysis.warnings)})
    return max(rows, key=lambda r: r["cpu_seconds"])


def main():
    rows = []
    small, large = dict(inputs(SIZES[0])), dict(inputs(SIZES[1]))
    for rx in post_patterns():
        worst = None
        for name in small:
            t_small, t_large = seconds(rx._re, small[name]), seconds(rx._re, large[name])
            ratio = t_large / max(t_small, 1e-6)
            if worst is None or t_large > worst["seconds_20k"]:
                worst = {"pattern": rx.name, "source": rx.pattern[:80], "input": name,
                         "seconds_2k": round(t_small, 5), "seconds_20k": round(t_large, 5), "ratio": round(ratio, 1)}
        rows.append(worst)
    rows.sort(key=lambda r: -r["seconds_20k"])
    for r in rows[:15]:
        print(f"{r['pattern']:<28} {r['input']:<18} 2k {r['seconds_2k'] * 1000:8.2f} ms  "
              f"20k {r['seconds_20k'] * 1000:8.2f} ms  x{r['ratio']}")
    result = {"patterns": len(rows), "max_seconds_20k": rows[0]["seconds_20k"],
              "max_ratio": max(r["ratio"] for r in rows), "catastrophic": catastrophic(),
              "worst_post": worst_post(), "rows": rows}
    print(f"{len(rows)} patterns; slowest 20k-character input {result['max_seconds_20k'] * 1000:.1f} ms; "
          f"largest 20k/2k time ratio {result['max_ratio']}")
    print("catastrophic pattern:", result["catastrophic"])
    print("slowest whole post:", result["worst_post"])
    (HERE / "results" / "regex_safety.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
