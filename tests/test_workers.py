"""Forked worker processes: results in order, arguments inherited, failures reported, not hung."""
import os
import signal
import sys
import threading

import pytest

from recruit_detect.errors import RecruitDetectError
from recruit_detect.workers import run_all

forked = pytest.mark.skipif(sys.platform != "linux", reason="workers are forked on Linux only")


@pytest.fixture(autouse=True)
def no_other_threads():
    """Other tests score with joblib, whose idle executor keeps threads, or read files through
    `datasets` (tqdm's monitor thread), and a process with other threads does not fork (see the
    last tests)."""
    from joblib.externals.loky import get_reusable_executor

    from recruit_detect.workers import _stop_tqdm_monitor

    get_reusable_executor().shutdown(wait=True)
    _stop_tqdm_monitor()
    assert threading.active_count() == 1, [t.name for t in threading.enumerate()]


def _square_and_pid(x):
    return x * x, os.getpid()


def _fail_on(x, bad):
    if x == bad:
        raise ValueError(f"task {x} failed")
    return x


def _die_on(x, bad):
    if x == bad:
        os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's out-of-memory killer would
    return x


def _lock_state(lock):
    return lock.locked()


def _tasks_known():
    from recruit_detect import workers

    return len(workers._TASKS)  # set by the fork's initializer, empty in a fresh joblib worker


def _sigint_disposition():
    return signal.getsignal(signal.SIGINT) == signal.SIG_IGN, signal.getsignal(signal.SIGTERM) == signal.SIG_DFL


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_results_come_back_in_task_order(jobs):
    results = run_all(_square_and_pid, [(x,) for x in range(9)], jobs)
    assert [r for r, _ in results] == [x * x for x in range(9)]
    pids = {pid for _, pid in results}
    assert (pids == {os.getpid()}) == (jobs == 1)


@forked
def test_arguments_are_inherited_not_pickled():
    lock = threading.Lock()  # a lock cannot be pickled
    assert run_all(_lock_state, [(lock,), (lock,)], 2) == [False, False]


@forked
def test_workers_leave_interrupts_to_the_parent():
    assert run_all(_sigint_disposition, [(), ()], 2) == [(True, True), (True, True)]
    assert signal.getsignal(signal.SIGINT) != signal.SIG_IGN  # the parent's own handler is untouched


def test_a_task_error_reaches_the_caller_as_itself():
    with pytest.raises(ValueError, match="task 3 failed"):
        run_all(_fail_on, [(x, 3) for x in range(6)], 2)


@forked
def test_a_worker_that_dies_is_an_error_not_a_hang():
    with pytest.raises(RecruitDetectError, match="worker process died .*fewer --jobs"):
        run_all(_die_on, [(x, 2) for x in range(5)], 2)


@forked
def test_with_another_thread_alive_the_tasks_go_to_joblib():
    """A thread may hold a lock at the fork, and the forked worker would wait on it forever."""
    assert run_all(_tasks_known, [(), ()], 2) == [2, 2]  # forked
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert run_all(_tasks_known, [(), ()], 2) == [0, 0]
    finally:
        stop.set()
        other.join()


@forked
def test_reading_a_corpus_through_datasets_still_lets_training_fork(small_corpus):
    """`datasets` leaves tqdm's monitor thread running after it reads a file."""
    from recruit_detect.corpus import load_posts

    load_posts([small_corpus])
    assert "tqdm_monitor" in [t.name for t in threading.enumerate()]
    assert run_all(_tasks_known, [(), ()], 2) == [2, 2]
