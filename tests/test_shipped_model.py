"""The shipped model: current with the corpus, and right on the cases the product promises."""
import json
import subprocess
import sys

import pytest

from recruit_detect.corpus import fingerprint, project_corpus_files
from recruit_detect.cues import default_cues
from recruit_detect.detector import Detector

from conftest import CORPUS, SHIPPED


@pytest.fixture(scope="module")
def detector():
    return Detector.load(SHIPPED)


def test_shipped_model_was_trained_on_the_current_corpus_and_cues():
    meta = json.loads((SHIPPED / "metadata.json").read_text(encoding="utf-8"))
    assert meta["corpus_fingerprint"] == fingerprint(project_corpus_files(CORPUS)), (
        "corpus/ changed: retrain with `recruit-detect train corpus/*.jsonl -o models/default --name default --jobs 2`")
    assert meta["cue_set"] == default_cues().digest, "cue files changed: retrain the shipped model"


def _score(detector, post):
    return detector.record(detector.verdicts([post])[0], "t")


def test_fee_demand_ad_is_high_with_the_fee_highlighted(detector):
    post = "Dicari TKW ke Taiwan, gaji 25jt, biaya admin 5jt transfer dulu. Minat WA 0812-3456-7890"
    rec = _score(detector, post)
    assert rec["band"] == "high" and rec["illegal"] is True
    assert ("fee_demand", "biaya admin 5jt") in {(c["cue"], c["text"]) for c in rec["cues"]}


def test_news_of_an_arrest_quoting_the_ad_is_low(detector):
    post = ("MATARAM, SuaraRinjani.id – Polres Lombok Timur menangkap seorang perekrut berinisial HS yang meminta "
            "biaya admin Rp 5 juta kepada calon pekerja dan memberangkatkan mereka ke Arab Saudi memakai visa turis. "
            "Tersangka dijerat Pasal 81 jo Pasal 69 UU 18/2017, kata Kasat Reskrim.")
    rec = _score(detector, post)
    assert rec["band"] == "low" and rec["illegal"] is False
    assert all(c["reported"] for c in rec["cues"] if c["polarity"] == "risk")


def test_obfuscated_ad_is_high_with_spans_on_the_obfuscated_characters(detector):
    post = "B I A Y A adm1n 5jt, v!sa turis, kerja di 🇰🇭"
    rec = _score(detector, post)
    assert rec["band"] == "high"
    spans = {(c["cue"], c["text"]) for c in rec["cues"]}
    assert {("fee_demand", "B I A Y A adm1n 5jt"), ("non_work_visa", "v!sa turis"), ("scam_destination", "🇰🇭")} <= spans
    assert rec["entities"]["money"][0]["amount"] == 5_000_000


@pytest.mark.parametrize("post", [
    "Toko Sinar Jaya menerima karyawan kasir, gaji UMR, lamaran via email ke hrd@sinarjaya.co.id",
    "Waspada! Jangan tergiur tawaran kerja di Kamboja dengan gaji besar dan biaya admin. Cek di SISKOP2MI.",
    "PT Karya Bahari Mandiri (P3MI), SIP3MI No. 77/2025, operator pabrik Taiwan, tanpa biaya penempatan, "
    "daftar melalui SISKOP2MI dan LTSA Disnaker.",
])
def test_honest_ads_and_warnings_are_not_flagged(detector, post):
    assert _score(detector, post)["illegal"] is False


def test_importing_the_package_loads_neither_spacy_nor_sklearn():
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", "import recruit_detect"],
                         capture_output=True, text=True, check=True).stderr
    modules = {line.split("|")[-1].strip().split(".")[0] for line in out.splitlines() if "|" in line}
    assert "recruit_detect" in modules
    assert not modules & {"spacy", "sklearn", "skops", "datasets", "numpy", "scipy"}
