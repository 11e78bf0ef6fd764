"""The embedded learner store: SQLite in WAL mode, one connection shared by the server's worker threads."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

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
    StoreWriteError,
    TurnBucket,
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
    created_at TEXT NOT NULL,
    session_id TEXT
);
CREATE INDEX IF NOT EXISTS turns_by_learner ON turns (learner_id, id);
CREATE INDEX IF NOT EXISTS turns_by_time ON turns (created_at);
CREATE TABLE IF NOT EXISTS sessions (
    learner_id TEXT NOT NULL,
    id TEXT NOT NULL,
    started_at TEXT NOT NULL,
    PRIMARY KEY (learner_id, id)
);
CREATE TABLE IF NOT EXISTS turn_counts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    bucket TEXT NOT NULL,
    learner_id TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS turn_counts_by_bucket ON turn_counts (bucket, created_at);
CREATE INDEX IF NOT EXISTS turn_counts_by_learner ON turn_counts (learner_id);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    learner_id TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_by_learner ON feedback (learner_id, id);
CREATE INDEX IF NOT EXISTS feedback_by_time ON feedback (created_at);
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


def _time(text: str) -> datetime | None:
    """A stored timestamp read back; None for one an old version wrote in another shape."""
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class SQLiteStore:
    """SQLite implementation of LearnerStore. `clock` stamps turns, feedback and fair-use counts (tests set it)."""

    def __init__(self, path: Path, clock: Callable[[], datetime] = utcnow):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.clock = clock
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        # FULL: an acknowledged event survives a power cut, not only a killed process.
        self._conn.execute("PRAGMA synchronous=FULL")
        self._lock = threading.Lock()
        self._conn.executescript(_SCHEMA)
        self._upgrade()

    def _upgrade(self) -> None:
        """Bring a database written by an earlier version up to the current schema, keeping every row."""
        columns = {row[1] for row in self._conn.execute("PRAGMA table_info(turns)")}
        if "reply_json" not in columns:  # added when follow-ups started reading the last reply's facts
            self._conn.execute("ALTER TABLE turns ADD COLUMN reply_json TEXT")
        if "session_id" not in columns:  # added with conversation history
            self._conn.execute("ALTER TABLE turns ADD COLUMN session_id TEXT")
        self._conn.execute("CREATE INDEX IF NOT EXISTS turns_by_session ON turns (learner_id, session_id, id)")
        # Turns stored without a session become one earlier conversation per learner, so the history lists them.
        with self._transaction():
            self._conn.execute("INSERT OR IGNORE INTO sessions (learner_id, id, started_at) SELECT learner_id, ?, "
                               "MIN(created_at) FROM turns WHERE session_id IS NULL GROUP BY learner_id",
                               (EARLIER_SESSION,))
            self._conn.execute("UPDATE turns SET session_id = ? WHERE session_id IS NULL", (EARLIER_SESSION,))

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One transaction. The connection is in autocommit mode, where `with conn:` would commit each statement
        on its own: an event and its statements would not stand or fall together."""
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield
                    self._conn.execute("COMMIT")
                except BaseException:
                    if self._conn.in_transaction:  # a failed COMMIT may leave it open; the next BEGIN would fail
                        self._conn.execute("ROLLBACK")
                    raise
            except sqlite3.OperationalError as exc:
                raise StoreWriteError(f"The learner store could not save ({exc}); nothing stored before was lost. "
                                      "Retry once the server has disk space again.") from exc

    def get(self, learner_id: str) -> LearnerProfile | None:
        with self._lock:
            row = self._conn.execute("SELECT profile_json FROM profiles WHERE learner_id = ?", (learner_id,)).fetchone()
        return LearnerProfile.model_validate_json(row[0]) if row else None

    def save(self, profile: LearnerProfile) -> None:
        with self._transaction():
            self._save(profile)

    def record_turn(self, profile: LearnerProfile, message: str, session_id: str | None = None) -> None:
        """The learner's message and the profile it produced (and the session, when it is the first), together."""
        now = _ts(self.clock())
        with self._transaction():
            if session_id is not None:
                self._conn.execute("INSERT OR IGNORE INTO sessions (learner_id, id, started_at) VALUES (?, ?, ?)",
                                   (profile.learner_id, session_id, now))
            self._conn.execute("INSERT INTO turns (learner_id, role, text, created_at, session_id) "
                               "VALUES (?, 'learner', ?, ?, ?)", (profile.learner_id, message, now, session_id))
            self._save(profile)

    def record_reply(self, learner_id: str, text: str, reply_json: str | None = None,
                     statements: Sequence[Statement] = (), session_id: str | None = None) -> None:
        now = _ts(self.clock())
        with self._transaction():
            if session_id is not None:
                self._conn.execute("INSERT OR IGNORE INTO sessions (learner_id, id, started_at) VALUES (?, ?, ?)",
                                   (learner_id, session_id, now))
            self._conn.execute(
                "INSERT INTO turns (learner_id, role, text, reply_json, created_at, session_id) "
                "VALUES (?, 'assistant', ?, ?, ?, ?)", (learner_id, text, reply_json, now, session_id))
            self._enqueue(statements, learner_id)

    def history(self, learner_id: str, limit: int = 20, session_id: str | None = None) -> list[tuple[str, str]]:
        """The learner's last turns (of one session, when named), oldest first, as (role, text)."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT role, text FROM turns WHERE learner_id = ? AND (? IS NULL OR session_id = ?) "
                "ORDER BY id DESC LIMIT ?", (learner_id, session_id, session_id, limit)).fetchall()
        return [(r, t) for r, t in reversed(rows)]

    def last_reply(self, learner_id: str, session_id: str | None = None) -> str | None:
        """The structured JSON of the assistant's last reply to this learner (in one session, when named), if any."""
        with self._lock:
            row = self._conn.execute(
                "SELECT reply_json FROM turns WHERE learner_id = ? AND role = 'assistant' AND reply_json IS NOT NULL "
                "AND (? IS NULL OR session_id = ?) ORDER BY id DESC LIMIT 1",
                (learner_id, session_id, session_id)).fetchone()
        return row[0] if row else None

    def latest_session(self, learner_id: str) -> str | None:
        """The session of the learner's latest turn."""
        with self._lock:
            row = self._conn.execute("SELECT session_id FROM turns WHERE learner_id = ? AND session_id IS NOT NULL "
                                     "ORDER BY id DESC LIMIT 1", (learner_id,)).fetchone()
        return row[0] if row else None

    def sessions(self, learner_id: str, limit: int = 50) -> list[SessionSummary]:
        """The learner's conversations, latest activity first, each with its first message."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT s.id, s.started_at, MAX(t.created_at), SUM(t.role = 'learner'), "
                "(SELECT f.text FROM turns f WHERE f.learner_id = s.learner_id AND f.session_id = s.id "
                " AND f.role = 'learner' ORDER BY f.id LIMIT 1) "
                "FROM sessions s JOIN turns t ON t.learner_id = s.learner_id AND t.session_id = s.id "
                "WHERE s.learner_id = ? GROUP BY s.id, s.started_at ORDER BY MAX(t.id) DESC LIMIT ?",
                (learner_id, limit)).fetchall()
        return [SessionSummary(id=i, started_at=_time(start) or _time(last) or utcnow(),
                               last_at=_time(last) or utcnow(), first_message=first or "", turns=n)
                for i, start, last, n, first in rows]

    def session_turns(self, learner_id: str, session_id: str) -> list[StoredTurn] | None:
        """One conversation's turns in order; None when the learner has no such session."""
        with self._lock:
            if self._conn.execute("SELECT 1 FROM sessions WHERE learner_id = ? AND id = ?",
                                  (learner_id, session_id)).fetchone() is None:
                return None
            rows = self._conn.execute("SELECT role, text, created_at, reply_json FROM turns WHERE learner_id = ? "
                                      "AND session_id = ? ORDER BY id", (learner_id, session_id)).fetchall()
        return [StoredTurn(role=r, text=t, created_at=_time(c) or utcnow(), reply_json=j) for r, t, c, j in rows]

    def delete_session(self, learner_id: str, session_id: str) -> int:
        """One conversation and its turns, in one transaction; returns how many rows went."""
        with self._transaction():
            removed = self._conn.execute("DELETE FROM turns WHERE learner_id = ? AND session_id = ?",
                                         (learner_id, session_id)).rowcount
            removed += self._conn.execute("DELETE FROM sessions WHERE learner_id = ? AND id = ?",
                                          (learner_id, session_id)).rowcount
        return removed

    def feedback_given(self, learner_id: str) -> dict[str, str]:
        """Resource id -> the learner's latest reaction to it (an opened link is not a reaction)."""
        with self._lock:
            rows = self._conn.execute("SELECT resource_id, kind FROM feedback WHERE learner_id = ? "
                                      "AND kind != 'opened' ORDER BY id", (learner_id,)).fetchall()
        return dict(rows)

    def record_feedback(self, profile: LearnerProfile, resource_id: str, kind: str,
                        statements: Sequence[Statement] = ()) -> FeedbackEvent:
        """The event, the profile it changed and its statements, committed together."""
        event = FeedbackEvent(learner_id=profile.learner_id, resource_id=resource_id, kind=kind,
                              created_at=self.clock())
        with self._transaction():
            self._conn.execute("INSERT INTO feedback (learner_id, resource_id, kind, created_at) VALUES (?, ?, ?, ?)",
                               (event.learner_id, resource_id, kind, _ts(event.created_at)))
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
            turns = self._conn.execute("SELECT role, text, created_at, session_id FROM turns WHERE learner_id = ? "
                                       "ORDER BY id", (learner_id,)).fetchall()
            sessions = self._conn.execute("SELECT id, started_at FROM sessions WHERE learner_id = ? "
                                          "ORDER BY started_at, id", (learner_id,)).fetchall()
            counted = self._conn.execute("SELECT created_at FROM turn_counts WHERE learner_id = ? ORDER BY id",
                                         (learner_id,)).fetchall()
            events = self._conn.execute(
                "SELECT resource_id, kind, created_at FROM feedback WHERE learner_id = ? ORDER BY id",
                (learner_id,)).fetchall()
            statements = self._conn.execute(
                "SELECT statement_json, sent_at, refused FROM xapi_outbox WHERE learner_id = ? ORDER BY id",
                (learner_id,)).fetchall()
        return LearnerExport(
            profile=self.get(learner_id),
            turns=[{"role": r, "text": t, "session_id": s, "created_at": c} for r, t, c, s in turns],
            feedback=[FeedbackEvent(learner_id=learner_id, resource_id=r, kind=k, created_at=c) for r, k, c in events],
            lms_account=self.lms_account(learner_id),
            statements=[{"statement": json.loads(body), "status": _status(sent, refused)}
                        for body, sent, refused in statements],
            sessions=[{"id": i, "started_at": started} for i, started in sessions],
            counted_turns=[c for (c,) in counted],
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

    def sweep(self, before: datetime) -> dict[str, int]:
        """Delete turns and feedback events older than `before`, and conversations left empty; one transaction per
        learner, so a sweep never holds the store for long. Profiles, LMS accounts and statements stay."""
        cutoff = _ts(before)
        with self._lock:
            learners = [row[0] for row in self._conn.execute(
                "SELECT learner_id FROM turns WHERE created_at < ? UNION SELECT learner_id FROM feedback "
                "WHERE created_at < ? UNION SELECT learner_id FROM sessions WHERE started_at < ?",
                (cutoff, cutoff, cutoff))]
        removed = {"turns": 0, "feedback": 0, "sessions": 0}
        for learner in learners:
            with self._transaction():
                for table in ("turns", "feedback"):
                    removed[table] += self._conn.execute(
                        f"DELETE FROM {table} WHERE learner_id = ? AND created_at < ?", (learner, cutoff)).rowcount
                removed["sessions"] += self._conn.execute(
                    "DELETE FROM sessions WHERE learner_id = ? AND started_at < ? AND NOT EXISTS (SELECT 1 FROM turns "
                    "t WHERE t.learner_id = sessions.learner_id AND t.session_id = sessions.id)",
                    (learner, cutoff)).rowcount
        return removed

    def count_turn(self, buckets: Sequence[TurnBucket], now: datetime, window_s: float) -> float | None:
        """Count one turn in every bucket, in one transaction; when a bucket already holds its limit within the
        window, nothing is counted and the answer is the seconds until the fullest one has room."""
        window = timedelta(seconds=window_s)
        with self._transaction():
            waits = []
            for bucket in buckets:
                self._conn.execute("DELETE FROM turn_counts WHERE bucket = ? AND created_at <= ?",
                                   (bucket.name, _ts(now - window)))
                held = self._conn.execute("SELECT COUNT(*) FROM turn_counts WHERE bucket = ?",
                                          (bucket.name,)).fetchone()[0]
                if held >= bucket.limit:
                    oldest = self._conn.execute("SELECT created_at FROM turn_counts WHERE bucket = ? ORDER BY "
                                                "created_at LIMIT 1 OFFSET ?", (bucket.name, held - bucket.limit))
                    waits.append((_time(oldest.fetchone()[0]) + window - now).total_seconds())
            if waits:
                return max(waits)
            self._conn.executemany("INSERT INTO turn_counts (bucket, learner_id, created_at) VALUES (?, ?, ?)",
                                   [(b.name, b.learner_id, _ts(now)) for b in buckets])
        return None

    def reply_log(self, since: datetime | None = None) -> list[tuple[datetime, str]]:
        """(when, reply JSON) of every stored reply, oldest first; no learner ids."""
        with self._lock:
            rows = self._conn.execute("SELECT created_at, reply_json FROM turns WHERE role = 'assistant' AND "
                                      "reply_json IS NOT NULL AND created_at >= ? ORDER BY id",
                                      (_ts(since) if since else "",)).fetchall()
        return [(moment, reply) for moment, reply in ((_time(c), j) for c, j in rows) if moment is not None]

    def feedback_log(self, since: datetime | None = None) -> list[tuple[datetime, str, str]]:
        """(when, resource id, kind) of every feedback event, oldest first; no learner ids."""
        with self._lock:
            rows = self._conn.execute("SELECT created_at, resource_id, kind FROM feedback WHERE created_at >= ? "
                                      "ORDER BY id", (_ts(since) if since else "",)).fetchall()
        return [(moment, r, k) for moment, r, k in ((_time(c), r, k) for c, r, k in rows) if moment is not None]

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
