"""Batch scoring: every input format, one record per input in order, resume after interruption."""
import csv
import io
import json

from click.testing import CliRunner

from recruit_detect import batch
from recruit_detect.cli import cli

POSTS = [
    "Dicari TKW ke Taiwan, biaya admin 5jt transfer dulu",
    "Toko roti Bu Sri butuh kasir,\\nlamaran ke toko",
    "Kerja di 🇰🇭 gaji 15jt, v!sa turis",
    "Polisi menangkap calo yang meminta biaya admin, kata Kapolres.",
]


def _run(model, *args):
    result = CliRunner().invoke(cli, ["score", "--model", str(model), "--quiet", *args])
    assert result.exit_code == 0, result.output
    return result


def _jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_parquet_in_and_out(small_model, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    src = tmp_path / "in.parquet"
    pq.write_table(pa.table({"post_id": ["a", "b", "c", "d"], "caption": POSTS, "url": ["u1", "u2", "u3", "u4"]}), src)
    out = tmp_path / "out.parquet"
    _run(small_model, str(src), "-o", str(out), "--text-field", "caption", "--id-field", "post_id", "--keep-fields", "url")
    table = pq.read_table(out).to_pylist()
    assert [(r["id"], r["url"], r["error"]) for r in table] == [("a", "u1", None), ("b", "u2", None),
                                                                ("c", "u3", None), ("d", "u4", None)]
    assert 0 <= table[0]["risk"] <= 1 and json.loads(table[2]["cues"])


def test_hugging_face_dataset_folder(small_model, tmp_path):
    import datasets

    folder = tmp_path / "ds"
    datasets.Dataset.from_dict({"text": POSTS + [None]}).save_to_disk(str(folder))
    out = tmp_path / "out.jsonl"
    _run(small_model, str(folder), "-o", str(out))
    recs = _jsonl(out)
    assert [r["id"] for r in recs] == [1, 2, 3, 4, 5]
    assert recs[4]["error"] == "empty text" and recs[0]["error"] is None


def test_folder_of_jsonl_files_in_name_order(small_model, tmp_path):
    folder = tmp_path / "scrape"
    folder.mkdir()
    (folder / "b.jsonl").write_text(json.dumps({"id": "b1", "text": POSTS[1]}) + "\n", encoding="utf-8")
    (folder / "a.jsonl").write_text(json.dumps({"id": "a1", "text": POSTS[0]}) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    _run(small_model, str(folder), "-o", str(out))
    assert [r["id"] for r in _jsonl(out)] == ["a1", "b1"]


def test_csv_with_multiline_quoted_fields_and_bom(small_model, tmp_path):
    buf = io.StringIO(newline="")
    w = csv.writer(buf)
    w.writerow(["id", "text"])
    w.writerow(["x", 'line one\nline "two", with comma'])
    w.writerow(["y", POSTS[0]])
    src = tmp_path / "in.csv"
    src.write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode())
    out = tmp_path / "out.jsonl"
    _run(small_model, str(src), "-o", str(out))
    assert [(r["id"], r["error"]) for r in _jsonl(out)] == [("x", None), ("y", None)]


def test_output_appears_only_when_complete_and_resume_matches_an_uninterrupted_run(small_model, tmp_path, monkeypatch):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": i, "text": POSTS[i % 4] + f" #{i}"}) + "\n" for i in range(700)),
                   encoding="utf-8")
    full = tmp_path / "full.jsonl"
    _run(small_model, str(src), "-o", str(full))

    real = batch.score_chunks

    def interrupted(*args, **kwargs):
        for n, part in enumerate(real(*args, **kwargs)):
            if n == 2:  # records 512-767, the third chunk of 256
                raise KeyboardInterrupt
            yield part

    out = tmp_path / "out.jsonl"
    monkeypatch.setattr(batch, "score_chunks", interrupted)
    monkeypatch.setattr("recruit_detect.cli.CHECKPOINT_SECONDS", 0.0)  # a checkpoint every 256 records
    result = CliRunner().invoke(cli, ["score", "--model", str(small_model), str(src), "-o", str(out)])
    assert result.exit_code != 0 and "rerun with --resume" in result.stderr
    assert not out.exists()
    state = json.loads((tmp_path / "out.jsonl.partial.state").read_text())
    assert state["records"] == 512  # the last checkpoint before the interruption
    with open(tmp_path / "out.jsonl.partial", "a", encoding="utf-8") as f:
        f.write('{"id": 512, "risk": 0.1, "ba')  # a record cut off mid-write

    monkeypatch.setattr(batch, "score_chunks", real)
    resumed = CliRunner().invoke(cli, ["score", "--model", str(small_model), str(src), "-o", str(out), "--resume"])
    assert resumed.exit_code == 0, resumed.output
    assert "resuming after 512 records" in resumed.stderr
    assert out.read_bytes() == full.read_bytes()
    assert not (tmp_path / "out.jsonl.partial").exists() and not (tmp_path / "out.jsonl.partial.state").exists()


def test_resume_refuses_a_different_input(small_model, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"text": POSTS[0]}) + "\n", encoding="utf-8")
    (tmp_path / "out.jsonl.partial").write_text("")
    (tmp_path / "out.jsonl.partial.state").write_text(json.dumps({"records": 0, "bytes": 0, "fingerprint": "other"}))
    result = CliRunner().invoke(cli, ["score", "--model", str(small_model), str(src), "-o", str(tmp_path / "out.jsonl"),
                                      "--resume"])
    assert result.exit_code == 1 and "written for other input" in result.stderr


def test_oversized_and_nul_posts_are_flagged_not_dropped(small_model, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"text": "biaya admin " * 5000}) + "\n" + json.dumps({"text": "ab\u0000cd"}) + "\n",
                   encoding="utf-8")
    out = tmp_path / "out.jsonl"
    _run(small_model, str(src), "-o", str(out))
    big, nul = _jsonl(out)
    assert big["warnings"] == [f"truncated to {batch.MAX_CHARS} characters"] and big["error"] is None
    assert nul["warnings"] == ["NUL characters replaced"] and nul["error"] is None


def test_repeated_posts_are_scored_once_and_copied_exactly(small_model, small_corpus, monkeypatch):
    from recruit_detect.detector import Detector

    model = str(small_model)
    texts = [json.loads(line)["text"] for line in small_corpus.read_text(encoding="utf-8").splitlines()][:30]

    def scored(posts, chunk_size=7):
        records = [batch.InputRecord(f"id{k}", t, None if t else "no text", {"n": k}) for k, t in enumerate(posts)]
        batch.load_detector(model)[1].clear()
        return [rec for part in batch.score_chunks(records, model, 1, "parquet", None, chunk_size) for rec in part.payload]

    analysed = []
    verdicts = Detector.verdicts
    monkeypatch.setattr(Detector, "verdicts", lambda self, posts: analysed.extend(posts) or verdicts(self, posts))
    distinct = scored(texts)
    analysed.clear()
    # repeats inside one chunk and across chunks, and a broken row between them
    posts = texts[:10] + texts[:10] + [texts[3], None] + texts[10:] + texts[25:]
    records = scored(posts)
    assert sorted(analysed) == sorted(texts)  # each distinct text analysed once
    by_text = {t: rec for t, rec in zip(texts, distinct)}
    for k, (text, rec) in enumerate(zip(posts, records)):
        if text is None:
            assert rec["error"] and rec["id"] == f"id{k}"
        else:
            assert rec == {**by_text[text], "id": f"id{k}", "n": k}

    monkeypatch.setattr(batch, "REMEMBERED", 4)  # bounded: the oldest records are forgotten
    analysed.clear()
    assert scored(texts[:10] + texts[:10]) == scored(texts[:10] + texts[:10], chunk_size=100)
    # chunks of 7 with 4 remembered: 7 fresh, then 6 (t3 remembered), then 5 (t9); one chunk: 10
    assert len(batch.load_detector(model)[1]) == 4 and len(analysed) == 7 + 6 + 5 + 10


def test_only_the_packages_own_processes_freeze_the_loaded_model(small_model):
    # The CLI and its workers freeze the loaded model and collect young objects less often. A
    # caller's process (a notebook) is left alone: frozen objects that later form a cycle are never
    # freed. A new interpreter, so this one is not frozen.
    import subprocess
    import sys

    probe = ("import gc, sys; from recruit_detect.batch import load_detector; "
             "load_detector(sys.argv[1], freeze=sys.argv[2] == 'yes'); print(gc.get_freeze_count() > 0, gc.get_threshold())")
    runs = {flag: subprocess.run([sys.executable, "-c", probe, str(small_model), flag], capture_output=True, text=True,
                                 check=True).stdout.strip() for flag in ("no", "yes")}
    assert runs == {"no": "False (700, 10, 10)", "yes": "True (50000, 10, 10)"}
