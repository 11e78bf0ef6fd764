"""The shared learner store: PostgreSQL through psycopg 3, for several app replicas serving the same learners.

The same tables and the same rules as the SQLite store: one transaction per event, every query scoped to one learner
(the collaborative signal aside, which reads every learner's positive events), the schema upgraded in place. A
connection pool reconnects after a database restart; an event that arrives while the database is down is refused,
never half-written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from urllib.parse import urlparse

import psycopg
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

from assistant.errors import ConfigurationError
from assistant.profile.schema import LearnerProfile, utcnow
from assistant.profile.store import (
    EARLIER_SESSION,
    POSITIVE_WEIGHT,
    TABLES,
    Farewell,
    FeedbackEvent,
    LearnerExport,
    LMSAccount,
    QueuedStatement,
    SessionSummary,
    Statement,
    StoredTurn,
    TurnBucket,
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
-- Added with conversation history: turns stored before it become one earlier session per learner.
ALTER TABLE turns ADD COLUMN IF NOT EXISTS session_id TEXT;
CREATE INDEX IF NOT EXISTS turns_by_session ON turns (learner_id, session_id, id);
CREATE INDEX IF NOT EXISTS turns_by_time ON turns (created_at);
CREATE INDEX IF NOT EXISTS feedback_by_time ON feedback (created_at);
CREATE TABLE IF NOT EXISTS sessions (
    learner_id TEXT NOT NULL,
    id TEXT NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (learner_id, id)
);
INSERT INTO sessions (learner_id, id, started_at)
    SELECT learner_id, '{earlier}', MIN(created_at) FROM turns WHERE session_id IS NULL GROUP BY learner_id
    ON CONFLICT DO NOTHING;
UPDATE turns SET session_id = '{earlier}' WHERE session_id IS NULL;
-- Added with fair-use limits: one row per counted turn and bucket, pruned as they leave the window.
CREATE TABLE IF NOT EXISTS turn_counts (
    id BIGSERIAL PRIMARY KEY,
    bucket TEXT NOT NULL,
    learner_id TEXT,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS turn_counts_by_bucket ON turn_counts (bucket, created_at);
CREATE INDEX IF NOT EXISTS turn_counts_by_learner ON turn_counts (learner_id);
""".replace("{earlier}", EARLIER_SESSION)


class StoreUnreachable(ConfigurationError):
    """The database cannot be reached or refuses the login; the message names the host and port."""


def _where(url: str) -> str:
    parsed = urlparse(url)
    return f"{parsed.hostname or 'localhost'}:{parsed.port or 5432}/{parsed.path.lstrip('/') or '(default)'}"


class PostgresStore:
    """PostgreSQL implementation of LearnerStore. `clock` stamps turns, feedback and fair-use counts (tests set it)."""

    def __init__(self, url: str, max_connections: int = 8, clock: Callable[[], datetime] = utcnow):
        self.url = url
        self.clock = clock
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

    @staticmethod
    def _open_session(conn: psycopg.Connection, learner_id: str, session_id: str | None, now: datetime) -> None:
        if session_id is not None:
            conn.execute("INSERT INTO sessions (learner_id, id, started_at) VALUES (%s, %s, %s) "
                         "ON CONFLICT DO NOTHING", (learner_id, session_id, now))

    def record_turn(self, profile: LearnerProfile, message: str, session_id: str | None = None) -> None:
        """The learner's message and the profile it produced (and the session, when it is the first), together."""
        now = self.clock()
        with self._pool.connection() as conn, conn.transaction():
            self._open_session(conn, profile.learner_id, session_id, now)
            conn.execute("INSERT INTO turns (learner_id, role, text, created_at, session_id) "
                         "VALUES (%s, 'learner', %s, %s, %s)", (profile.learner_id, message, now, session_id))
            self._save(conn, profile)

    def record_reply(self, learner_id: str, text: str, reply_json: str | None = None,
                     statements: Sequence[Statement] = (), session_id: str | None = None) -> None:
        now = self.clock()
        with self._pool.connection() as conn, conn.transaction():
            self._open_session(conn, learner_id, session_id, now)
            conn.execute("INSERT INTO turns (learner_id, role, text, reply_json, created_at, session_id) "
                         "VALUES (%s, 'assistant', %s, %s, %s, %s)", (learner_id, text, reply_json, now, session_id))
            self._enqueue(conn, statements, learner_id)

    def history(self, learner_id: str, limit: int = 20, session_id: str | None = None) -> list[tuple[str, str]]:
        """The learner's last turns (of one session, when named), oldest first, as (role, text)."""
        rows = self._all("SELECT role, text FROM turns WHERE learner_id = %s AND (%s::text IS NULL OR "
                         "session_id = %s) ORDER BY id DESC LIMIT %s", (learner_id, session_id, session_id, limit))
        return [(r, t) for r, t in reversed(rows)]

    def last_reply(self, learner_id: str, session_id: str | None = None) -> str | None:
        row = self._one("SELECT reply_json FROM turns WHERE learner_id = %s AND role = 'assistant' "
                        "AND reply_json IS NOT NULL AND (%s::text IS NULL OR session_id = %s) ORDER BY id DESC LIMIT 1",
                        (learner_id, session_id, session_id))
        return row[0] if row else None

    def latest_session(self, learner_id: str) -> str | None:
        """The session of the learner's latest turn."""
        row = self._one("SELECT session_id FROM turns WHERE learner_id = %s AND session_id IS NOT NULL "
                        "ORDER BY id DESC LIMIT 1", (learner_id,))
        return row[0] if row else None

    def sessions(self, learner_id: str, limit: int = 50) -> list[SessionSummary]:
        """The learner's conversations, latest activity first, each with its first message."""
        rows = self._all(
            "SELECT s.id, s.started_at, MAX(t.created_at), COUNT(*) FILTER (WHERE t.role = 'learner'), "
            "(SELECT f.text FROM turns f WHERE f.learner_id = s.learner_id AND f.session_id = s.id "
            " AND f.role = 'learner' ORDER BY f.id LIMIT 1) "
            "FROM sessions s JOIN turns t ON t.learner_id = s.learner_id AND t.session_id = s.id "
            "WHERE s.learner_id = %s GROUP BY s.learner_id, s.id, s.started_at ORDER BY MAX(t.id) DESC LIMIT %s",
            (learner_id, limit))
        return [SessionSummary(id=i, started_at=start, last_at=last, first_message=first or "", turns=n)
                for i, start, last, n, first in rows]

    def session_turns(self, learner_id: str, session_id: str) -> list[StoredTurn] | None:
        """One conversation's turns in order; None when the learner has no such session."""
        with self._pool.connection() as conn, conn.transaction():
            if conn.execute("SELECT 1 FROM sessions WHERE learner_id = %s AND id = %s",
                            (learner_id, session_id)).fetchone() is None:
                return None
            rows = conn.execute("SELECT role, text, created_at, reply_json FROM turns WHERE learner_id = %s "
                                "AND session_id = %s ORDER BY id", (learner_id, session_id)).fetchall()
        return [StoredTurn(role=r, text=t, created_at=c, reply_json=j) for r, t, c, j in rows]

    def delete_session(self, learner_id: str, session_id: str) -> int:
        """One conversation and its turns, in one transaction; returns how many rows went."""
        with self._pool.connection() as conn, conn.transaction():
            removed = conn.execute("DELETE FROM turns WHERE learner_id = %s AND session_id = %s",
                                   (learner_id, session_id)).rowcount
            removed += conn.execute("DELETE FROM sessions WHERE learner_id = %s AND id = %s",
                                    (learner_id, session_id)).rowcount
        return removed

    def feedback_given(self, learner_id: str) -> dict[str, str]:
        """Resource id -> the learner's latest reaction to it (an opened link is not a reaction)."""
        return dict(self._all("SELECT resource_id, kind FROM feedback WHERE learner_id = %s AND kind <> 'opened' "
                              "ORDER BY id", (learner_id,)))

    def record_feedback(self, profile: LearnerProfile, resource_id: str, kind: str,
                        statements: Sequence[Statement] = ()) -> FeedbackEvent:
        """The event, the profile it changed and its statements, committed together."""
        event = FeedbackEvent(learner_id=profile.learner_id, resource_id=resource_id, kind=kind,
                              created_at=self.clock())
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
            turns = conn.execute("SELECT role, text, created_at, session_id FROM turns WHERE learner_id = %s "
                                 "ORDER BY id", (learner_id,)).fetchall()
            sessions = conn.execute("SELECT id, started_at FROM sessions WHERE learner_id = %s ORDER BY started_at, id",
                                    (learner_id,)).fetchall()
            counted = conn.execute("SELECT created_at FROM turn_counts WHERE learner_id = %s ORDER BY id",
                                   (learner_id,)).fetchall()
            events = conn.execute("SELECT resource_id, kind, created_at FROM feedback WHERE learner_id = %s "
                                  "ORDER BY id", (learner_id,)).fetchall()
            account = conn.execute("SELECT account FROM lms_accounts WHERE learner_id = %s", (learner_id,)).fetchone()
            statements = conn.execute("SELECT statement, sent_at, refused FROM xapi_outbox WHERE learner_id = %s "
                                      "ORDER BY id", (learner_id,)).fetchall()
        return LearnerExport(
            profile=LearnerProfile.model_validate_json(row[0]) if row else None,
            turns=[{"role": r, "text": t, "session_id": s, "created_at": c.isoformat()} for r, t, c, s in turns],
            feedback=[FeedbackEvent(learner_id=learner_id, resource_id=r, kind=k, created_at=c) for r, k, c in events],
            lms_account=LMSAccount.model_validate(account[0]) if account else None,
            statements=[{"statement": body, "status": _status(sent, refused)} for body, sent, refused in statements],
            sessions=[{"id": i, "started_at": started.isoformat()} for i, started in sessions],
            counted_turns=[c for (c,) in counted],
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

    def sweep(self, before: datetime) -> dict[str, int]:
        """Delete turns and feedback events older than `before`, and conversations left empty; one transaction per
        learner, so a sweep never holds the store for long. Profiles, LMS accounts and statements stay."""
        learners = [row[0] for row in self._all(
            "SELECT learner_id FROM turns WHERE created_at < %(cut)s UNION SELECT learner_id FROM feedback "
            "WHERE created_at < %(cut)s UNION SELECT learner_id FROM sessions WHERE started_at < %(cut)s",
            {"cut": before})]
        removed = {"turns": 0, "feedback": 0, "sessions": 0}
        for learner in learners:
            with self._pool.connection() as conn, conn.transaction():
                for table in ("turns", "feedback"):
                    removed[table] += conn.execute(f"DELETE FROM {table} WHERE learner_id = %s AND created_at < %s",
                                                   (learner, before)).rowcount
                removed["sessions"] += conn.execute(
                    "DELETE FROM sessions s WHERE s.learner_id = %s AND s.started_at < %s AND NOT EXISTS (SELECT 1 "
                    "FROM turns t WHERE t.learner_id = s.learner_id AND t.session_id = s.id)",
                    (learner, before)).rowcount
        return removed

    def count_turn(self, buckets: Sequence[TurnBucket], now: datetime, window_s: float) -> float | None:
        """Count one turn in every bucket, in one transaction; when a bucket already holds its limit within the
        window, nothing is counted and the answer is the seconds until the fullest one has room. Replicas counting
        the same bucket take turns (an advisory lock per bucket, in name order so that two never wait on each
        other)."""
        window = timedelta(seconds=window_s)
        with self._pool.connection() as conn, conn.transaction():
            waits = []
            for bucket in sorted(buckets, key=lambda b: b.name):
                conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (bucket.name,))
                conn.execute("DELETE FROM turn_counts WHERE bucket = %s AND created_at <= %s",
                             (bucket.name, now - window))
                held = conn.execute("SELECT COUNT(*) FROM turn_counts WHERE bucket = %s", (bucket.name,)).fetchone()[0]
                if held >= bucket.limit:
                    oldest = conn.execute("SELECT created_at FROM turn_counts WHERE bucket = %s ORDER BY created_at "
                                          "LIMIT 1 OFFSET %s", (bucket.name, held - bucket.limit)).fetchone()[0]
                    waits.append((oldest + window - now).total_seconds())
            if waits:
                return max(waits)
            with conn.cursor() as cursor:
                cursor.executemany("INSERT INTO turn_counts (bucket, learner_id, created_at) VALUES (%s, %s, %s)",
                                   [(b.name, b.learner_id, now) for b in buckets])
        return None

    def reply_log(self, since: datetime | None = None) -> list[tuple[datetime, str]]:
        """(when, reply JSON) of every stored reply, oldest first; no learner ids."""
        return [(c, j) for c, j in self._all(
            "SELECT created_at, reply_json FROM turns WHERE role = 'assistant' AND reply_json IS NOT NULL AND "
            "(%(since)s::timestamptz IS NULL OR created_at >= %(since)s) ORDER BY id", {"since": since})]

    def feedback_log(self, since: datetime | None = None) -> list[tuple[datetime, str, str]]:
        """(when, resource id, kind) of every feedback event, oldest first; no learner ids."""
        return [(c, r, k) for c, r, k in self._all(
            "SELECT created_at, resource_id, kind FROM feedback WHERE (%(since)s::timestamptz IS NULL OR "
            "created_at >= %(since)s) ORDER BY id", {"since": since})]

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
