"""The HTML report: pure summaries, the CLI, and the page itself in a real headless Chromium."""
import json
import re
import shutil
import subprocess
import tempfile

import pytest
from click.testing import CliRunner

from recruit_detect.cli import cli
from recruit_detect.report import pivot, render, summary

RECORDS = [
    {"id": "a", "text": "biaya admin 5jt ke 🇰🇭", "risk": 0.97, "band": "high", "error": None,
     "cues": [{"cue": "fee_demand", "start": 0, "end": 15, "polarity": "risk", "severity": "medium",
               "reported": False, "reason": "Pelamar diminta membayar", "title": "Biaya", "law": "UU 18/2017 Pasal 30"},
              {"cue": "scam_destination", "start": 19, "end": 21, "polarity": "risk", "severity": "medium",
               "reported": False, "reason": "Kamboja", "title": "Tujuan"}],
     "entities": {"phones": ["+6281111111111"], "destinations": ["Kamboja"]}},
    {"id": "b", "text": "visa turis, WA 0811", "risk": 0.91, "band": "high", "error": None, "cues": [],
     "entities": {"phones": ["+6281111111111", "+6282222222222"]}},
    {"id": "c", "text": "toko roti butuh kasir", "risk": 0.02, "band": "low", "error": None, "cues": [],
     "entities": {"phones": ["+6282222222222"]}},
    {"id": "d", "text": "", "risk": None, "band": None, "error": "empty text", "cues": [], "entities": {}},
]


def test_pivot_ranks_contacts_by_high_risk_posts():
    assert pivot(RECORDS) == [
        {"value": "+6281111111111", "label": "+6281111111111", "kind": "phones", "high": 2, "posts": 2},
        {"value": "+6282222222222", "label": "+6282222222222", "kind": "phones", "high": 1, "posts": 2}]


def test_summary_counts():
    assert summary(RECORDS) == {"posts": 4, "bands": {"high": 2, "low": 1, "error": 1},
                                "cues": {"fee_demand": 1, "scam_destination": 1}, "destinations": {"Kamboja": 1}}


def test_page_is_self_contained_and_sorted_by_risk():
    page = render(list(reversed(RECORDS)))
    assert not re.search(r"""(src|href)=["']https?://""", page)
    data = json.loads(re.search(r'<script type="application/json" id="data">(.*?)</script>', page, re.S).group(1))
    assert [r["id"] for r in data["records"]] == ["a", "b", "c", "d"]


def test_cli_report_needs_the_post_text(tmp_path):
    scored = tmp_path / "scored.jsonl"
    scored.write_text("".join(json.dumps({k: v for k, v in r.items() if k != "text"}) + "\n" for r in RECORDS))
    result = CliRunner().invoke(cli, ["report", str(scored), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 1 and "--keep-fields text" in result.stderr


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _dom(page, fragment):
    with tempfile.TemporaryDirectory() as profile:
        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={profile}", "--virtual-time-budget=5000", "--dump-dom"]
        return subprocess.run([CHROMIUM, *flags, page.as_uri() + fragment], capture_output=True, text=True,
                              timeout=120).stdout


@pytest.mark.skipif(not CHROMIUM, reason="needs Debian's chromium")
def test_report_in_a_headless_browser(small_model, tmp_path):
    posts = tmp_path / "posts.jsonl"
    texts = ["Dicari TKW ke Taiwan, biaya admin 5jt transfer dulu. WA 0812-3456-7890",
             "Kerja di 🇰🇭 gaji 15jt, v!sa turis, WA 0812-3456-7890", "Toko roti Bu Sri butuh kasir"]
    posts.write_text("".join(json.dumps({"id": f"p{i}", "text": t}) + "\n" for i, t in enumerate(texts * 70)),
                     encoding="utf-8")
    scored, page = tmp_path / "scored.jsonl", tmp_path / "report.html"
    runner = CliRunner()
    assert runner.invoke(cli, ["score", "--model", str(small_model), str(posts), "-o", str(scored),
                               "--keep-fields", "text", "--quiet"]).exit_code == 0
    assert runner.invoke(cli, ["report", str(scored), "-o", str(page)]).exit_code == 0
    records = [json.loads(line) for line in scored.read_text().splitlines()]

    dom = _dom(page, "")
    assert re.search(r'<span id="shown">100</span> dari <span id="matched">210</span>', dom)

    dom = _dom(page, "#cue=scam_destination")
    expected = sum(any(c["cue"] == "scam_destination" for c in r["cues"]) for r in records)
    assert f'<span id="matched">{expected}</span>' in dom and expected == 70
    assert dom.count('data-cue="scam_destination" title="') == 70
    assert '🇰🇭</mark>' in dom  # the flag itself is highlighted: code-point offsets agree with Python

    band = records[1]["band"]  # the Cambodia post's band, whichever the small model gives it
    dom = _dom(page, f"#band={band}&q=0812-3456-7890")
    visible = re.findall(r'<article class="post" data-id="([^"]+)" data-band="(\w+)"', dom)
    assert visible and {b for _, b in visible} == {band}
    expected = sum(r["band"] == band and "0812-3456-7890" in r["text"] for r in records)
    assert len(visible) == min(100, expected)


@pytest.mark.skipif(not CHROMIUM, reason="needs Debian's chromium")
def test_learned_highlights_are_marked_as_learned(tmp_path):
    record = {"id": "m", "text": "Hubungi PT Maju Jaya, biaya admin 5jt", "risk": 0.9, "band": "high", "error": None,
              "cues": [{"cue": "licensed_agency", "start": 8, "end": 20, "polarity": "legit", "severity": "weak",
                        "reported": False, "reason": "Nama perusahaan", "title": "Perusahaan", "source": "model",
                        "probability": 0.71},
                       {"cue": "fee_demand", "start": 22, "end": 37, "polarity": "risk", "severity": "medium",
                        "reported": False, "reason": "Biaya", "title": "Biaya", "source": "rules"}],
              "entities": {}}
    page = tmp_path / "r.html"
    page.write_text(render([record]), encoding="utf-8")
    dom = _dom(page, "")
    assert re.search(r'<mark class="legit weak model" data-cue="licensed_agency" title="[^"]*\[dipelajari model, 0.71\]">'
                     r'PT Maju Jaya</mark>', dom)
    assert '<mark class="risk medium" data-cue="fee_demand"' in dom
