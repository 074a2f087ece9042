"""Run independent tasks in worker processes forked from this one, results in order.

Training's parallel phases need what the parent already holds: the compiled cue set and its
automata for the analysis, then the counts (about 1 GB for 100,000 posts) and the imported
scikit-learn for the fits. A forked worker inherits them as they are. joblib's workers start
fresh: on bench_train's 100,000 posts they spent 4.6 s importing scikit-learn and reading a
memory-mapped copy of the counts before the first fit began (fits 33.4 s, forked 28.1 s).

Forking is safe here because no other thread runs when the workers are forked: training starts
none, and concurrent.futures forks every worker before it starts its own. Elsewhere than on Linux (macOS forks
unsafely), joblib runs the tasks.
"""
from __future__ import annotations

import multiprocessing
import signal
import sys
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from recruit_detect.errors import RecruitDetectError

_TASKS: tuple = ()  # in a worker: the (function, arguments) pairs it was forked with


def _start(tasks: tuple) -> None:
    global _TASKS
    _TASKS = tasks
    # The parent decides what an interrupt means: Ctrl-C reaches the whole process group, and a
    # worker running the CLI's SIGTERM handler would print a traceback of its own. The parent
    # ends its workers with SIGTERM.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _run(k: int):
    fn, args = _TASKS[k]
    return fn(*args)


def run_all(fn, arg_lists, jobs: int) -> list:
    """[fn(*args) for args in arg_lists], run in up to `jobs` processes. The arguments are
    inherited, never pickled; the results come back pickled."""
    tasks = tuple((fn, tuple(args)) for args in arg_lists)
    if jobs <= 1 or len(tasks) <= 1:
        return [fn(*args) for _, args in tasks]
    if sys.platform != "linux":
        from joblib import Parallel, delayed

        return Parallel(n_jobs=jobs)(delayed(fn)(*args) for _, args in tasks)
    pool = ProcessPoolExecutor(min(jobs, len(tasks)), mp_context=multiprocessing.get_context("fork"),
                               initializer=_start, initargs=(tasks,))
    try:
        return list(pool.map(_run, range(len(tasks))))
    except BrokenProcessPool:
        raise RecruitDetectError("a worker process died (out of memory?); retry with fewer --jobs") from None
    except BaseException:  # an interrupt: running tasks are not waited for
        for process in list(pool._processes.values()):  # public as terminate_workers() from Python 3.14
            process.terminate()
        raise
    finally:
        pool.shutdown(cancel_futures=True)
