"""HTML report responsiveness: build a report of N scored posts (corpus posts resampled), open it in
headless Chromium with several filters in the URL fragment, and read the page's own measurement of
filter + render time (data-ms on #status). Writes benchmarks/results/report_<n>.json.

    python benchmarks/bench_report.py [--posts 10000] [--model models/default]
"""
from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWS = ["", "#band=high", "#q=kamboja", "#band=high&cue=fee_demand", "#dest=Arab%20Saudi"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, default=10_000)
    ap.add_argument("--model", default=None)
    args = ap.parse_args()
    chromium = shutil.which("chromium") or sys.exit("needs Debian's chromium")
    texts = [json.loads(line)["text"] for p in sorted((HERE.parent / "corpus").glob("*.jsonl"))
             for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
    rng = random.Random(0)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        posts = tmp / "posts.jsonl"
        posts.write_text("".join(json.dumps({"id": i, "text": rng.choice(texts)}, ensure_ascii=False) + "\n"
                                 for i in range(args.posts)), encoding="utf-8")
        run = [sys.executable, "-m", "recruit_detect"]
        model = ["--model", args.model] if args.model else []
        subprocess.run([*run, "score", *model, str(posts), "-o", str(tmp / "s.jsonl"), "--keep-fields", "text",
                        "--quiet", "--jobs", "2"], check=True)
        subprocess.run([*run, "report", str(tmp / "s.jsonl"), "-o", str(tmp / "r.html")], check=True)
        views = []
        for view in VIEWS:
            start = time.perf_counter()
            dom = subprocess.run([chromium, *FLAGS, f"--user-data-dir={tmp / 'profile'}", "--virtual-time-budget=3000",
                                  "--dump-dom", (tmp / "r.html").as_uri() + view], capture_output=True, text=True,
                                 timeout=300).stdout
            wall = time.perf_counter() - start
            ms = float(re.search(r'data-ms="([0-9.]+)"', dom).group(1))
            matched = int(re.search(r'id="matched">(\d+)<', dom).group(1))
            views.append({"view": view or "(all)", "matched": matched, "filter_render_ms": ms,
                          "browser_wall_seconds": round(wall, 2)})
            print(f"{view or '(all)':<30} {matched:>6} posts  filter+render {ms:>6.1f} ms  browser {wall:5.1f} s")
        result = {"posts": args.posts, "html_bytes": (tmp / "r.html").stat().st_size, "views": views}
    (HERE / "results" / f"report_{args.posts}.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
