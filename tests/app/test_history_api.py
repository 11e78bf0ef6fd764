"""Conversations and fair use through the served API, as an LMS backend calls it (gradio_client, loopback, fake
LLM): turns join the session they name (or the latest), sessions are listed, opened and deleted; past the
per-learner or per-key limit a turn is answered "slow down, try again in N s", and the limit resets as the minute
passes (a clock the test controls)."""

import os
from datetime import datetime, timedelta, timezone

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from gradio_client import Client
from ports import free_port

from assistant.app import launch
from assistant.engine import Engine
from assistant.fair_use import FairUse
from assistant.llm import build_llm
from assistant.profile.sqlite_store import SQLiteStore

RUST = "I'm new to programming and want to learn Rust. Books please."
KEYS = {"moodle": "moodle-key", "canvas": "canvas-key"}


class Clock:
    def __init__(self):
        self.now = datetime.now(timezone.utc)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def served(settings, store, catalog, graph, tmp_path_factory):
    """An app whose limits are 3 turns a minute per learner and 4 per key, counted on the test's clock; turns are
    kept 30 days."""
    limited = settings.with_changes(llm={"backend": "fake"}, serving={"api_keys": KEYS},
                                    store={"retention_days": 30})
    learners = SQLiteStore(tmp_path_factory.mktemp("history-api") / "learners.sqlite3")
    engine = Engine(limited, store, build_llm(limited.llm, limited.cache_dir), learners, catalog, graph)
    clock = Clock()
    engine.turns.fair_use = FairUse(learners, 3, 4, clock)
    app = launch(engine, block=False, port=free_port())
    try:
        yield app.local_url, clock, engine
    finally:
        app.close()
        engine.retention.stop()


def client(url: str, key: str = "moodle") -> Client:
    return Client(url, verbose=False, headers={"X-API-Key": KEYS[key]})


def test_turns_join_the_session_they_name_and_sessions_are_listed_opened_and_deleted(served):
    url, _, _ = served
    lms = client(url)
    first = lms.predict("hist-1", RUST, None, "course-week-1", api_name="/recommend")
    assert first["session_id"] == "course-week-1" and first["recommendations"]
    second = lms.predict("hist-1", "Any podcasts about programming?", None, "course-week-2", api_name="/recommend")
    assert second["session_id"] == "course-week-2"
    third = lms.predict("hist-1", "Something shorter please", None, api_name="/recommend")
    assert third["session_id"] == "course-week-2"  # no id: the learner's latest conversation goes on

    listed = lms.predict("hist-1", api_name="/sessions")["sessions"]
    assert [(s["id"], s["first_message"], s["turns"]) for s in listed] == [
        ("course-week-2", "Any podcasts about programming?", 2), ("course-week-1", RUST, 1)]
    opened = lms.predict("hist-1", "course-week-1", api_name="/session")
    assert [t["role"] for t in opened["turns"]] == ["learner", "assistant"]
    assert [r["resource"]["id"] for r in opened["turns"][1]["reply"]["recommendations"]] == \
        [r["resource"]["id"] for r in first["recommendations"]]

    assert lms.predict("hist-1", "course-week-1", api_name="/delete_session")["deleted_records"] == 3
    with pytest.raises(Exception, match="No conversation 'course-week-1'"):
        lms.predict("hist-1", "course-week-1", api_name="/session")
    with pytest.raises(Exception, match="No conversation"):  # another learner's id names nothing of theirs
        lms.predict("hist-2", "course-week-2", api_name="/session")
    with pytest.raises(Exception, match="session_id must be"):
        lms.predict("hist-1", RUST, None, "../../etc", api_name="/recommend")
    assert lms.predict("hist-1", api_name="/export")["sessions"][0]["id"] == "course-week-2"


def test_past_the_limits_a_turn_is_asked_to_slow_down_and_the_limit_resets(served):
    url, clock, _ = served
    clock.now += timedelta(minutes=5)  # the turns of the test before have left the minute
    lms, other_lms = client(url), client(url, "canvas")
    for _ in range(3):
        lms.predict("fast-1", RUST, None, api_name="/recommend")
    with pytest.raises(Exception, match=r"please slow down and try again in (60|59) s"):
        lms.predict("fast-1", RUST, None, api_name="/recommend")
    with pytest.raises(Exception, match="slow down"):  # the streaming endpoint says the same
        lms.submit("fast-1", RUST, None, api_name="/chat").result()
    other_lms.predict("fast-2", RUST, None, api_name="/recommend")  # another learner of another LMS goes on

    lms.predict("fast-3", RUST, None, api_name="/recommend")  # the fourth turn of the moodle key
    with pytest.raises(Exception, match="slow down"):  # the key's limit, though fast-4 is new
        lms.predict("fast-4", RUST, None, api_name="/recommend")

    clock.now += timedelta(seconds=61)
    assert lms.predict("fast-1", RUST, None, api_name="/recommend")["recommendations"]  # the minute has passed


def test_the_served_app_sweeps_at_start_and_keeps_what_is_recent(served):
    url, _, engine = served
    assert engine.retention is not None and engine.retention._thread.is_alive()  # started with the app
    assert engine.retention.sweep() == {"turns": 0, "feedback": 0, "sessions": 0}  # nothing is 30 days old
    assert client(url).predict("hist-1", api_name="/sessions")["sessions"]
