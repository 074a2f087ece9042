"""Forked worker processes: results in order, arguments inherited, failures reported, not hung.

The tests of the forked path run in a new interpreter: in this one, other tests leave threads
alive (Spark's gateway, joblib's idle executor), and a process with other threads does not fork.
"""
import os
import subprocess
import sys
import textwrap

import pytest

from recruit_detect.workers import run_all

forked = pytest.mark.skipif(sys.platform != "linux", reason="workers are forked on Linux only")


_PRELUDE = """
from recruit_detect.workers import run_all

def tasks_known():
    from recruit_detect import workers
    return len(workers._TASKS)  # set by the fork's initializer, empty in a joblib worker
"""


def _fresh(code: str) -> str:
    """What `code` prints, run in a new interpreter after `_PRELUDE`."""
    result = subprocess.run([sys.executable, "-c", _PRELUDE + textwrap.dedent(code)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def _square_and_pid(x):
    return x * x, os.getpid()


def _fail_on(x, bad):
    if x == bad:
        raise ValueError(f"task {x} failed")
    return x


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_results_come_back_in_task_order(jobs):
    results = run_all(_square_and_pid, [(x,) for x in range(9)], jobs)
    assert [r for r, _ in results] == [x * x for x in range(9)]
    pids = {pid for _, pid in results}
    assert (pids == {os.getpid()}) == (jobs == 1)


def test_a_task_error_reaches_the_caller_as_itself():
    with pytest.raises(ValueError, match="task 3 failed"):
        run_all(_fail_on, [(x, 3) for x in range(6)], 2)


@forked
def test_arguments_are_inherited_not_pickled():
    assert _fresh("""
        import threading
        def state(lock):
            return lock.locked()
        print(run_all(state, [(threading.Lock(),)] * 2, 2))  # a lock cannot be pickled
    """) == "[False, False]"


@forked
def test_workers_leave_interrupts_to_the_parent():
    assert _fresh("""
        import signal
        def handlers():
            return signal.getsignal(signal.SIGINT) == signal.SIG_IGN, signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
        print(run_all(handlers, [(), ()], 2), signal.getsignal(signal.SIGINT) == signal.SIG_IGN)
    """) == "[(True, True), (True, True)] False"


@forked
def test_a_worker_that_dies_is_an_error_not_a_hang():
    assert _fresh("""
        import os, signal
        from recruit_detect.errors import RecruitDetectError
        def die_on(x):
            if x == 2:
                os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's out-of-memory killer would
            return x
        try:
            run_all(die_on, [(x,) for x in range(5)], 2)
        except RecruitDetectError as exc:
            print(exc)
    """) == "a worker process died (out of memory?); retry with fewer --jobs"


@forked
def test_with_another_thread_alive_the_tasks_go_to_joblib():
    """A thread may hold a lock at the fork, and the forked worker would wait on it forever."""
    assert _fresh("""
        import threading
        forked = run_all(tasks_known, [(), ()], 2)
        stop = threading.Event()
        other = threading.Thread(target=stop.wait)
        other.start()
        print(forked, run_all(tasks_known, [(), ()], 2))
        stop.set()
    """) == "[2, 2] [0, 0]"


@forked
def test_reading_a_corpus_through_datasets_still_lets_training_fork(small_corpus):
    """`datasets` leaves tqdm's monitor thread running after it reads a file."""
    assert _fresh(f"""
        import threading
        from recruit_detect.corpus import load_posts
        load_posts([{str(small_corpus)!r}])
        print([t.name for t in threading.enumerate()], run_all(tasks_known, [(), ()], 2))
    """) == "['MainThread', 'tqdm_monitor'] [2, 2]"


@forked
def test_forked_analysis_and_fits_give_the_serial_model_exactly(small_corpus):
    """liblinear draws from one random generator per process; forked workers must leave the model
    as the serial path makes it."""
    assert _fresh(f"""
        import json
        import numpy as np
        from recruit_detect.model import RiskModel
        from recruit_detect.training import analyze_all
        rows = [json.loads(line) for line in open({str(small_corpus)!r}, encoding="utf-8")]
        texts = [r["text"] for r in rows]
        y, groups = np.array([r["label"] == "illegal" for r in rows]), np.array([r["group"] for r in rows])
        (serial_text, serial), (forked_text, forked) = analyze_all(texts, jobs=1), analyze_all(texts, jobs=2, chunk=50)
        one, two = (RiskModel(folds=3, n_jobs=jobs).fit(None, y, groups, counts=serial) for jobs in (1, 2))
        print(serial_text == forked_text, (serial != forked).nnz,
              np.array_equal(one.pipeline_.named_steps["linear"].coef_, two.pipeline_.named_steps["linear"].coef_),
              np.array_equal(one.oof_proba_, two.oof_proba_))
    """) == "True 0 True True"
