"""The learner store: durable turns and feedback, export, and a forget that leaves no row behind."""

import sqlite3

import pytest
from pydantic import ValidationError

from assistant.catalog.schema import Resource
from assistant.profile.edits import ProfileEdit
from assistant.profile.feedback import apply_feedback
from assistant.profile.schema import LearnerProfile
from assistant.profile.sqlite_store import SQLiteStore
from assistant.profile.store import StoreWriteError

RUST_BOOK = Resource(id="r1", title="Rust book", url="https://rust.example", topics=["Rust"], level="beginner")


@pytest.fixture
def store(tmp_path):
    return SQLiteStore(tmp_path / "learners.sqlite3")


def test_turns_feedback_and_profile_survive_reopening(store, tmp_path):
    profile = LearnerProfile(learner_id="a", topics={"Rust": 1.0})
    store.record_turn(profile, "Rust please")
    store.record_reply("a", "Here you go", '{"x": 1}')
    store.record_feedback(apply_feedback(profile, RUST_BOOK, "helpful"), "r1", "helpful")
    store.close()
    reopened = SQLiteStore(tmp_path / "learners.sqlite3")
    assert reopened.get("a").liked == ["r1"]
    assert reopened.history("a") == [("learner", "Rust please"), ("assistant", "Here you go")]
    assert reopened.last_reply("a") == '{"x": 1}'
    assert reopened.positive_events() == [("a", "r1", 1.0)]


def test_a_database_from_an_earlier_version_is_upgraded_keeping_its_rows(tmp_path):
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as old:  # the turns table before replies were stored with their facts
        old.executescript("CREATE TABLE turns (id INTEGER PRIMARY KEY AUTOINCREMENT, learner_id TEXT NOT NULL, "
                          "role TEXT NOT NULL, text TEXT NOT NULL, created_at TEXT NOT NULL);"
                          "INSERT INTO turns (learner_id, role, text, created_at) VALUES ('a', 'learner', 'hi', 'x');")
    upgraded = SQLiteStore(path)
    assert upgraded.history("a") == [("learner", "hi")] and upgraded.last_reply("a") is None
    upgraded.record_reply("a", "hello", '{"x": 1}')
    assert upgraded.last_reply("a") == '{"x": 1}'


def test_forget_removes_every_row_of_that_learner_only(store):
    for learner in ("a", "b"):
        profile = LearnerProfile(learner_id=learner)
        store.record_turn(profile, "hello")
        store.record_feedback(profile, "r1", "opened")
    assert store.forget("a") == 3
    assert store.count_rows("a") == 0 and store.get("a") is None
    assert store.count_rows("b") == 3
    rows = sqlite3.connect(store.path).execute(
        "SELECT COUNT(*) FROM profiles WHERE learner_id='a' UNION ALL SELECT COUNT(*) FROM turns WHERE learner_id='a' "
        "UNION ALL SELECT COUNT(*) FROM feedback WHERE learner_id='a'").fetchall()
    assert rows == [(0,), (0,), (0,)]


def test_export_holds_profile_turns_and_events(store):
    profile = LearnerProfile(learner_id="a")
    store.record_turn(profile, "hello")
    store.record_feedback(profile, "r1", "completed")
    exported = store.export("a")
    assert exported.profile.learner_id == "a" and exported.turns[0]["text"] == "hello"
    assert exported.feedback[0].kind == "completed"


def test_feedback_effects_on_the_profile():
    profile = LearnerProfile(learner_id="a", topics={"Rust": 1.0}, level="beginner")
    assert apply_feedback(profile, RUST_BOOK, "not_for_me").excluded == {"r1"}
    assert apply_feedback(profile, RUST_BOOK, "completed").excluded == {"r1"}
    knows = apply_feedback(profile, RUST_BOOK, "already_know")
    assert knows.known_topics == ["Rust"] and "Rust" not in knows.topics and knows.level == "intermediate"
    assert apply_feedback(profile, RUST_BOOK, "opened").liked == ["r1"]


def test_edits_change_only_what_was_sent_and_refuse_unknown_fields():
    profile = LearnerProfile(learner_id="a", level="beginner", time_budget_minutes=20, formats={"video": 1.0})
    edited = ProfileEdit(formats=["book"], time_budget_minutes=None).apply(profile)
    assert edited.liked_formats == ["book"] and edited.time_budget_minutes is None and edited.level == "beginner"
    with pytest.raises(ValidationError):
        ProfileEdit.model_validate({"levle": "advanced"})
    with pytest.raises(ValidationError):
        ProfileEdit.model_validate({"level": "wizard"})


def test_a_full_database_refuses_the_write_in_words_keeps_what_it_had_and_recovers(store):
    store.record_turn(LearnerProfile(learner_id="a", topics={"Rust": 1.0}), "Rust please")
    pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
    store._conn.execute(f"PRAGMA max_page_count = {pages}")  # as full as a full disk, for this connection
    with pytest.raises(StoreWriteError, match="could not save .*full.*nothing stored before was lost"):
        store.record_turn(LearnerProfile(learner_id="a", topics={"Go": 1.0}), "Go " * 20_000)
    assert store.history("a") == [("learner", "Rust please")] and "Rust" in store.get("a").topics
    store._conn.execute("PRAGMA max_page_count = 1073741823")  # space again: no transaction was left open
    store.record_turn(LearnerProfile(learner_id="a", topics={"Go": 1.0}), "Go then")
    assert store.history("a") == [("learner", "Rust please"), ("learner", "Go then")]
