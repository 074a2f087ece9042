import io
import json
import pickle
import shutil
import zipfile

import numpy as np
import pytest
from click.testing import CliRunner

from recruit_detect.cli import cli
from recruit_detect.detector import analyze
from recruit_detect.errors import ModelError, UntrustedModelError
from recruit_detect.persist import load_model, read_model_data, save_model

POSTS = ["Dicari TKW ke Taiwan, biaya admin 5jt transfer dulu", "Toko roti butuh kasir, gaji UMR",
         "Waspada penipuan lowongan ke Kamboja, kata polisi"]


def test_round_trip_gives_identical_probabilities(small_model, tmp_path):
    model, metadata = load_model(small_model)
    again = tmp_path / "again"
    save_model(again, model, {k: v for k, v in metadata.items() if k != "sha256"}, "card")
    reloaded, _ = load_model(again)
    docs = [analyze(p) for p in POSTS]
    assert np.array_equal(model.predict_proba(docs), reloaded.predict_proba(docs))


def _copy(src, dst):
    shutil.copytree(src, dst)
    return dst


# Both readers of a model file: skops building the objects, and scoring's read as data.
READERS = pytest.mark.parametrize("read", [load_model, read_model_data], ids=["skops", "data"])


@READERS
def test_tampered_model_is_refused(small_model, tmp_path, read):
    folder = _copy(small_model, tmp_path / "m")
    with open(folder / "model.skops", "ab") as f:
        f.write(b"\0")
    with pytest.raises(UntrustedModelError, match="does not match the sha256"):
        read(folder)


def _rehash(folder):
    from recruit_detect.persist import sha256

    meta = json.loads((folder / "metadata.json").read_text())
    meta["sha256"] = sha256(folder / "model.skops")
    (folder / "metadata.json").write_text(json.dumps(meta))


class Boom:
    def __reduce__(self):
        return (exec, ("import pathlib; pathlib.Path('PWNED').write_text('x')",))


@READERS
def test_pickle_file_is_refused_and_never_executed(small_model, tmp_path, monkeypatch, read):
    monkeypatch.chdir(tmp_path)
    folder = _copy(small_model, tmp_path / "m")
    (folder / "model.skops").write_bytes(pickle.dumps(Boom()))
    _rehash(folder)
    with pytest.raises(UntrustedModelError, match="not a skops model file"):
        read(folder)
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_score_refuses_a_pickle_that_passes_the_quick_checks(small_model, tmp_path, monkeypatch, jobs):
    """`score` checks the hash before reading input and leaves the skops load to where it scores
    (the workers with --jobs 2): a refusal there is still one line, exit 1, and no files left."""
    monkeypatch.chdir(tmp_path)
    folder = _copy(small_model, tmp_path / "m")
    (folder / "model.skops").write_bytes(pickle.dumps(Boom()))
    _rehash(folder)
    (tmp_path / "in.jsonl").write_text('{"id": 1, "text": "Dicari TKW ke Taiwan"}\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["score", "--model", "m", "in.jsonl", "-o", "out.jsonl", "--jobs", jobs])
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("error: ") and "is not a skops model file" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "m"]  # no output, partial or PWNED


def _rewrite_archive(folder, change):
    """Apply `change` to the model file's {name: bytes} and rehash it, as someone who can write
    both files could."""
    path = folder / "model.skops"
    with zipfile.ZipFile(path) as z:
        files = {n: z.read(n) for n in z.namelist()}
    change(files)
    with zipfile.ZipFile(path, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    _rehash(folder)


@READERS
def test_unknown_type_in_skops_file_is_refused(small_model, tmp_path, read):
    folder = _copy(small_model, tmp_path / "m")

    def change(files):
        schema = json.loads(files["schema.json"])
        schema["__module__"], schema["__class__"] = "os", "system"  # a type nobody trusted
        files["schema.json"] = json.dumps(schema).encode()

    _rewrite_archive(folder, change)
    with pytest.raises(UntrustedModelError, match="not on the trusted list"):
        read(folder)


def test_an_array_of_objects_is_refused_and_never_unpickled(small_model, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = _copy(small_model, tmp_path / "m")

    def change(files):
        schema = json.loads(files["schema.json"])
        name = schema["content"]["content"]["calibrator_"]["content"]["content"]["coef_"]["file"]
        buffer = io.BytesIO()
        np.save(buffer, np.array([Boom()], dtype=object), allow_pickle=True)
        files[name] = buffer.getvalue()

    _rewrite_archive(folder, change)
    with pytest.raises(UntrustedModelError, match="is not an array of numbers"):
        read_model_data(folder)
    assert not (tmp_path / "PWNED").exists()


def test_an_object_not_saved_as_attributes_is_left_to_skops(small_model, tmp_path):
    from recruit_detect.persist import UnreadableModelData

    folder = _copy(small_model, tmp_path / "m")

    def change(files):
        schema = json.loads(files["schema.json"])
        schema["content"]["content"]["calibrator_"]["content"] = {"__loader__": "ListNode", "content": []}
        files["schema.json"] = json.dumps(schema).encode()

    _rewrite_archive(folder, change)
    with pytest.raises(UnreadableModelData, match="LogisticRegression not saved as attributes"):
        read_model_data(folder)


@READERS
def test_link_out_of_the_folder_is_refused(small_model, tmp_path, read):
    folder = _copy(small_model, tmp_path / "m")
    outside = tmp_path / "outside.skops"
    shutil.move(folder / "model.skops", outside)
    (folder / "model.skops").symlink_to(outside)
    with pytest.raises(UntrustedModelError, match="link that points outside"):
        read(folder)


def test_missing_folder_and_files(tmp_path):
    with pytest.raises(ModelError, match="does not exist"):
        load_model(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match="metadata.json is missing"):
        load_model(tmp_path / "empty")
