"""Spark scoring on local[2] gives the same records as the local path."""
import json
import shutil

import pytest
from click.testing import CliRunner

pyspark = pytest.importorskip("pyspark")
if not shutil.which("java"):
    pytest.skip("Spark needs Java", allow_module_level=True)

from recruit_detect.cli import cli  # noqa: E402

TEXTS = ["Dicari TKW ke Taiwan, biaya admin 5jt transfer dulu", "Toko roti Bu Sri butuh kasir",
         "Kerja di 🇰🇭 gaji 15jt, v!sa turis", "Polisi menangkap calo yang meminta biaya admin, kata Kapolres.", ""]


@pytest.fixture(scope="module")
def spark():
    from recruit_detect.spark import session

    s = session("local[2]")
    yield s
    s.stop()


def _local(model, src, tmp_path):
    out = tmp_path / "local.jsonl"
    result = CliRunner().invoke(cli, ["score", "--model", str(model), "--quiet", str(src), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return {str(r["id"]): r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}


def test_dataframe_scoring_matches_the_local_path(spark, small_model, tmp_path):
    from recruit_detect.spark import score_dataframe

    rows = [{"id": f"p{i}", "text": TEXTS[i % len(TEXTS)] + (f" {i}" if TEXTS[i % len(TEXTS)] else ""), "src": "fb"}
            for i in range(300)]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    local = _local(small_model, src, tmp_path)
    df = spark.createDataFrame(rows).repartition(3)
    scored = score_dataframe(df, small_model, keep_fields=("src",)).collect()
    assert len(scored) == 300
    for row in scored:
        mine, theirs = row.asDict(), local[row["id"]]
        assert (mine["band"], mine["illegal"], mine["error"]) == (theirs["band"], theirs["illegal"], theirs["error"])
        assert mine["risk"] == theirs["risk"] and mine["src"] == "fb"
        assert json.loads(mine["cues"]) == theirs["cues"]


def test_cli_engine_spark_on_a_jsonl_folder(spark, small_model, tmp_path):
    folder = tmp_path / "posts"
    folder.mkdir()
    (folder / "part1.jsonl").write_text("".join(json.dumps({"id": f"a{i}", "text": t}) + "\n"
                                                for i, t in enumerate(TEXTS[:4])) + "{broken\n", encoding="utf-8")
    out = tmp_path / "scored"
    result = CliRunner().invoke(cli, ["score", "--model", str(small_model), str(folder), "-o", str(out),
                                      "--engine", "spark"])
    assert result.exit_code == 0, result.output
    recs = [json.loads(line) for f in sorted(out.glob("part-*.json")) for line in f.read_text().splitlines()]
    assert len(recs) == 5
    assert sorted(r["id"] for r in recs if r.get("id")) == ["a0", "a1", "a2", "a3"]
    assert [r["error"] for r in recs if not r.get("id")] == ["not valid JSON"]
