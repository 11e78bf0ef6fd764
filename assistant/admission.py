"""How many turns run at once, and how many may wait for a place; beyond that a turn is refused at once with a
"busy, try again in N s" answer rather than left to time out."""

from __future__ import annotations

import math
import statistics
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

from assistant.validation import InputError

RECENT = 50  # turn durations kept for the retry estimate


class Busy(InputError):
    """Too many turns are running and waiting; the message says when to try again."""

    def __init__(self, retry_after_s: int):
        super().__init__(f"The assistant is busy with other learners right now: please try again in "
                         f"{retry_after_s} s.")
        self.retry_after_s = retry_after_s


class Admission:
    def __init__(self, running: int, waiting: int, max_wait_s: float):
        self.running, self.waiting, self.max_wait_s = running, waiting, max_wait_s
        self._slots = threading.Semaphore(running)
        self._lock = threading.Lock()
        self._queued = 0
        self._recent: deque[float] = deque(maxlen=RECENT)

    def retry_after_s(self) -> int:
        """About how long until a place frees: a typical turn, times the queue ahead per running place."""
        with self._lock:
            typical = statistics.median(self._recent) if self._recent else 5.0
            ahead = self._queued / max(1, self.running)
        return max(1, math.ceil(typical * (1 + ahead)))

    @contextmanager
    def turn(self) -> Iterator[None]:
        with self._lock:
            if self._queued >= self.waiting:
                full = True
            else:
                full = False
                self._queued += 1
        if full:
            raise Busy(self.retry_after_s())
        try:
            got = self._slots.acquire(timeout=self.max_wait_s)
        finally:
            with self._lock:
                self._queued -= 1
        if not got:
            raise Busy(self.retry_after_s())
        started = time.perf_counter()
        try:
            yield
        finally:
            self._slots.release()
            with self._lock:
                self._recent.append(time.perf_counter() - started)
