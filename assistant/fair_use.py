"""Fair use: how many turns one learner, and one API key over all its learners, may start per minute.

The counts live in the learner store, so neither a restart nor another replica resets them; past a limit a turn is
refused at once with "slow down, try again in N s" rather than run.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from assistant.locale import locale
from assistant.profile.schema import utcnow
from assistant.profile.store import LearnerStore, TurnBucket
from assistant.validation import InputError

WINDOW_S = 60.0  # the limits are turns per minute, over a sliding minute


class SlowDown(InputError):
    """A learner or an API key started too many turns in the last minute; the message says when to try again."""

    def __init__(self, retry_after_s: int):
        super().__init__(self.say(None, retry_after_s))
        self.retry_after_s = retry_after_s

    @staticmethod
    def say(language: str | None, retry_after_s: int) -> str:
        return locale(language).phrase("slow_down", seconds=retry_after_s)


@dataclass(frozen=True)
class Caller:
    """Who a served turn is counted against besides its learner: the API key's name, or None on the page."""

    api_key: str | None = None


class FairUse:
    def __init__(self, store: LearnerStore, learner_per_minute: int, key_per_minute: int,
                 clock: Callable[[], datetime] = utcnow):
        self.store, self.learner_per_minute, self.key_per_minute, self.clock = \
            store, learner_per_minute, key_per_minute, clock

    def admit(self, learner_id: str, caller: Caller) -> None:
        """Count one turn for the learner (and the caller's key), or raise SlowDown with the wait."""
        buckets = []
        if self.learner_per_minute:
            buckets.append(TurnBucket(name=f"learner:{learner_id}", limit=self.learner_per_minute,
                                      learner_id=learner_id))
        if caller.api_key is not None and self.key_per_minute:
            buckets.append(TurnBucket(name=f"key:{caller.api_key}", limit=self.key_per_minute))
        if not buckets:
            return
        wait = self.store.count_turn(buckets, self.clock(), WINDOW_S)
        if wait is not None:
            raise SlowDown(max(1, math.ceil(wait)))
