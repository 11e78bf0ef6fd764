"""Sends the learner store's xAPI outbox to the LRS from a background thread.

Each statement is PUT under its own fixed id, so a resend (after a lost answer, a crash, a restart) changes nothing
at the LRS. While the LRS is down or refuses the login, statements wait with doubling pauses and nothing is lost; a
statement the LRS rejects as malformed is kept, marked refused, and logged.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

import httpx

from assistant.config import XAPISettings
from assistant.profile.schema import utcnow
from assistant.profile.store import LearnerStore, QueuedStatement, Statement

log = logging.getLogger(__name__)
XAPI_VERSION = "1.0.3"
# Answers that say this statement will never be taken as it is: retrying cannot help.
REFUSED = {400, 409, 413, 422}


class StatementSender:
    """One sender per process; several replicas may each run one (claims keep them off each other's rows)."""

    def __init__(self, store: LearnerStore, settings: XAPISettings, void: Callable[[dict, str], Statement],
                 client: httpx.Client | None = None):
        self.store, self.settings, self.void = store, settings, void
        auth = (settings.key, settings.secret) if settings.key or settings.secret else None
        self.client = client or httpx.Client(timeout=settings.timeout_s, auth=auth,
                                             headers={"X-Experience-API-Version": XAPI_VERSION})
        self.endpoint = settings.url.rstrip("/") + "/statements"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._jitter = random.Random()
        self._failing = False

    def wait_after(self, attempts: int) -> float:
        """Doubling pauses from retry_min_s to retry_max_s, a little jitter so replicas do not retry in step."""
        base = min(self.settings.retry_max_s, self.settings.retry_min_s * 2 ** max(attempts - 1, 0))
        return base * self._jitter.uniform(0.8, 1.0)

    def send_due(self, now: datetime | None = None) -> int:
        """One round: send what is due, oldest first; stop at the first sign the LRS is unavailable (the rest of
        the round waits as long as that statement). Returns how many statements the LRS took."""
        now = now or utcnow()
        lease = now + timedelta(seconds=self.settings.timeout_s * 2 + 5)
        claimed = self.store.claim_statements(now, self.settings.batch, lease)
        sent = 0
        for i, queued in enumerate(claimed):
            outcome = self._send(queued)
            if outcome == "sent":
                sent += 1
                if not self.store.mark_sent(queued.row, utcnow()):
                    # Its learner was forgotten while it travelled: the LRS has it, so it must be voided.
                    self.store.enqueue([self.void(queued.body["actor"], queued.id)])
            elif outcome.startswith("refused"):
                log.error("The LRS refused xAPI statement %s for good: %s", queued.id, outcome)
                self.store.put_off(queued.row, now, outcome, refused=True)
            else:
                until = now + timedelta(seconds=self.wait_after(queued.attempts))
                for waiting in claimed[i:]:
                    self.store.put_off(waiting.row, until, outcome)
                if not self._failing:
                    log.warning("The LRS at %s is unavailable (%s); statements wait in the outbox", self.endpoint,
                                outcome)
                self._failing = True
                return sent
        if sent and self._failing:
            log.warning("The LRS at %s is back; sending the waiting statements", self.endpoint)
        self._failing = self._failing and not sent
        return sent

    def _send(self, queued: QueuedStatement) -> str:
        try:
            response = self.client.put(self.endpoint, params={"statementId": queued.id}, json=queued.body)
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}"
        if response.status_code in (200, 204):
            return "sent"
        text = f"HTTP {response.status_code}: {response.text[:300]}"
        return f"refused {text}" if response.status_code in REFUSED else text

    def start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="xapi-outbox", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.settings.poll_s):
            try:
                self.send_due()
            except Exception:  # the store itself failing (database restarting): try again next round
                log.exception("Sending the xAPI outbox failed; trying again in %s s", self.settings.poll_s)

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
