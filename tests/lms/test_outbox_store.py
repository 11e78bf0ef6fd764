"""The xAPI outbox and LTI launch state in both learner stores (SQLite, and PostgreSQL on a real server): statements
are committed with their event or not at all, forget voids what the LRS has and drops the rest, a claimed statement
is not claimed twice, a nonce is taken once, and a database of the previous version is upgraded keeping its rows."""

import sqlite3
from datetime import timedelta

import psycopg
import pytest

from assistant.profile.postgres_store import PostgresStore
from assistant.profile.schema import LearnerProfile, utcnow
from assistant.profile.sqlite_store import SQLiteStore
from assistant.profile.store import LMSAccount, Statement

DUPLICATE = (sqlite3.IntegrityError, psycopg.errors.UniqueViolation)  # a statement id written twice
# The schema of the version before LTI and xAPI, as databases in use have it.
OLD_SQLITE = """
CREATE TABLE profiles (learner_id TEXT PRIMARY KEY, profile_json TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE turns (id INTEGER PRIMARY KEY AUTOINCREMENT, learner_id TEXT NOT NULL, role TEXT NOT NULL,
                    text TEXT NOT NULL, reply_json TEXT, created_at TEXT NOT NULL);
CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, learner_id TEXT NOT NULL, resource_id TEXT NOT NULL,
                       kind TEXT NOT NULL, created_at TEXT NOT NULL);
"""
OLD_POSTGRES = [
    "CREATE TABLE profiles (learner_id TEXT PRIMARY KEY, profile_json TEXT NOT NULL, updated_at TIMESTAMPTZ NOT NULL)",
    "CREATE TABLE turns (id BIGSERIAL PRIMARY KEY, learner_id TEXT NOT NULL, role TEXT NOT NULL, text TEXT NOT NULL, "
    "reply_json TEXT, created_at TIMESTAMPTZ NOT NULL)",
    "CREATE TABLE feedback (id BIGSERIAL PRIMARY KEY, learner_id TEXT NOT NULL, resource_id TEXT NOT NULL, "
    "kind TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL)",
]


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request, tmp_path):
    """(open a store, write the previous version's schema with one learner's rows) for each backend."""
    if request.param == "sqlite":
        path = tmp_path / "learners.sqlite3"

        def old() -> None:
            with sqlite3.connect(path) as conn:
                conn.executescript(OLD_SQLITE)
                conn.execute("INSERT INTO profiles VALUES ('old', ?, '2025-01-01T00:00:00+00:00')",
                             (LearnerProfile(learner_id="old", topics={"SQL": 1.0}).model_dump_json(),))
                conn.execute("INSERT INTO feedback (learner_id, resource_id, kind, created_at) "
                             "VALUES ('old', 'r1', 'helpful', '2025-01-01T00:00:00+00:00')")
        yield (lambda: SQLiteStore(path)), old
        return
    url = request.getfixturevalue("postgres_url")
    opened: list[PostgresStore] = []

    def old() -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            for statement in OLD_POSTGRES:
                conn.execute(statement)
            conn.execute("INSERT INTO profiles VALUES ('old', %s, now())",
                         (LearnerProfile(learner_id="old", topics={"SQL": 1.0}).model_dump_json(),))
            conn.execute("INSERT INTO feedback (learner_id, resource_id, kind, created_at) "
                         "VALUES ('old', 'r1', 'helpful', now())")

    def open_store() -> PostgresStore:
        opened.append(PostgresStore(url))
        return opened[-1]
    yield open_store, old
    for store in opened:
        store.close()


def statement(n: int) -> Statement:
    return Statement(id=f"00000000-0000-4000-8000-{n:012d}", body={"id": f"00000000-0000-4000-8000-{n:012d}", "n": n})


def account(learner: str = "lti-a") -> LMSAccount:
    return LMSAccount(learner_id=learner, issuer="https://lms.example", deployment_id="1", subject="42",
                      roles=["Learner"], context_id="c", context_title="Rust", launched_at=utcnow())


def test_statements_commit_with_their_event_or_not_at_all(backend):
    open_store, _ = backend
    store = open_store()
    profile = LearnerProfile(learner_id="a")
    store.record_feedback(profile, "r1", "helpful", [statement(1)])
    store.record_reply("a", "Here you go", "{}", [statement(2), statement(3)])
    assert store.outbox_counts() == {"waiting": 3, "sent": 0, "refused": 0}
    # A statement that cannot be written (its id is taken) takes its event down with it: one transaction.
    changed = profile.model_copy(update={"liked": ["r2"]})
    with pytest.raises(DUPLICATE):
        store.record_feedback(changed, "r2", "helpful", [statement(1)])
    assert store.feedback_count() == 1 and store.get("a").liked == []
    with pytest.raises(DUPLICATE):
        store.record_reply("a", "Lost", "{}", [statement(4), statement(2)])
    assert store.history("a") == [("assistant", "Here you go")]
    assert [s["statement"]["n"] for s in store.export("a").statements] == [1, 2, 3]


def test_a_claimed_statement_waits_and_a_sent_one_is_not_claimed_again(backend):
    open_store, _ = backend
    store = open_store()
    store.record_feedback(LearnerProfile(learner_id="a"), "r1", "opened", [statement(1), statement(2)])
    now = utcnow()
    first = store.claim_statements(now, 10, now + timedelta(seconds=30))
    assert [q.id for q in first] == [statement(1).id, statement(2).id] and first[0].attempts == 1
    assert store.claim_statements(now, 10, now + timedelta(seconds=30)) == []  # another sender finds nothing
    assert store.mark_sent(first[0].row, now)
    store.put_off(first[1].row, now + timedelta(seconds=60), "HTTP 503")
    assert store.claim_statements(now + timedelta(seconds=31), 10, now + timedelta(seconds=90)) == []
    again = store.claim_statements(now + timedelta(seconds=61), 10, now + timedelta(seconds=90))
    assert [q.id for q in again] == [statement(2).id] and again[0].attempts == 2
    assert store.outbox_counts() == {"waiting": 1, "sent": 1, "refused": 0}


def test_forget_voids_what_the_lrs_has_drops_the_rest_and_leaves_no_learner_row(backend):
    open_store, _ = backend
    store = open_store()
    store.record_launch(account(), LearnerProfile(learner_id="lti-a"))
    store.record_feedback(LearnerProfile(learner_id="lti-a"), "r1", "helpful", [statement(1), statement(2)])
    store.record_feedback(LearnerProfile(learner_id="b"), "r1", "helpful", [statement(3)])
    now = utcnow()
    claimed = store.claim_statements(now, 1, now + timedelta(seconds=30))
    assert store.mark_sent(claimed[0].row, now)  # statement 1 reached the LRS; statement 2 did not
    asked: list[list[str]] = []

    def farewell(sent: list[str]) -> list[Statement]:
        asked.append(sent)
        return [statement(100 + i) for i, _ in enumerate(sent)] + [statement(200)]
    assert store.forget("lti-a", farewell) == 5  # profile, feedback, account, two outbox rows
    assert asked == [[statement(1).id]]
    assert store.count_rows("lti-a") == 0 and store.lms_account("lti-a") is None
    now = utcnow()
    waiting = store.claim_statements(now, 10, now + timedelta(seconds=30))
    assert [q.id for q in waiting] == [statement(3).id, statement(100).id, statement(200).id]
    assert [q.learner_id for q in waiting] == ["b", None, None]
    # A learner-less row the LRS took is done and goes; a row forgotten while it travelled reports False.
    assert store.mark_sent(waiting[1].row, now) and store.mark_sent(waiting[2].row, now)
    assert store.outbox_counts() == {"waiting": 1, "sent": 0, "refused": 0}
    store.forget("b")
    assert not store.mark_sent(waiting[0].row, now)


def test_launch_state_expires_and_a_nonce_is_taken_once(backend):
    open_store, _ = backend
    store = open_store()
    now = utcnow()
    store.put_launch_state("lti1p3-nonce-n1", "true", now + timedelta(seconds=60))
    store.put_launch_state("lti1p3-state-s1", '{"x": 1}', now + timedelta(seconds=60))
    assert store.get_launch_state("lti1p3-state-s1", now) == '{"x": 1}'
    assert store.get_launch_state("lti1p3-state-s1", now + timedelta(seconds=61)) is None
    assert store.take_launch_state("lti1p3-nonce-n1", now) == "true"
    assert store.take_launch_state("lti1p3-nonce-n1", now) is None
    store.put_launch_state("lti1p3-nonce-n2", "true", now + timedelta(seconds=60))
    assert store.take_launch_state("lti1p3-nonce-n2", now + timedelta(seconds=61)) is None


def test_a_launch_records_the_account_with_the_profile_and_export_shows_both(backend):
    open_store, _ = backend
    store = open_store()
    store.record_launch(account(), LearnerProfile(learner_id="lti-a", topics={"Rust": 0.6}))
    store.record_launch(account().model_copy(update={"roles": ["Instructor"]}),
                        LearnerProfile(learner_id="lti-a", topics={"Rust": 0.6}))
    exported = store.export("lti-a")
    assert exported.lms_account.roles == ["Instructor"] and exported.lms_account.subject == "42"
    assert exported.profile.topics == {"Rust": 0.6}
    assert store.count_rows("lti-a") == 2


def test_a_database_of_the_previous_version_is_upgraded_keeping_its_rows(backend):
    open_store, write_old = backend
    write_old()
    store = open_store()
    assert store.get("old").topics == {"SQL": 1.0} and store.positive_events() == [("old", "r1", 1.0)]
    store.record_feedback(store.get("old"), "r2", "completed", [statement(1)])
    assert store.outbox_counts()["waiting"] == 1 and store.feedback_count() == 2
