"""Regenerate the README screenshots with Debian's headless Chromium: `check` in a terminal-like
page and the HTML report. Run from the project root: python docs/screenshots.py"""
import html
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from recruit_detect.cli import _render
from recruit_detect.detector import Detector

POST = ("DIBUTUHKAN SEGERA!! Admin CS utk perusahaan di 🇰🇭, gaji $1200/bln, tanpa pengalaman, tiket + mess "
        "ditanggung, B I A Y A adm1n 5jt, berangkat minggu depan pakai v!sa turis. Minat japri WA 0812-3456-7890")
COLOURS = {"31": "#ff6b6b", "32": "#69db7c", "33": "#ffd43b", "36": "#66d9e8"}
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def ansi_to_html(text: str) -> str:
    out, open_spans = [], 0
    for part in re.split(r"(\x1b\[[0-9;]*m)", text):
        m = re.fullmatch(r"\x1b\[([0-9;]*)m", part)
        if not m:
            out.append(html.escape(part))
            continue
        codes = m.group(1).split(";")
        if codes in (["0"], [""]):
            out.append("</span>" * open_spans)
            open_spans = 0
            continue
        style = []
        for c in codes:
            style += [f"color:{COLOURS[c]}"] if c in COLOURS else ["font-weight:bold"] if c == "1" else \
                ["opacity:.6"] if c == "2" else ["text-decoration:underline"] if c == "4" else []
        out.append(f'<span style="{";".join(style)}">')
        open_spans += 1
    return "".join(out) + "</span>" * open_spans


def shoot(page: Path, png: Path, size: str, fragment: str = "") -> None:
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(["chromium", *FLAGS, f"--user-data-dir={profile}", f"--window-size={size}",
                        f"--screenshot={png}", page.as_uri() + fragment], check=True, capture_output=True)


def main():
    docs = Path(__file__).resolve().parent
    detector = Detector.load()
    rec = detector.record(detector.verdicts([POST])[0], "-", terms=True)
    import click

    ctx = click.Context(click.Command("x"), color=True)
    with ctx:
        text = _render(POST, rec, "id")
    body = ansi_to_html(click.style("$ ", fg="green") + "recruit-detect check \"DIBUTUHKAN SEGERA!! …\"\n\n" + text)
    with tempfile.TemporaryDirectory() as tmp:
        term = Path(tmp) / "check.html"
        term.write_text('<html><body style="margin:0;background:#1e1e1e;color:#e6e6e6;font:15px/1.5 '
                        f'DejaVu Sans Mono,monospace"><pre style="margin:16px;white-space:pre-wrap">{body}</pre>'
                        "</body></html>", encoding="utf-8")
        shoot(term, docs / "check.png", "1100,720")
        corpus = sorted((docs.parent / "corpus").glob("*.jsonl"))
        posts = Path(tmp) / "posts.jsonl"
        with open(posts, "w", encoding="utf-8") as f:
            for path in corpus:
                for line in path.read_text(encoding="utf-8").splitlines()[::9]:
                    r = json.loads(line)
                    f.write(json.dumps({"id": r["id"], "text": r["text"]}, ensure_ascii=False) + "\n")
        scored, report = Path(tmp) / "scored.jsonl", Path(tmp) / "report.html"
        run = [sys.executable, "-m", "recruit_detect"]
        subprocess.run([*run, "score", str(posts), "-o", str(scored), "--keep-fields", "text", "--quiet"], check=True)
        subprocess.run([*run, "report", str(scored), "-o", str(report), "--title", "Laporan contoh (korpus tim)"],
                       check=True)
        shoot(report, docs / "report.png", "1280,900", "#band=high&dest=Kamboja")


if __name__ == "__main__":
    main()
