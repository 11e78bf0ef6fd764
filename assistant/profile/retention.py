"""Retention: conversation turns and feedback events older than the setting are deleted, at start and then daily
(`ASSISTANT_STORE_RETENTION_DAYS`; unset keeps everything)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from assistant.profile.schema import utcnow
from assistant.profile.store import LearnerStore

log = logging.getLogger(__name__)


class RetentionSweeper:
    def __init__(self, store: LearnerStore, days: float, every_s: float = 24 * 3600,
                 clock: Callable[[], datetime] = utcnow):
        self.store, self.days, self.every_s, self.clock = store, days, every_s, clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def cutoff(self) -> datetime:
        """Rows stamped before this moment are older than the setting."""
        return self.clock() - timedelta(days=self.days)

    def sweep(self) -> dict[str, int]:
        """One sweep; returns the rows deleted per table."""
        removed = self.store.sweep(self.cutoff())
        if any(removed.values()):
            log.info("Retention (%s days): deleted %s", self.days, removed)
        return removed

    def start(self) -> None:
        """Sweep now, then every `every_s`, on a background thread."""
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="retention-sweep", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.sweep()
            except Exception:  # a database that is down now may be back for the next sweep
                log.exception("The retention sweep failed; trying again in %s s", self.every_s)
            self._stop.wait(self.every_s)

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
