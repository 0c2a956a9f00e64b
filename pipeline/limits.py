"""Time limits for the stages of one input: nothing a file holds can stop the batch.

OCR pages have tesseract's own timeout (``--page-timeout``); parsing a file (ingest),
restoring its text (normalize) and extracting (extract) are pure Python that a hostile
file can keep busy for hours (a self-referencing PDF object, a 1 MB token). Each stage
runs under ``stage_time_limit``: an interval timer whose signal raises ``StageTimeout``
in the code that is running, which becomes the input's error record naming the stage.

Signals reach only a process's main thread: the CLI's inline runner and the pool workers
run stages there. A stage run in another thread (a Dask worker runs its tasks in threads)
gets the same limit from a watchdog thread that raises the timeout inside the stage's
thread (an asynchronous exception, delivered between two Python instructions as a signal
handler's would be, and repeated the same way). A thread cannot be killed: like the
signal, this stops Python code, not a C call that never returns.
"""
from __future__ import annotations

import ctypes
import signal
import threading
from contextlib import contextmanager
from typing import Iterator

from ..core.errors import KehoachError

# OCR pages already stop at --page-timeout inside tesseract; the stage limit around a
# page (render, grid, tesseract) leaves that timeout room to fire first.
PAGE_MARGIN_S = 30.0


class StageTimeout(KehoachError):
    """A stage of one input ran longer than its limit."""

    code = "timeout"

    def __init__(self, message: str, hint: str | None = None, code: str | None = None,
                 stage: str = ""):
        super().__init__(message, hint, code)
        self.stage = stage

    def __reduce__(self):  # keep the stage when sent back from a worker process
        return (self.__class__, (self.message, self.hint, self.code, self.stage))


def _can_signal() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


# After the limit, the signal comes again at this interval until the stage has unwound:
# code that catches every exception (a reader turning errors into "corrupt file", a loop
# over pages recording each failure) cannot swallow the timeout and carry on.
REPEAT_S = 0.5


@contextmanager
def stage_time_limit(stage: str, seconds: float | None, name: str,
                     option: str = "--file-timeout") -> Iterator[None]:
    """Run the body with at most ``seconds`` (None or 0: no limit); past that raise
    StageTimeout saying that ``stage`` of input ``name`` ran out of time, whatever the
    body turned the interruption into."""
    if not seconds:
        yield
        return

    def timeout() -> StageTimeout:
        return StageTimeout(f"{name}: the {stage} stage ran out of time after {seconds:g} s",
                            hint=f"the file may be damaged or built to stall readers; raise "
                            f"{option} to give it longer", stage=stage)

    if not _can_signal():
        with _thread_time_limit(seconds, timeout):
            yield
        return
    fired: list[bool] = []

    def expired(_signum, _frame):
        fired.append(True)
        raise timeout()

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds, REPEAT_S)
    try:
        yield
    except BaseException:
        _disarm(previous)
        if fired:
            raise timeout() from None
        raise
    _disarm(previous)
    if fired:
        raise timeout()


def _disarm(previous) -> None:
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, previous)


class _ThreadInterrupt(BaseException):
    """Raised inside a stage's thread by its watchdog (an exception class, not an
    instance, is all an asynchronous exception can carry); becomes the StageTimeout."""


def _set_async_exc(thread_id: int, exc: type[BaseException] | None) -> None:
    # exc None clears an exception set but not yet raised
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id),
                                               ctypes.py_object(exc) if exc else None)


@contextmanager
def _thread_time_limit(seconds: float, timeout) -> Iterator[None]:
    """``stage_time_limit`` for a thread other than the main one: a watchdog thread raises
    _ThreadInterrupt in this thread after ``seconds``, again every REPEAT_S until the
    body has unwound; whatever the body turned it into, StageTimeout comes out."""
    target = threading.get_ident()
    done = threading.Event()
    lock = threading.Lock()
    fired: list[bool] = []

    def watch() -> None:
        wait = seconds
        while not done.wait(wait):
            with lock:
                if done.is_set():
                    return
                fired.append(True)
                _set_async_exc(target, _ThreadInterrupt)
            wait = REPEAT_S

    watchdog = threading.Thread(target=watch, name="kehoach-stage-limit", daemon=True)
    watchdog.start()

    def stop() -> None:
        while True:
            try:
                with lock:
                    done.set()
                    if fired:
                        _set_async_exc(target, None)   # one set but not yet raised
                return
            except _ThreadInterrupt:   # one raised before this thread took the lock
                continue

    try:
        yield
    except BaseException:
        stop()
        if fired:
            raise timeout() from None
        raise
    stop()
    if fired:
        raise timeout()
