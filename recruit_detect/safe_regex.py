"""Every regex that reads a post compiles here, so no pattern can stall a batch.

A backtracking matcher has no time bound, and a pattern check cannot give one:
tests/test_regex_safety.py lints the known catastrophic shapes and
benchmarks/bench_regex_safety.py times every pattern on adversarial inputs, but a quadratic
pattern slipped past both once (the sentence splitter on a run of 20,000 dots: 9 s). So the time is
bounded at run time, in two tiers:

- Fast path: `re`, with a CPU-time alarm for the whole post (`interrupt_after`). `re` checks for
  signals while it matches, so the alarm stops even a runaway match. It costs two `setitimer`
  calls per post, where a timeout on every call cost as much as the matching itself.
- Fallback: a post that rings the alarm (or runs where no alarm can be set: not the main
  thread, no `setitimer`, a SIGVTALRM handler of the caller's) is analyzed again with every call
  on the `regex` engine and a timeout per call (`guarded`). A call that runs out stops that
  pattern on that text: matches found before stay, `search`/`match` answer no match, `sub`
  returns its input. The pattern's name is noted; `detector.analyze` turns it into a warning on
  the record, so the post is scored and the record says which cue or entity may be incomplete.

Both engines find the same matches on the corpus (tests/test_regex_safety.py).
"""
from __future__ import annotations

import contextvars
import _signal
import re
import signal
import sys
import threading
import weakref
from contextlib import contextmanager

# Budgets grow with the text: a whole analysis takes about 3 us of CPU per character, one call
# far less. They are generous because `regex` times calls by the wall clock, and a garbage
# collection pass or a busy machine can hold a 500-character call for 0.15 s (seen in the tests).
POST_SECONDS = 1.0  # CPU time
POST_SECONDS_PER_CHAR = 50e-6
CALL_SECONDS = 1.0  # wall time
CALL_SECONDS_PER_CHAR = 20e-6

_noted: contextvars.ContextVar[list | None] = contextvars.ContextVar("noted", default=None)
_LIVE: weakref.WeakSet = weakref.WeakSet()  # every compiled pattern, for the safety tests and benchmark


class OutOfTime(BaseException):
    """The post's alarm rang: analyze it again with `guarded`. A BaseException, like
    KeyboardInterrupt, so no `except Exception` on the way can swallow it."""


class SafePattern:
    """A compiled pattern with the `re.Pattern` calls this package uses."""

    __slots__ = ("name", "pattern", "flags", "_re", "_rx", "__weakref__")

    def __init__(self, source: str, flags: int = 0, name: str | None = None):
        self._re = re.compile(source, flags)
        self._rx = None  # the `regex` twin, compiled the first time a post needs the fallback
        self.pattern, self.flags, self.name = source, flags, name or source[:60]
        _LIVE.add(self)

    def __repr__(self) -> str:
        return f"SafePattern({self.name!r})"

    def _twin(self):
        if self._rx is None:
            import regex

            self._rx = regex.compile(self.pattern, self.flags | regex.VERSION0)  # VERSION0: `re` semantics
        return self._rx

    def _note(self, noted: list) -> None:
        if self.name not in noted:
            noted.append(self.name)

    def _guarded(self, noted: list, method: str, text: str, *args):
        try:
            return getattr(self._twin(), method)(*args, timeout=_call_seconds(text))
        except TimeoutError:
            self._note(noted)
            return None

    def finditer(self, text: str, pos: int = 0, endpos: int = sys.maxsize):
        noted = _noted.get()
        if noted is None:
            return self._re.finditer(text, pos, endpos)
        return self._guarded_finditer(noted, text, pos, endpos)

    def _guarded_finditer(self, noted, text, pos, endpos):
        try:
            yield from self._twin().finditer(text, pos, endpos, timeout=_call_seconds(text))
        except TimeoutError:
            self._note(noted)

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize):
        noted = _noted.get()
        return self._re.search(text, pos, endpos) if noted is None else self._guarded(
            noted, "search", text, text, pos, endpos)

    def match(self, text: str, pos: int = 0, endpos: int = sys.maxsize):
        noted = _noted.get()
        return self._re.match(text, pos, endpos) if noted is None else self._guarded(
            noted, "match", text, text, pos, endpos)

    def fullmatch(self, text: str, pos: int = 0, endpos: int = sys.maxsize):
        noted = _noted.get()
        return self._re.fullmatch(text, pos, endpos) if noted is None else self._guarded(
            noted, "fullmatch", text, text, pos, endpos)

    def findall(self, text: str) -> list:
        noted = _noted.get()
        return self._re.findall(text) if noted is None else (self._guarded(noted, "findall", text, text) or [])

    def sub(self, repl, text: str) -> str:
        noted = _noted.get()
        if noted is None:
            return self._re.sub(repl, text)
        out = self._guarded(noted, "sub", text, repl, text)
        return text if out is None else out


def compile(source: str, flags: int = 0, name: str | None = None) -> SafePattern:  # noqa: A001 (mirrors re.compile)
    return SafePattern(source, flags, name)


def live() -> list[SafePattern]:
    """The patterns compiled so far (load the cue set first to include the cues')."""
    return sorted(_LIVE, key=lambda p: (p.name, p.pattern))


def post_seconds(chars: int) -> float:
    return POST_SECONDS + POST_SECONDS_PER_CHAR * chars


def _call_seconds(text: str) -> float:
    return CALL_SECONDS + CALL_SECONDS_PER_CHAR * len(text)


# --- the alarm ------------------------------------------------------------------------------------

_armed = False


def _ring(signum, frame):
    if _armed:  # a late signal after the block ended is ignored
        raise OutOfTime()


def can_interrupt() -> bool:
    """True when `interrupt_after` can set its alarm here; our handler is installed once and left."""
    if (not hasattr(signal, "setitimer") or _armed or _noted.get() is not None
            or threading.current_thread() is not threading.main_thread()):
        return False
    handler = _signal.getsignal(signal.SIGVTALRM)  # the raw handler: signal.getsignal's enum lookup costs more
    if handler is _ring:
        return True
    if handler != signal.SIG_DFL:
        return False  # the caller uses SIGVTALRM for something else: leave it alone
    signal.signal(signal.SIGVTALRM, _ring)
    return True


@contextmanager
def interrupt_after(seconds: float):
    """Raise OutOfTime in the block once it has used `seconds` of CPU time."""
    global _armed
    if _armed or _signal.getsignal(signal.SIGVTALRM) is not _ring:  # the default action would end the process
        raise RuntimeError("no CPU-time alarm can be set here; check can_interrupt() first")
    _armed = True
    signal.setitimer(signal.ITIMER_VIRTUAL, seconds)
    try:
        yield
    finally:
        _armed = False
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)


@contextmanager
def guarded():
    """Run the block with every call on `regex` under a timeout; yields the names that ran out."""
    noted: list[str] = []
    token = _noted.set(noted)
    try:
        yield noted
    finally:
        _noted.reset(token)
