"""The embedded learner store: SQLite in WAL mode, one connection shared by the server's worker threads."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from assistant.profile.schema import LearnerProfile, utcnow
from assistant.profile.store import (
    POSITIVE_WEIGHT, TABLES, Farewell, FeedbackEvent, LearnerExport, LMSAccount, QueuedStatement, Statement,
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS profiles (
    learner_id TEXT PRIMARY KEY,
    profile_json TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    learner_id TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('learner', 'assistant')),
    text TEXT NOT NULL,
    reply_json TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS turns_by_learner ON turns (learner_id, id);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    learner_id TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_by_learner ON feedback (learner_id, id);
CREATE TABLE IF NOT EXISTS lms_accounts (
    learner_id TEXT PRIMARY KEY,
    account_json TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS xapi_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    statement_id TEXT NOT NULL UNIQUE,
    learner_id TEXT,
    statement_json TEXT NOT NULL,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    sent_at TEXT,
    refused INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS xapi_outbox_due ON xapi_outbox (sent_at, refused, next_attempt_at);
CREATE INDEX IF NOT EXISTS xapi_outbox_by_learner ON xapi_outbox (learner_id, id);
CREATE TABLE IF NOT EXISTS lti_launch_state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
"""


def _ts(moment: datetime) -> str:
    """UTC ISO text, so that comparing the text compares the times."""
    return moment.astimezone(timezone.utc).isoformat()


class SQLiteStore:
    """SQLite implementation of LearnerStore."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        # FULL: an acknowledged event survives a power cut, not only a killed process.
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.executescript(_SCHEMA)
        self._upgrade()
        self._lock = threading.Lock()

    def _upgrade(self) -> None:
        """Bring a database written by an earlier version up to the current schema, keeping every row."""
        columns = {row[1] for row in self._conn.execute("PRAGMA table_info(turns)")}
        if "reply_json" not in columns:  # added when follow-ups started reading the last reply's facts
            self._conn.execute("ALTER TABLE turns ADD COLUMN reply_json TEXT")

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One transaction. The connection is in autocommit mode, where `with conn:` would commit each statement
        on its own: an event and its statements would not stand or fall together."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def get(self, learner_id: str) -> LearnerProfile | None:
        with self._lock:
            row = self._conn.execute("SELECT profile_json FROM profiles WHERE learner_id = ?", (learner_id,)).fetchone()
        return LearnerProfile.model_validate_json(row[0]) if row else None

    def save(self, profile: LearnerProfile) -> None:
        with self._transaction():
            self._save(profile)

    def record_turn(self, profile: LearnerProfile, message: str) -> None:
        """The learner's message and the profile it produced, committed together."""
        with self._transaction():
            self._conn.execute("INSERT INTO turns (learner_id, role, text, created_at) VALUES (?, 'learner', ?, ?)",
                               (profile.learner_id, message, utcnow().isoformat()))
            self._save(profile)

    def record_reply(self, learner_id: str, text: str, reply_json: str | None = None,
                     statements: Sequence[Statement] = ()) -> None:
        with self._transaction():
            self._conn.execute(
                "INSERT INTO turns (learner_id, role, text, reply_json, created_at) VALUES (?, 'assistant', ?, ?, ?)",
                (learner_id, text, reply_json, utcnow().isoformat()),
            )
            self._enqueue(statements, learner_id)

    def history(self, learner_id: str, limit: int = 20) -> list[tuple[str, str]]:
        """The learner's last turns, oldest first, as (role, text)."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT role, text FROM turns WHERE learner_id = ? ORDER BY id DESC LIMIT ?", (learner_id, limit)
            ).fetchall()
        return [(r, t) for r, t in reversed(rows)]

    def last_reply(self, learner_id: str) -> str | None:
        """The structured JSON of the assistant's last reply to this learner, if any."""
        with self._lock:
            row = self._conn.execute(
                "SELECT reply_json FROM turns WHERE learner_id = ? AND role = 'assistant' AND reply_json IS NOT NULL "
                "ORDER BY id DESC LIMIT 1", (learner_id,)).fetchone()
        return row[0] if row else None

    def record_feedback(self, profile: LearnerProfile, resource_id: str, kind: str,
                        statements: Sequence[Statement] = ()) -> FeedbackEvent:
        """The event, the profile it changed and its statements, committed together."""
        event = FeedbackEvent(learner_id=profile.learner_id, resource_id=resource_id, kind=kind, created_at=utcnow())
        with self._transaction():
            self._conn.execute("INSERT INTO feedback (learner_id, resource_id, kind, created_at) VALUES (?, ?, ?, ?)",
                               (event.learner_id, resource_id, kind, event.created_at.isoformat()))
            self._save(profile)
            self._enqueue(statements, profile.learner_id)
        return event

    def positive_events(self) -> list[tuple[str, str, float]]:
        """(learner, resource, weight) for every positive event: the collaborative signal's training data."""
        with self._lock:
            rows = self._conn.execute("SELECT learner_id, resource_id, kind FROM feedback").fetchall()
        return [(learner, resource, POSITIVE_WEIGHT[kind]) for learner, resource, kind in rows if kind in POSITIVE_WEIGHT]

    def feedback_count(self) -> int:
        with self._lock:
            return self._conn.execute("SELECT COUNT(*) FROM feedback").fetchone()[0]

    def export(self, learner_id: str) -> LearnerExport:
        with self._lock:
            turns = self._conn.execute(
                "SELECT role, text, created_at FROM turns WHERE learner_id = ? ORDER BY id", (learner_id,)).fetchall()
            events = self._conn.execute(
                "SELECT resource_id, kind, created_at FROM feedback WHERE learner_id = ? ORDER BY id",
                (learner_id,)).fetchall()
            statements = self._conn.execute(
                "SELECT statement_json, sent_at, refused FROM xapi_outbox WHERE learner_id = ? ORDER BY id",
                (learner_id,)).fetchall()
        return LearnerExport(
            profile=self.get(learner_id),
            turns=[{"role": r, "text": t, "created_at": c} for r, t, c in turns],
            feedback=[FeedbackEvent(learner_id=learner_id, resource_id=r, kind=k, created_at=c) for r, k, c in events],
            lms_account=self.lms_account(learner_id),
            statements=[{"statement": json.loads(body), "status": _status(sent, refused)}
                        for body, sent, refused in statements],
        )

    def forget(self, learner_id: str, farewell: Farewell | None = None) -> int:
        """Delete every row of this learner in one transaction; returns how many rows went. `farewell` gets the
        ids of their statements the LRS has, and its statements (voiding them) are queued in the same transaction,
        tied to no learner."""
        removed = 0
        with self._transaction():
            sent = [row[0] for row in self._conn.execute(
                "SELECT statement_id FROM xapi_outbox WHERE learner_id = ? AND sent_at IS NOT NULL ORDER BY id",
                (learner_id,))]
            for table in TABLES:
                removed += self._conn.execute(f"DELETE FROM {table} WHERE learner_id = ?", (learner_id,)).rowcount
            if farewell is not None:
                self._enqueue(farewell(sent), None)
        return removed

    def count_rows(self, learner_id: str) -> int:
        with self._lock:
            return sum(self._conn.execute(f"SELECT COUNT(*) FROM {t} WHERE learner_id = ?", (learner_id,)).fetchone()[0]
                       for t in TABLES)

    def record_launch(self, account: LMSAccount, profile: LearnerProfile) -> None:
        """The learner's LMS account from this launch and their (possibly seeded) profile, committed together."""
        with self._transaction():
            self._conn.execute(
                "INSERT INTO lms_accounts (learner_id, account_json, updated_at) VALUES (?, ?, ?) ON CONFLICT(learner_id) "
                "DO UPDATE SET account_json = excluded.account_json, updated_at = excluded.updated_at",
                (account.learner_id, account.model_dump_json(), _ts(account.launched_at)))
            self._save(profile)

    def lms_account(self, learner_id: str) -> LMSAccount | None:
        with self._lock:
            row = self._conn.execute("SELECT account_json FROM lms_accounts WHERE learner_id = ?",
                                     (learner_id,)).fetchone()
        return LMSAccount.model_validate_json(row[0]) if row else None

    def put_launch_state(self, key: str, value: str, expires_at: datetime) -> None:
        with self._transaction():
            self._conn.execute("DELETE FROM lti_launch_state WHERE expires_at <= ?", (_ts(utcnow()),))
            self._conn.execute("INSERT INTO lti_launch_state (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT(key) "
                               "DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at",
                               (key, value, _ts(expires_at)))

    def get_launch_state(self, key: str, now: datetime) -> str | None:
        with self._lock:
            row = self._conn.execute("SELECT value FROM lti_launch_state WHERE key = ? AND expires_at > ?",
                                     (key, _ts(now))).fetchone()
        return row[0] if row else None

    def take_launch_state(self, key: str, now: datetime) -> str | None:
        """The value, removed in the same statement: a second take of the same key finds nothing."""
        with self._transaction():
            row = self._conn.execute("DELETE FROM lti_launch_state WHERE key = ? RETURNING value, expires_at",
                                     (key,)).fetchone()
        return row[0] if row and row[1] > _ts(now) else None

    def enqueue(self, statements: Sequence[Statement]) -> None:
        """Statements tied to no learner (a late voiding one), due at once."""
        with self._transaction():
            self._enqueue(statements, None)

    def claim_statements(self, now: datetime, limit: int, lease_until: datetime) -> list[QueuedStatement]:
        """Due statements, oldest first, each put off until `lease_until` so another sender leaves them alone."""
        with self._transaction():
            rows = self._conn.execute(
                "UPDATE xapi_outbox SET next_attempt_at = ?, attempts = attempts + 1 WHERE id IN (SELECT id FROM "
                "xapi_outbox WHERE sent_at IS NULL AND refused = 0 AND next_attempt_at <= ? ORDER BY id LIMIT ?) "
                "RETURNING id, statement_id, learner_id, statement_json, attempts",
                (_ts(lease_until), _ts(now), limit)).fetchall()
        return [QueuedStatement(row=r, id=i, learner_id=learner, body=json.loads(body), attempts=a)
                for r, i, learner, body, a in sorted(rows)]

    def mark_sent(self, row: int, now: datetime) -> bool:
        """Record that the LRS has it (a learner-less row is done and goes); False when the row is gone already,
        because its learner was forgotten while it was on its way."""
        with self._transaction():
            if self._conn.execute("UPDATE xapi_outbox SET sent_at = ?, last_error = NULL "
                                  "WHERE id = ? AND learner_id IS NOT NULL", (_ts(now), row)).rowcount:
                return True
            return self._conn.execute("DELETE FROM xapi_outbox WHERE id = ? AND learner_id IS NULL",
                                      (row,)).rowcount == 1

    def put_off(self, row: int, until: datetime, error: str, refused: bool = False) -> None:
        with self._transaction():
            self._conn.execute("UPDATE xapi_outbox SET next_attempt_at = ?, last_error = ?, refused = ? WHERE id = ?",
                               (_ts(until), error[:1000], int(refused), row))

    def outbox_counts(self) -> dict[str, int]:
        with self._lock:
            rows = self._conn.execute("SELECT sent_at IS NOT NULL, refused, COUNT(*) FROM xapi_outbox "
                                      "GROUP BY 1, 2").fetchall()
        counts = {"waiting": 0, "sent": 0, "refused": 0}
        for sent, refused, n in rows:
            counts[_status(sent, refused)] += n
        return counts

    def _enqueue(self, statements: Sequence[Statement], learner_id: str | None) -> None:
        now = _ts(utcnow())
        self._conn.executemany(
            "INSERT INTO xapi_outbox (statement_id, learner_id, statement_json, created_at, next_attempt_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [(s.id, learner_id, json.dumps(s.body, ensure_ascii=False), now, now) for s in statements])

    def _save(self, profile: LearnerProfile) -> None:
        self._conn.execute(
            "INSERT INTO profiles (learner_id, profile_json, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT(learner_id) DO UPDATE SET profile_json = excluded.profile_json, updated_at = excluded.updated_at",
            (profile.learner_id, profile.model_dump_json(), profile.updated_at.isoformat()),
        )

    def close(self) -> None:
        self._conn.close()


def _status(sent: object, refused: object) -> str:
    return "sent" if sent else "refused" if refused else "waiting"
