"""The PostgreSQL learner store, against a real server: the same rules as SQLite (events survive, forget is scoped,
export is whole, old schemas are upgraded in place), plus what sharing needs: concurrent writers lose nothing, a
restarted database is reconnected, and an unreachable one is named in one line at start."""

import threading

import psycopg
import pytest

from assistant.catalog.schema import Resource
from assistant.config import StoreSettings
from assistant.profile.feedback import apply_feedback
from assistant.profile.postgres_store import PostgresStore, StoreUnreachable
from assistant.profile.schema import LearnerProfile
from assistant.profile.store import open_store

RUST_BOOK = Resource(id="r1", title="Rust book", url="https://rust.example", topics=["Rust"], level="beginner")


def test_the_store_url_setting_picks_postgres_and_events_survive_a_new_connection(postgres_url):
    store = open_store(StoreSettings(url=postgres_url))
    assert isinstance(store, PostgresStore)
    profile = LearnerProfile(learner_id="a", topics={"Rust": 1.0})
    store.record_turn(profile, "Rust please")
    store.record_reply("a", "Here you go", '{"x": 1}')
    store.record_feedback(apply_feedback(profile, RUST_BOOK, "helpful"), "r1", "helpful")
    store.close()
    reopened = PostgresStore(postgres_url)
    assert reopened.get("a").liked == ["r1"]
    assert reopened.history("a") == [("learner", "Rust please"), ("assistant", "Here you go")]
    assert reopened.last_reply("a") == '{"x": 1}'
    assert reopened.positive_events() == [("a", "r1", 1.0)] and reopened.feedback_count() == 1
    reopened.close()


def test_forget_removes_every_row_of_that_learner_only_and_export_is_whole(postgres_url):
    store = PostgresStore(postgres_url)
    for learner in ("a", "b"):
        profile = LearnerProfile(learner_id=learner)
        store.record_turn(profile, "hello")
        store.record_feedback(profile, "r1", "completed")
    exported = store.export("a")
    assert exported.profile.learner_id == "a" and exported.turns[0]["text"] == "hello"
    assert exported.feedback[0].kind == "completed"
    assert store.forget("a") == 3
    assert store.count_rows("a") == 0 and store.get("a") is None and store.count_rows("b") == 3
    store.close()


def test_a_database_from_an_earlier_version_is_upgraded_keeping_its_rows(postgres_url):
    with psycopg.connect(postgres_url, autocommit=True) as conn:  # turns before replies were stored with their facts
        conn.execute("CREATE TABLE turns (id BIGSERIAL PRIMARY KEY, learner_id TEXT NOT NULL, role TEXT NOT NULL, "
                     "text TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL)")
        conn.execute("INSERT INTO turns (learner_id, role, text, created_at) VALUES ('a', 'learner', 'hi', now())")
    store = PostgresStore(postgres_url)
    assert store.history("a") == [("learner", "hi")] and store.last_reply("a") is None
    store.record_reply("a", "hello", '{"x": 1}')
    assert store.last_reply("a") == '{"x": 1}'
    store.close()


def test_concurrent_feedback_from_many_threads_loses_nothing(postgres_url):
    store = PostgresStore(postgres_url)
    profile = LearnerProfile(learner_id="busy")
    store.save(profile)

    def send(i: int) -> None:
        for j in range(10):
            store.record_feedback(LearnerProfile(learner_id=f"l{i}"), f"r{j}", "opened")

    threads = [threading.Thread(target=send, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.feedback_count() == 80 and len(store.positive_events()) == 80
    store.close()


def test_a_restarted_database_is_reconnected_and_nothing_acknowledged_is_lost(postgres, postgres_url):
    store = PostgresStore(postgres_url)
    store.record_feedback(LearnerProfile(learner_id="a"), "r1", "helpful")
    postgres.restart()
    store.record_feedback(LearnerProfile(learner_id="a"), "r2", "helpful")  # a new connection, no error
    assert [r for _, r, _ in store.positive_events()] == ["r1", "r2"]
    store.close()


def test_an_unreachable_database_is_named_in_one_line_at_start():
    with pytest.raises(StoreUnreachable, match=r"^Cannot use the PostgreSQL learner store at 127\.0\.0\.1:1/nowhere: "):
        PostgresStore("postgresql://postgres@127.0.0.1:1/nowhere")
    with pytest.raises(ValueError, match="postgresql://"):
        open_store(StoreSettings(url="mysql://x@y/z"))
