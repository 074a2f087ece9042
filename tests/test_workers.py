"""Forked worker processes: results in order, arguments inherited, failures reported, not hung."""
import os
import signal
import sys
import threading

import pytest

from recruit_detect.errors import RecruitDetectError
from recruit_detect.workers import run_all

forked = pytest.mark.skipif(sys.platform != "linux", reason="workers are forked on Linux only")


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
