"""SIGINT / SIGTERM during `score` or `train` leave no half-written output; --resume completes."""
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

EXE = [sys.executable, "-m", "recruit_detect"]
# A shell starts background jobs with SIGINT ignored, and Python then installs no Ctrl-C handler:
# the interrupted run sets it explicitly, so the test means the same wherever the suite runs.
INTERRUPTIBLE = [sys.executable, "-c", "import signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
                                       "from recruit_detect.cli import main; main()"]
TEXTS = ["Dicari TKW ke Taiwan, biaya admin 5jt transfer dulu", "Toko roti Bu Sri butuh kasir",
         "Kerja di Kamboja gaji 15jt, visa turis", "Polisi menangkap calo, kata Kapolres."]


def _wait_for(path, timeout=120):
    start = time.monotonic()
    while not path.exists():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"{path} did not appear")
        time.sleep(0.05)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_score_then_resume_matches_an_uninterrupted_run(small_model, tmp_path, sig):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": i, "text": TEXTS[i % 4] + f" {i}"}) + "\n" for i in range(6000)),
                   encoding="utf-8")
    full, out = tmp_path / "full.jsonl", tmp_path / "out.jsonl"
    subprocess.run([*EXE, "score", "--model", str(small_model), str(src), "-o", str(full), "--quiet"], check=True)
    proc = subprocess.Popen([*INTERRUPTIBLE, "score", "--model", str(small_model), str(src), "-o", str(out)],
                            stderr=subprocess.PIPE, text=True)
    _wait_for(tmp_path / "out.jsonl.partial.state")
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode != 0 and "Traceback" not in stderr
    assert not out.exists() and (tmp_path / "out.jsonl.partial").exists()
    subprocess.run([*EXE, "score", "--model", str(small_model), str(src), "-o", str(out), "--resume", "--quiet"],
                   check=True)
    assert out.read_bytes() == full.read_bytes()


def test_interrupted_train_leaves_no_model_folder(small_corpus, tmp_path):
    out = tmp_path / "model"
    proc = subprocess.Popen([*EXE, "train", str(small_corpus), "-o", str(out)], stderr=subprocess.PIPE, text=True)
    time.sleep(2.5)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=120)
    assert "Traceback" not in stderr
    # Never a half-written model: none at all, or (the signal came after the atomic rename, on a
    # fast machine) a complete one that loads.
    if out.exists():
        from recruit_detect.persist import load_model

        load_model(out)
    else:
        assert proc.returncode != 0
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".model")] == []


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads a process's children from /proc")
def test_interrupted_parallel_train_ends_its_workers(tmp_path):
    """SIGTERM while forked workers analyse the corpus: the trainer ends them, prints no
    traceback and leaves no model folder."""
    from conftest import CORPUS

    out = tmp_path / "model"
    proc = subprocess.Popen([*EXE, "train", *map(str, sorted(CORPUS.glob("*.jsonl"))), "-o", str(out), "--jobs", "2"],
                            stderr=subprocess.PIPE, text=True)
    children_file = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    start, workers = time.monotonic(), []
    while not workers and proc.poll() is None and time.monotonic() - start < 120:
        workers = [int(pid) for pid in children_file.read_text().split()] if children_file.exists() else []
        time.sleep(0.02)
    assert workers, "the trainer never started its workers"
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode != 0 and "Traceback" not in stderr
    assert not out.exists()
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers), "a worker outlived the trainer"
