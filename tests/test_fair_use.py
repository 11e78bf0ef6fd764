"""Fair use on a clock the test controls: past the per-learner or per-key limit a turn is refused with "slow down,
try again in N s" (N = when the oldest counted turn leaves the minute), the count resets as the minute passes, and
a restart does not reset it (the counts are in the learner store)."""

from datetime import datetime, timedelta, timezone

import pytest

from assistant.fair_use import Caller, FairUse, SlowDown
from assistant.profile.sqlite_store import SQLiteStore
from assistant.validation import InputError


class Clock:
    def __init__(self):
        self.now = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


def test_a_learner_past_the_limit_is_asked_to_slow_down_until_the_minute_has_passed(tmp_path):
    clock = Clock()
    fair = FairUse(SQLiteStore(tmp_path / "l.sqlite3", clock=clock), 2, 0, clock)
    fair.admit("a", Caller())
    clock.now += timedelta(seconds=20.5)
    fair.admit("a", Caller())
    with pytest.raises(SlowDown) as refused:
        fair.admit("a", Caller())
    assert refused.value.retry_after_s == 40  # 39.5 s rounded up: never too early
    assert str(refused.value) == ("You are sending messages faster than I can answer them well: please slow down and "
                                  "try again in 40 s.")
    assert isinstance(refused.value, InputError)  # the API and the page show it like any refusal
    assert SlowDown.say("zh", 40) == "你发消息太快了，我来不及好好回答：请放慢一点，40 秒后再试。"
    fair.admit("b", Caller())  # another learner is not slowed down

    restarted = FairUse(SQLiteStore(tmp_path / "l.sqlite3", clock=clock), 2, 0, clock)
    with pytest.raises(SlowDown):
        restarted.admit("a", Caller())
    clock.now += timedelta(seconds=40)
    restarted.admit("a", Caller())  # the first turn has left the minute


def test_an_api_key_is_limited_over_all_its_learners_and_the_page_is_not(tmp_path):
    clock = Clock()
    fair = FairUse(SQLiteStore(tmp_path / "l.sqlite3", clock=clock), 0, 3, clock)
    for learner in ("x", "y", "z"):
        fair.admit(learner, Caller(api_key="moodle"))
    with pytest.raises(SlowDown, match="try again in 60 s"):
        fair.admit("w", Caller(api_key="moodle"))
    fair.admit("w", Caller(api_key="canvas"))  # each key counts on its own
    fair.admit("w", Caller())  # the page has no key, and the learner limit is off (0)
