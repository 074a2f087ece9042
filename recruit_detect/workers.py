"""Run independent tasks in worker processes forked from this one, results in order.

Training's parallel phases need what the parent already holds: the compiled cue set and its
automata for the analysis, then the counts (about 1 GB for 100,000 posts) and the imported
scikit-learn for the fits. A forked worker inherits them as they are. joblib's workers started
fresh, imported scikit-learn again and read a memory-mapped copy of the counts: 3 to 4.6 s before
the first fit of bench_train's 100,000 posts began. Forked, 20,000 posts trained in 24-28 s
instead of 30-35 s; on 100,000 posts the time is the same within this machine's noise, and the
run's peak memory fell from 7.2-7.9 to 5.7-6.4 GiB.

Forking is safe only while no other thread runs: a thread holding a lock at the fork leaves that
lock held forever in the worker. Training starts none; the one `datasets` leaves behind (tqdm's
monitor) is stopped first; concurrent.futures forks every worker before it starts its own. Where
other threads run (a notebook's kernel has several), and elsewhere than on Linux (macOS forks
unsafely), joblib runs the tasks.
"""
from __future__ import annotations

import multiprocessing
import signal
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from recruit_detect.errors import RecruitDetectError

_TASKS: tuple = ()  # in a worker: the (function, arguments) pairs it was forked with
_INTERRUPTS = {signal.SIGINT, signal.SIGTERM}


def _start(tasks: tuple, mask) -> None:
    global _TASKS
    _TASKS = tasks
    # The parent decides what an interrupt means: Ctrl-C reaches the whole process group, and a
    # worker running the CLI's SIGTERM handler would print a traceback of its own. The parent
    # ends its workers with SIGTERM.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def _run(k: int):
    fn, args = _TASKS[k]
    return fn(*args)


def _stop_tqdm_monitor() -> None:
    """Stop the thread tqdm starts with its first progress bar (`datasets` makes one when it reads
    a file, even with its bars disabled). tqdm starts a new one with its next bar."""
    monitor = getattr(sys.modules.get("tqdm._monitor"), "TMonitor", None)
    if monitor is None:
        return
    for thread in threading.enumerate():
        if isinstance(thread, monitor):
            thread.exit()


def run_all(fn, arg_lists, jobs: int) -> list:
    """[fn(*args) for args in arg_lists], run in up to `jobs` processes. The arguments are
    inherited, never pickled; the results come back pickled."""
    tasks = tuple((fn, tuple(args)) for args in arg_lists)
    if jobs <= 1 or len(tasks) <= 1:
        return [fn(*args) for _, args in tasks]
    _stop_tqdm_monitor()
    if sys.platform != "linux" or threading.active_count() > 1:
        from joblib import Parallel, delayed

        return Parallel(n_jobs=jobs)(delayed(fn)(*args) for _, args in tasks)
    # Interrupts are held back while the workers are forked: a worker interrupted before `_start`
    # ran the parent's handler inside a library's fork hook and printed its traceback (seen in
    # tests/test_interrupts.py). A held-back interrupt reaches each process once it is ready.
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, _INTERRUPTS)
    pool = ProcessPoolExecutor(min(jobs, len(tasks)), mp_context=multiprocessing.get_context("fork"),
                               initializer=_start, initargs=(tasks, mask))
    try:
        results = pool.map(_run, range(len(tasks)))  # forks every worker before it returns
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        return list(results)
    except BrokenProcessPool:
        raise RecruitDetectError("a worker process died (out of memory?); retry with fewer --jobs") from None
    except BaseException:  # an interrupt: running tasks are not waited for
        for process in list(pool._processes.values()):  # public as terminate_workers() from Python 3.14
            process.terminate()
        raise
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # again, for when `map` itself raised
        pool.shutdown(cancel_futures=True)
