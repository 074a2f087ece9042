"""Dirty input never crashes the reader or the scorer: one record per input, clear errors."""
import json

from click.testing import CliRunner

from recruit_detect.batch import MAX_CHARS, read_records
from recruit_detect.cli import cli


def _read(data: bytes, fmt="jsonl"):
    import io

    return list(read_records(io.BytesIO(data), fmt))


def test_jsonl_garbage_lines_each_keep_their_place():
    lines, expected_errors = [], 0
    for i in range(100_000):
        if i % 100 == 37:
            lines.append(b'{"text": "broken' if i % 200 == 37 else b"[1, 2, 3]")
            expected_errors += 1
        else:
            lines.append(json.dumps({"id": i, "text": f"post {i}"}).encode())
    records = _read(b"\n".join(lines) + b"\n")
    assert len(records) == 100_000
    assert sum(r.error is not None for r in records) == expected_errors == 1000
    assert records[37].error.startswith("line 38 is not valid JSON") and records[137].error == "line 138 is a JSON list, not an object"


def test_values_that_are_not_text():
    data = b"\n".join(json.dumps({"id": k, "text": v}).encode() for k, v in
                      [("n", 5), ("a", ["x"]), ("z", None), ("o", {"t": 1}), ("b", True)])
    assert [r.error for r in _read(data)] == ["field 'text' is int, not text", "field 'text' is list, not text",
                                             "empty text",
                                             "field 'text' is dict, not text", "field 'text' is bool, not text"]


def test_invalid_utf8_bom_nul_lone_surrogates_and_mixed_line_endings():
    data = (b"\xef\xbb\xbf" + json.dumps({"text": "ok"}).encode() + b"\r\n"
            + b'{"text": "bad \xff byte"}\n'
            + b'{"text": "nul \\u0000 here"}\r'
            + b'\n{"text": "lone \\ud800 surrogate"}\n')
    records = _read(data)
    assert [r.text is not None for r in records] == [True, True, True, True]
    assert records[1].warnings == ("invalid UTF-8 replaced",) and "\ufffd" in records[1].text
    assert records[2].warnings == ("NUL characters replaced",)


def test_empty_files_give_no_records_and_no_error(tmp_path, small_model):
    for name in ("empty.jsonl", "empty.csv", "empty.txt"):
        (tmp_path / name).write_bytes(b"")
        result = CliRunner().invoke(cli, ["score", "--model", str(small_model), str(tmp_path / name)])
        assert result.exit_code == 0 and result.stdout == "" and "records 0" in result.stderr


def test_a_10_mb_post_and_a_lone_surrogate_are_scored(tmp_path, small_model):
    src = tmp_path / "big.jsonl"
    src.write_text(json.dumps({"id": "big", "text": "biaya admin 5jt ke Kamboja " * 400_000}) + "\n"
                   + '{"id": "sur", "text": "gaji \\udc80 besar"}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["score", "--model", str(small_model), str(src), "-o", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    big, sur = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert big["error"] is None and big["warnings"] == [f"truncated to {MAX_CHARS} characters"]
    assert sur["error"] is None and 0 <= sur["risk"] <= 1 and sur["warnings"] == ["lone surrogates replaced"]


def test_check_with_undecodable_argument_bytes(small_model):
    result = CliRunner().invoke(cli, ["check", "--model", str(small_model), "--format", "json", "gaji \udcff besar"])
    assert result.exit_code == 0 and json.loads(result.stdout)["error"] is None


def test_a_post_whose_pattern_runs_out_of_time_is_scored_with_a_warning(tmp_path, small_model, monkeypatch):
    from recruit_detect import entities, safe_regex

    monkeypatch.setattr(safe_regex, "CALL_SECONDS", 0.05)
    monkeypatch.setattr(entities, "_EMAIL", safe_regex.compile(r"(.*a){20}@x", name="test.slow_email"))
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    posts = ["Kerja di Kamboja, biaya admin 5 juta", "hubungi @x " + "ab" * 150, "Lowongan admin gudang"]
    src.write_text("".join(json.dumps({"id": k, "text": t}) + "\n" for k, t in enumerate(posts)), encoding="utf-8")
    result = CliRunner().invoke(cli, ["score", "--model", str(small_model), str(src), "-o", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == [0, 1, 2] and all(r["risk"] is not None for r in records)
    assert records[1]["warnings"] == ["pattern test.slow_email ran out of time; its cues or entities may be incomplete"]
    assert "warnings" not in records[0] and "warnings" not in records[2]
