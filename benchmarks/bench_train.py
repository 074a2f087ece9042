"""Training time and memory on a large labelled corpus: `recruit-detect train` end to end (reading,
deduplication, analysis, counting, out-of-fold SVM fits, calibration, saving) on N posts
built by resampling and perturbing the project corpus, with 1 and 2 jobs.

Each generated post keeps its source post's label and group, so the cross-validation stays
grouped by source and the perturbed copies never leak across folds. Perturbations (new digits,
a sentence from another post, hashtags, case) make the copies distinct after normalization.

    python benchmarks/bench_train.py --sizes 100000 [--jobs 1 2] [--repeat 3]

Writes benchmarks/results/train_<size>.json and prints a table: time, phases, the peak RSS of the
largest process and the run's peak memory (the fall in the machine's available memory). With
--repeat, each row is the run with the median time, with every run's time beside it: this
machine's speed swings by half from one hour to the next.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TAGS = ["#loker", "#lowongankerja", "#infoloker", "#kerjaluarnegeri", "#fyp", "#viral", "#info", "#kerja"]


def build_corpus(corpus_files, n: int, seed: int = 0):
    rows = [json.loads(line) for f in corpus_files for line in Path(f).read_text(encoding="utf-8").splitlines()
            if line.strip()]
    rng = random.Random(seed)
    for i in range(n):
        src = rng.choice(rows)
        text = re.sub(r"\d", lambda m: str(rng.randrange(10)), src["text"])
        other = rng.choice(rows)["text"].split(". ")
        text += " " + rng.choice(other) + " " + " ".join(rng.sample(TAGS, 2)) + f" {rng.randrange(10**6)}"
        if rng.random() < 0.3:
            text = text.lower()
        yield {"id": f"g{i}", "text": text, "label": src["label"], "group": src.get("group") or src["id"]}


def _available_kib() -> int:
    with open("/proc/meminfo") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("MemAvailable:"))


def _run(path: str, out: str, size: int, jobs: int) -> dict:
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "recruit_detect", "train", path, "-o", out,
                             "--group-field", "group", "--jobs", str(jobs)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    # The run's whole footprint, as the fall in the machine's available memory (sampled every 0.1
    # s): a forked worker's RSS also counts the pages it shares with the parent, so the largest
    # RSS alone says little about the memory a run needs.
    before = _available_kib()
    lowest, done = [before], threading.Event()

    def sample():
        while not done.wait(0.1):
            lowest[0] = min(lowest[0], _available_kib())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)  # peak RSS of the process or its largest worker
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    if status:
        raise SystemExit(f"training with {jobs} jobs failed:\n{stderr}")
    card = json.loads(Path(out, "metadata.json").read_text())
    row = {"jobs": jobs, "posts": size, "seconds": round(seconds, 1), "peak_rss_mib": round(usage.ru_maxrss / 1024),
           "peak_memory_mib": round((before - lowest[0]) / 1024),
           "trained_on": card["training"]["posts"], "oof_f1": card["cross_validated"]["f1"],
           "phases": card["training"]["seconds"]}
    print(f"{size:>9,} posts  jobs {jobs}  {seconds:7.1f} s  peak RSS {row['peak_rss_mib']} MiB  "
          f"peak memory {row['peak_memory_mib']} MiB  "
          f"OOF F1 {row['oof_f1']}  phases {row['phases']}", flush=True)
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--corpus", nargs="+", default=sorted(str(p) for p in (ROOT / "corpus").glob("*.jsonl")))
    ap.add_argument("--repeat", type=int, default=1, help="runs of each job count; the median run is kept")
    args = ap.parse_args()
    for size in args.sizes:
        rows = []
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "corpus.jsonl")
            with open(path, "w", encoding="utf-8") as f:
                for post in build_corpus(args.corpus, size):
                    f.write(json.dumps(post, ensure_ascii=False) + "\n")
            for jobs in args.jobs:
                runs = [_run(path, os.path.join(tmp, f"model{jobs}"), size, jobs) for _ in range(args.repeat)]
                median = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
                rows.append(dict(median, runs_seconds=[r["seconds"] for r in runs]))  # in the order they ran
        result = {"size": size, "rows": rows,
                  "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                              "platform": platform.platform()}}
        (HERE / "results").mkdir(exist_ok=True)
        (HERE / "results" / f"train_{size}.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
