"""The shared learner store: PostgreSQL through psycopg 3, for several app replicas serving the same learners.

The same tables and the same rules as the SQLite store: one transaction per event, every query scoped to one learner
(the collaborative signal aside, which reads every learner's positive events), the schema upgraded in place. A
connection pool reconnects after a database restart; an event that arrives while the database is down is refused,
never half-written.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urlparse

import psycopg
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

from assistant.errors import ConfigurationError
from assistant.profile.schema import LearnerProfile, utcnow
from assistant.profile.store import (
    POSITIVE_WEIGHT, TABLES, Farewell, FeedbackEvent, LearnerExport, LMSAccount, QueuedStatement, Statement,
)

CONNECT_TIMEOUT_S = 5
_SCHEMA = """
CREATE TABLE IF NOT EXISTS profiles (
    learner_id TEXT PRIMARY KEY,
    profile_json TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE IF NOT EXISTS turns (
    id BIGSERIAL PRIMARY KEY,
    learner_id TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('learner', 'assistant')),
    text TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS turns_by_learner ON turns (learner_id, id);
CREATE TABLE IF NOT EXISTS feedback (
    id BIGSERIAL PRIMARY KEY,
    learner_id TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_by_learner ON feedback (learner_id, id);
-- Added when follow-ups started reading the last reply's facts: upgraded in place, rows kept.
ALTER TABLE turns ADD COLUMN IF NOT EXISTS reply_json TEXT;
-- Added with LTI launches and xAPI statements: new tables beside the old, rows kept.
CREATE TABLE IF NOT EXISTS lms_accounts (
    learner_id TEXT PRIMARY KEY,
    account JSONB NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE IF NOT EXISTS xapi_outbox (
    id BIGSERIAL PRIMARY KEY,
    statement_id TEXT NOT NULL UNIQUE,
    learner_id TEXT,
    statement JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    sent_at TIMESTAMPTZ,
    refused BOOLEAN NOT NULL DEFAULT FALSE,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS xapi_outbox_due ON xapi_outbox (next_attempt_at) WHERE sent_at IS NULL AND NOT refused;
CREATE INDEX IF NOT EXISTS xapi_outbox_by_learner ON xapi_outbox (learner_id, id);
CREATE TABLE IF NOT EXISTS lti_launch_state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
"""


class StoreUnreachable(ConfigurationError):
    """The database cannot be reached or refuses the login; the message names the host and port."""


def _where(url: str) -> str:
    parsed = urlparse(url)
    return f"{parsed.hostname or 'localhost'}:{parsed.port or 5432}/{parsed.path.lstrip('/') or '(default)'}"


class PostgresStore:
    def __init__(self, url: str, max_connections: int = 8):
        self.url = url
        try:  # fail at start, in one line naming the address, rather than on a learner's first turn
            with psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S) as conn, conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(42424242)")  # replicas starting at once upgrade in turn
                conn.execute(_SCHEMA)
        except psycopg.Error as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise StoreUnreachable(f"Cannot use the PostgreSQL learner store at {_where(url)}: {reason}") from exc
        self._pool = ConnectionPool(url, min_size=1, max_size=max_connections, open=True,
                                    kwargs={"connect_timeout": CONNECT_TIMEOUT_S, "autocommit": True},
                                    check=ConnectionPool.check_connection)

    def _one(self, sql: str, params: tuple) -> tuple | None:
        with self._pool.connection() as conn:
            return conn.execute(sql, params).fetchone()

    def _all(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._pool.connection() as conn:
            return conn.execute(sql, params).fetchall()

    def get(self, learner_id: str) -> LearnerProfile | None:
        row = self._one("SELECT profile_json FROM profiles WHERE learner_id = %s", (learner_id,))
        return LearnerProfile.model_validate_json(row[0]) if row else None

    @staticmethod
    def _save(conn: psycopg.Connection, profile: LearnerProfile) -> None:
        conn.execute(
            "INSERT INTO profiles (learner_id, profile_json, updated_at) VALUES (%s, %s, %s) "
            "ON CONFLICT (learner_id) DO UPDATE SET profile_json = EXCLUDED.profile_json, "
            "updated_at = EXCLUDED.updated_at",
            (profile.learner_id, profile.model_dump_json(), profile.updated_at))

    def save(self, profile: LearnerProfile) -> None:
        with self._pool.connection() as conn, conn.transaction():
            self._save(conn, profile)

    def record_turn(self, profile: LearnerProfile, message: str) -> None:
        """The learner's message and the profile it produced, committed together."""
        with self._pool.connection() as conn, conn.transaction():
            conn.execute("INSERT INTO turns (learner_id, role, text, created_at) VALUES (%s, 'learner', %s, %s)",
                         (profile.learner_id, message, utcnow()))
            self._save(conn, profile)

    def record_reply(self, learner_id: str, text: str, reply_json: str | None = None,
                     statements: Sequence[Statement] = ()) -> None:
        with self._pool.connection() as conn, conn.transaction():
            conn.execute("INSERT INTO turns (learner_id, role, text, reply_json, created_at) "
                         "VALUES (%s, 'assistant', %s, %s, %s)", (learner_id, text, reply_json, utcnow()))
            self._enqueue(conn, statements, learner_id)

    def history(self, learner_id: str, limit: int = 20) -> list[tuple[str, str]]:
        """The learner's last turns, oldest first, as (role, text)."""
        rows = self._all("SELECT role, text FROM turns WHERE learner_id = %s ORDER BY id DESC LIMIT %s",
                         (learner_id, limit))
        return [(r, t) for r, t in reversed(rows)]

    def last_reply(self, learner_id: str) -> str | None:
        row = self._one("SELECT reply_json FROM turns WHERE learner_id = %s AND role = 'assistant' "
                        "AND reply_json IS NOT NULL ORDER BY id DESC LIMIT 1", (learner_id,))
        return row[0] if row else None

    def record_feedback(self, profile: LearnerProfile, resource_id: str, kind: str,
                        statements: Sequence[Statement] = ()) -> FeedbackEvent:
        """The event, the profile it changed and its statements, committed together."""
        event = FeedbackEvent(learner_id=profile.learner_id, resource_id=resource_id, kind=kind, created_at=utcnow())
        with self._pool.connection() as conn, conn.transaction():
            conn.execute("INSERT INTO feedback (learner_id, resource_id, kind, created_at) VALUES (%s, %s, %s, %s)",
                         (event.learner_id, resource_id, kind, event.created_at))
            self._save(conn, profile)
            self._enqueue(conn, statements, profile.learner_id)
        return event

    def positive_events(self) -> list[tuple[str, str, float]]:
        """(learner, resource, weight) for every positive event: the collaborative signal's training data."""
        rows = self._all("SELECT learner_id, resource_id, kind FROM feedback WHERE kind = ANY(%s)",
                         (list(POSITIVE_WEIGHT),))
        return [(learner, resource, POSITIVE_WEIGHT[kind]) for learner, resource, kind in rows]

    def feedback_count(self) -> int:
        return self._one("SELECT COUNT(*) FROM feedback", ())[0]

    def export(self, learner_id: str) -> LearnerExport:
        with self._pool.connection() as conn, conn.transaction():  # one snapshot of the learner
            row = conn.execute("SELECT profile_json FROM profiles WHERE learner_id = %s", (learner_id,)).fetchone()
            turns = conn.execute("SELECT role, text, created_at FROM turns WHERE learner_id = %s ORDER BY id",
                                 (learner_id,)).fetchall()
            events = conn.execute("SELECT resource_id, kind, created_at FROM feedback WHERE learner_id = %s "
                                  "ORDER BY id", (learner_id,)).fetchall()
            account = conn.execute("SELECT account FROM lms_accounts WHERE learner_id = %s", (learner_id,)).fetchone()
            statements = conn.execute("SELECT statement, sent_at, refused FROM xapi_outbox WHERE learner_id = %s "
                                      "ORDER BY id", (learner_id,)).fetchall()
        return LearnerExport(
            profile=LearnerProfile.model_validate_json(row[0]) if row else None,
            turns=[{"role": r, "text": t, "created_at": c.isoformat()} for r, t, c in turns],
            feedback=[FeedbackEvent(learner_id=learner_id, resource_id=r, kind=k, created_at=c) for r, k, c in events],
            lms_account=LMSAccount.model_validate(account[0]) if account else None,
            statements=[{"statement": body, "status": _status(sent, refused)} for body, sent, refused in statements],
        )

    def forget(self, learner_id: str, farewell: Farewell | None = None) -> int:
        """Delete every row of this learner in one transaction; returns how many rows went. `farewell` gets the
        ids of their statements the LRS has, and its statements (voiding them) are queued in the same transaction,
        tied to no learner."""
        removed = 0
        with self._pool.connection() as conn, conn.transaction():
            sent = [r[0] for r in conn.execute("SELECT statement_id FROM xapi_outbox WHERE learner_id = %s "
                                               "AND sent_at IS NOT NULL ORDER BY id", (learner_id,)).fetchall()]
            for table in TABLES:
                removed += conn.execute(f"DELETE FROM {table} WHERE learner_id = %s", (learner_id,)).rowcount
            if farewell is not None:
                self._enqueue(conn, farewell(sent), None)
        return removed

    def count_rows(self, learner_id: str) -> int:
        return sum(self._one(f"SELECT COUNT(*) FROM {t} WHERE learner_id = %s", (learner_id,))[0] for t in TABLES)

    def record_launch(self, account: LMSAccount, profile: LearnerProfile) -> None:
        """The learner's LMS account from this launch and their (possibly seeded) profile, committed together."""
        with self._pool.connection() as conn, conn.transaction():
            conn.execute("INSERT INTO lms_accounts (learner_id, account, updated_at) VALUES (%s, %s, %s) "
                         "ON CONFLICT (learner_id) DO UPDATE SET account = EXCLUDED.account, "
                         "updated_at = EXCLUDED.updated_at",
                         (account.learner_id, Jsonb(account.model_dump(mode="json")), account.launched_at))
            self._save(conn, profile)

    def lms_account(self, learner_id: str) -> LMSAccount | None:
        row = self._one("SELECT account FROM lms_accounts WHERE learner_id = %s", (learner_id,))
        return LMSAccount.model_validate(row[0]) if row else None

    def put_launch_state(self, key: str, value: str, expires_at: datetime) -> None:
        with self._pool.connection() as conn, conn.transaction():
            conn.execute("DELETE FROM lti_launch_state WHERE expires_at <= %s", (utcnow(),))
            conn.execute("INSERT INTO lti_launch_state (key, value, expires_at) VALUES (%s, %s, %s) "
                         "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at",
                         (key, value, expires_at))

    def get_launch_state(self, key: str, now: datetime) -> str | None:
        row = self._one("SELECT value FROM lti_launch_state WHERE key = %s AND expires_at > %s", (key, now))
        return row[0] if row else None

    def take_launch_state(self, key: str, now: datetime) -> str | None:
        """The value, removed in the same statement: of two replicas taking the same key, one finds it."""
        row = self._one("DELETE FROM lti_launch_state WHERE key = %s RETURNING value, expires_at", (key,))
        return row[0] if row and row[1] > now else None

    def enqueue(self, statements: Sequence[Statement]) -> None:
        """Statements tied to no learner (a late voiding one), due at once."""
        with self._pool.connection() as conn, conn.transaction():
            self._enqueue(conn, statements, None)

    def claim_statements(self, now: datetime, limit: int, lease_until: datetime) -> list[QueuedStatement]:
        """Due statements, oldest first, each put off until `lease_until`; rows another replica is claiming are
        skipped, not waited for."""
        rows = self._all(
            "UPDATE xapi_outbox SET next_attempt_at = %s, attempts = attempts + 1 WHERE id IN (SELECT id FROM "
            "xapi_outbox WHERE sent_at IS NULL AND NOT refused AND next_attempt_at <= %s ORDER BY id LIMIT %s "
            "FOR UPDATE SKIP LOCKED) RETURNING id, statement_id, learner_id, statement, attempts",
            (lease_until, now, limit))
        return [QueuedStatement(row=r, id=i, learner_id=learner, body=body, attempts=a)
                for r, i, learner, body, a in sorted(rows)]

    def mark_sent(self, row: int, now: datetime) -> bool:
        """Record that the LRS has it (a learner-less row is done and goes); False when the row is gone already,
        because its learner was forgotten while it was on its way."""
        with self._pool.connection() as conn, conn.transaction():
            if conn.execute("UPDATE xapi_outbox SET sent_at = %s, last_error = NULL "
                            "WHERE id = %s AND learner_id IS NOT NULL", (now, row)).rowcount:
                return True
            return conn.execute("DELETE FROM xapi_outbox WHERE id = %s AND learner_id IS NULL", (row,)).rowcount == 1

    def put_off(self, row: int, until: datetime, error: str, refused: bool = False) -> None:
        with self._pool.connection() as conn:
            conn.execute("UPDATE xapi_outbox SET next_attempt_at = %s, last_error = %s, refused = %s WHERE id = %s",
                         (until, error[:1000], refused, row))

    def outbox_counts(self) -> dict[str, int]:
        counts = {"waiting": 0, "sent": 0, "refused": 0}
        for sent, refused, n in self._all("SELECT sent_at IS NOT NULL, refused, COUNT(*) FROM xapi_outbox "
                                          "GROUP BY 1, 2"):
            counts[_status(sent, refused)] += n
        return counts

    @staticmethod
    def _enqueue(conn: psycopg.Connection, statements: Sequence[Statement], learner_id: str | None) -> None:
        now = utcnow()
        with conn.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO xapi_outbox (statement_id, learner_id, statement, created_at, next_attempt_at) "
                "VALUES (%s, %s, %s, %s, %s)", [(s.id, learner_id, Jsonb(s.body), now, now) for s in statements])

    def close(self) -> None:
        self._pool.close()


def _status(sent: object, refused: object) -> str:
    return "sent" if sent else "refused" if refused else "waiting"
