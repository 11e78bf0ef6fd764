"""The shared learner store: PostgreSQL through psycopg 3, for several app replicas serving the same learners.

The same tables and the same rules as the SQLite store: one transaction per event, every query scoped to one learner
(the collaborative signal aside, which reads every learner's positive events), the schema upgraded in place. A
connection pool reconnects after a database restart; an event that arrives while the database is down is refused,
never half-written.
"""

from __future__ import annotations

from urllib.parse import urlparse

import psycopg
from psycopg_pool import ConnectionPool

from assistant.errors import ConfigurationError
from assistant.profile.schema import LearnerProfile, utcnow
from assistant.profile.store import POSITIVE_WEIGHT, TABLES, FeedbackEvent, LearnerExport

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

    def record_reply(self, learner_id: str, text: str, reply_json: str | None = None) -> None:
        with self._pool.connection() as conn:
            conn.execute("INSERT INTO turns (learner_id, role, text, reply_json, created_at) "
                         "VALUES (%s, 'assistant', %s, %s, %s)", (learner_id, text, reply_json, utcnow()))

    def history(self, learner_id: str, limit: int = 20) -> list[tuple[str, str]]:
        """The learner's last turns, oldest first, as (role, text)."""
        rows = self._all("SELECT role, text FROM turns WHERE learner_id = %s ORDER BY id DESC LIMIT %s",
                         (learner_id, limit))
        return [(r, t) for r, t in reversed(rows)]

    def last_reply(self, learner_id: str) -> str | None:
        row = self._one("SELECT reply_json FROM turns WHERE learner_id = %s AND role = 'assistant' "
                        "AND reply_json IS NOT NULL ORDER BY id DESC LIMIT 1", (learner_id,))
        return row[0] if row else None

    def record_feedback(self, profile: LearnerProfile, resource_id: str, kind: str) -> FeedbackEvent:
        """The event and the profile it changed, committed together."""
        event = FeedbackEvent(learner_id=profile.learner_id, resource_id=resource_id, kind=kind, created_at=utcnow())
        with self._pool.connection() as conn, conn.transaction():
            conn.execute("INSERT INTO feedback (learner_id, resource_id, kind, created_at) VALUES (%s, %s, %s, %s)",
                         (event.learner_id, resource_id, kind, event.created_at))
            self._save(conn, profile)
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
        return LearnerExport(
            profile=LearnerProfile.model_validate_json(row[0]) if row else None,
            turns=[{"role": r, "text": t, "created_at": c.isoformat()} for r, t, c in turns],
            feedback=[FeedbackEvent(learner_id=learner_id, resource_id=r, kind=k, created_at=c) for r, k, c in events],
        )

    def forget(self, learner_id: str) -> int:
        """Delete every row of this learner in one transaction; returns how many rows went."""
        removed = 0
        with self._pool.connection() as conn, conn.transaction():
            for table in TABLES:
                removed += conn.execute(f"DELETE FROM {table} WHERE learner_id = %s", (learner_id,)).rowcount
        return removed

    def count_rows(self, learner_id: str) -> int:
        return sum(self._one(f"SELECT COUNT(*) FROM {t} WHERE learner_id = %s", (learner_id,))[0] for t in TABLES)

    def close(self) -> None:
        self._pool.close()
