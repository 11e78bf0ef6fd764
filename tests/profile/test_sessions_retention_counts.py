"""Conversations, retention and fair-use counts in both learner stores (SQLite, and PostgreSQL on a real server),
on a clock the test controls: sessions list, open and delete per learner; a sweep deletes exactly the turns and
events older than the cutoff, one learner at a time; counts survive a restart; export and forget stay exact; a
database of the previous version is upgraded in place, its turns gathered into one earlier conversation."""

import sqlite3
import threading
import time
from datetime import datetime, timedelta, timezone

import psycopg
import pytest

from assistant.profile.postgres_store import PostgresStore
from assistant.profile.retention import RetentionSweeper
from assistant.profile.schema import LearnerProfile
from assistant.profile.sqlite_store import SQLiteStore
from assistant.profile.store import EARLIER_SESSION, TurnBucket

START = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)


class Clock:
    """The time the store stamps rows with; the test moves it."""

    def __init__(self, now: datetime = START):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture(params=["sqlite", "postgres"])
def opener(request, tmp_path):
    """Opens a store of each backend on the same database (a second call is a restart), with a given clock."""
    opened = []
    if request.param == "sqlite":
        def open_store(clock):
            opened.append(SQLiteStore(tmp_path / "learners.sqlite3", clock=clock))
            return opened[-1]
    else:
        url = request.getfixturevalue("postgres_url")

        def open_store(clock):
            opened.append(PostgresStore(url, clock=clock))
            return opened[-1]
        open_store.url = url
    open_store.backend = request.param
    yield open_store
    for store in opened:
        store.close()


def turn(store, learner: str, session: str | None, message: str, reply: str = "Here you go") -> None:
    store.record_turn(LearnerProfile(learner_id=learner), message, session)
    store.record_reply(learner, reply, f'{{"text": "{reply}"}}', session_id=session)


def test_conversations_are_listed_opened_and_deleted_per_learner(opener):
    clock = Clock()
    store = opener(clock)
    turn(store, "a", "s1", "Rust books please")
    clock.advance(minutes=1)
    turn(store, "a", "s1", "something shorter")
    clock.advance(days=1)
    turn(store, "a", "s2", "我想学 Git")
    turn(store, "b", "s1", "b's own s1")  # the same id for another learner is another conversation

    listed = store.sessions("a")
    assert [(s.id, s.first_message, s.turns) for s in listed] == [("s2", "我想学 Git", 1), ("s1", "Rust books please", 2)]
    assert listed[1].started_at == START and listed[0].started_at == START + timedelta(days=1, minutes=1)
    assert [(t.role, t.text) for t in store.session_turns("a", "s1")] == [
        ("learner", "Rust books please"), ("assistant", "Here you go"),
        ("learner", "something shorter"), ("assistant", "Here you go")]
    assert store.session_turns("a", "s1")[1].reply_json == '{"text": "Here you go"}'
    assert store.session_turns("a", "nope") is None and store.session_turns("b", "s2") is None
    assert store.latest_session("a") == "s2" and store.latest_session("nobody") is None
    assert store.history("a", session_id="s1")[-1] == ("assistant", "Here you go") and len(store.history("a")) == 6
    assert [t for _, t in store.history("a", session_id="s2")] == ["我想学 Git", "Here you go"]

    assert store.delete_session("a", "s1") == 5  # four turns and the session
    assert [s.id for s in store.sessions("a")] == ["s2"] and store.sessions("b")[0].first_message == "b's own s1"
    assert store.delete_session("a", "s1") == 0


def test_export_holds_the_conversations_and_forget_leaves_no_row_of_the_learner(opener):
    clock = Clock()
    store = opener(clock)
    turn(store, "a", "s1", "hello")
    store.record_feedback(LearnerProfile(learner_id="a"), "r1", "not_for_me")
    assert store.count_turn([TurnBucket(name="learner:a", limit=5, learner_id="a"),
                             TurnBucket(name="key:lms", limit=5)], clock(), 60) is None
    turn(store, "b", "s1", "hi")

    exported = store.export("a")
    assert exported.sessions == [{"id": "s1", "started_at": exported.sessions[0]["started_at"]}]
    assert [t["session_id"] for t in exported.turns] == ["s1", "s1"] and len(exported.counted_turns) == 1
    assert store.feedback_given("a") == {"r1": "not_for_me"}

    rows = store.count_rows("a")
    assert rows == 6  # profile, session, two turns, feedback, the learner's own count
    assert store.forget("a") == rows
    assert store.count_rows("a") == 0 and store.sessions("a") == [] and store.count_rows("b") == 4
    # The key's count is no learner's row: it stays, so forgetting learners does not reset an LMS's limit.
    assert store.count_turn([TurnBucket(name="key:lms", limit=1)], clock(), 60) > 0


def test_the_retention_sweep_deletes_exactly_what_is_older_than_the_setting(opener):
    clock = Clock()
    store = opener(clock)
    for day in range(10):  # a turn and a feedback event per day for two learners, the second every other day
        clock.now = START + timedelta(days=day)
        turn(store, "a", f"a-{day // 4}", f"day {day}")
        store.record_feedback(LearnerProfile(learner_id="a"), f"r{day}", "helpful")
        if day % 2:
            turn(store, "b", "b-all", f"day {day}")
    clock.now = START + timedelta(days=12)
    sweeper = RetentionSweeper(store, days=5, clock=clock)
    assert sweeper.cutoff() == START + timedelta(days=7)  # rows stamped before day 7 go; day 7 itself stays

    removed = sweeper.sweep()
    assert removed == {"turns": 2 * 7 + 2 * 3, "feedback": 7, "sessions": 1}  # a: days 0-6; b: days 1, 3, 5
    assert [t for _, t in store.history("a") if t.startswith("day")] == ["day 7", "day 8", "day 9"]
    assert [t for _, t in store.history("b") if t.startswith("day")] == ["day 7", "day 9"]
    assert [e.resource_id for e in store.export("a").feedback] == ["r7", "r8", "r9"]
    # a-0 (days 0-3) emptied and went; a-1 (days 4-7) keeps day 7; the profiles stay.
    assert sorted(s.id for s in store.sessions("a")) == ["a-1", "a-2"]
    assert store.get("a") is not None and store.get("b") is not None
    assert sweeper.sweep() == {"turns": 0, "feedback": 0, "sessions": 0}  # nothing more is older

    clock.advance(days=1)  # a day on, the next sweep takes day 7 (and a-1 with it)
    assert sweeper.sweep() == {"turns": 4, "feedback": 1, "sessions": 1}


def test_the_sweeper_sweeps_at_start_and_then_every_interval(opener):
    clock = Clock()
    store = opener(clock)
    turn(store, "a", "s1", "long ago")
    clock.advance(days=10)
    sweeper = RetentionSweeper(store, days=5, every_s=0.2, clock=clock)
    sweeper.start()
    try:
        assert _eventually(lambda: store.history("a") == [])  # at start
        turn(store, "a", "s2", "recent")
        clock.advance(days=10)
        assert _eventually(lambda: store.history("a") == [])  # the next sweep
    finally:
        sweeper.stop()


def _eventually(check, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_turn_counts_refuse_past_the_limit_say_when_and_survive_a_restart(opener):
    clock = Clock()
    store = opener(clock)
    mine = [TurnBucket(name="learner:a", limit=2, learner_id="a")]
    assert store.count_turn(mine, clock(), 60) is None
    clock.advance(seconds=10)
    assert store.count_turn(mine, clock(), 60) is None
    clock.advance(seconds=5)
    assert store.count_turn(mine, clock(), 60) == pytest.approx(45)  # the first leaves the minute at 60 s
    restarted = opener(clock)
    assert restarted.count_turn(mine, clock(), 60) == pytest.approx(45)
    clock.advance(seconds=45)
    assert restarted.count_turn(mine, clock(), 60) is None  # the first has left; the second and this one remain
    assert restarted.count_turn(mine, clock(), 60) == pytest.approx(10)
    # A refused turn is counted nowhere: another learner's turn under the same key still has room.
    key = TurnBucket(name="key:lms", limit=3)
    assert restarted.count_turn([TurnBucket(name="learner:b", limit=2, learner_id="b"), key], clock(), 60) is None
    assert restarted.count_turn([mine[0], key], clock(), 60) is not None
    assert restarted.count_turn([TurnBucket(name="learner:c", limit=2, learner_id="c"), key], clock(), 60) is None
    assert restarted.count_turn([TurnBucket(name="learner:d", limit=2, learner_id="d"), key], clock(), 60) is None
    assert restarted.count_turn([TurnBucket(name="learner:e", limit=2, learner_id="e"), key], clock(), 60) > 0


def test_turns_counted_at_once_from_many_threads_never_pass_the_limit(opener):
    clock = Clock()
    stores = [opener(clock), opener(clock)]  # two replicas (or two connections) on one database
    admitted = []

    def count(i: int) -> None:
        for _ in range(5):
            if stores[i % 2].count_turn([TurnBucket(name="learner:x", limit=7, learner_id="x")], clock(), 60) is None:
                admitted.append(i)

    threads = [threading.Thread(target=count, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(admitted) == 7


def test_a_database_from_before_conversations_is_upgraded_keeping_its_turns(opener, tmp_path):
    if opener.backend == "sqlite":
        with sqlite3.connect(tmp_path / "learners.sqlite3") as old:
            old.executescript(
                "CREATE TABLE turns (id INTEGER PRIMARY KEY AUTOINCREMENT, learner_id TEXT NOT NULL, role TEXT NOT "
                "NULL, text TEXT NOT NULL, reply_json TEXT, created_at TEXT NOT NULL);"
                "INSERT INTO turns (learner_id, role, text, created_at) VALUES "
                "('a', 'learner', 'old question', '2025-05-01T10:00:00+00:00'), "
                "('a', 'assistant', 'old answer', '2025-05-01T10:00:05+00:00');")
    else:
        with psycopg.connect(opener.url, autocommit=True) as old:
            old.execute("CREATE TABLE turns (id BIGSERIAL PRIMARY KEY, learner_id TEXT NOT NULL, role TEXT NOT NULL, "
                        "text TEXT NOT NULL, reply_json TEXT, created_at TIMESTAMPTZ NOT NULL)")
            old.execute("INSERT INTO turns (learner_id, role, text, created_at) VALUES "
                        "('a', 'learner', 'old question', '2025-05-01T10:00:00+00:00'), "
                        "('a', 'assistant', 'old answer', '2025-05-01T10:00:05+00:00')")
    clock = Clock()
    store = opener(clock)
    listed = store.sessions("a")
    assert [(s.id, s.first_message, s.turns) for s in listed] == [(EARLIER_SESSION, "old question", 1)]
    assert listed[0].started_at == datetime(2025, 5, 1, 10, 0, tzinfo=timezone.utc)
    assert [t.text for t in store.session_turns("a", EARLIER_SESSION)] == ["old question", "old answer"]
    turn(store, "a", "new", "a new conversation")
    assert [s.id for s in opener(clock).sessions("a")] == ["new", EARLIER_SESSION]  # a second start changes nothing
