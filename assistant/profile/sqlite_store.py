"""The embedded learner store: SQLite in WAL mode, one connection shared by the server's worker threads."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from assistant.profile.schema import LearnerProfile, utcnow
from assistant.profile.store import POSITIVE_WEIGHT, TABLES, FeedbackEvent, LearnerExport

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
"""


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

    def get(self, learner_id: str) -> LearnerProfile | None:
        with self._lock:
            row = self._conn.execute("SELECT profile_json FROM profiles WHERE learner_id = ?", (learner_id,)).fetchone()
        return LearnerProfile.model_validate_json(row[0]) if row else None

    def save(self, profile: LearnerProfile) -> None:
        with self._lock, self._conn:
            self._save(profile)

    def record_turn(self, profile: LearnerProfile, message: str) -> None:
        """The learner's message and the profile it produced, committed together."""
        with self._lock, self._conn:
            self._conn.execute("INSERT INTO turns (learner_id, role, text, created_at) VALUES (?, 'learner', ?, ?)",
                               (profile.learner_id, message, utcnow().isoformat()))
            self._save(profile)

    def record_reply(self, learner_id: str, text: str, reply_json: str | None = None) -> None:
        with self._lock, self._conn:
            self._conn.execute(
                "INSERT INTO turns (learner_id, role, text, reply_json, created_at) VALUES (?, 'assistant', ?, ?, ?)",
                (learner_id, text, reply_json, utcnow().isoformat()),
            )

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

    def record_feedback(self, profile: LearnerProfile, resource_id: str, kind: str) -> FeedbackEvent:
        """The event and the profile it changed, committed together."""
        event = FeedbackEvent(learner_id=profile.learner_id, resource_id=resource_id, kind=kind, created_at=utcnow())
        with self._lock, self._conn:
            self._conn.execute("INSERT INTO feedback (learner_id, resource_id, kind, created_at) VALUES (?, ?, ?, ?)",
                               (event.learner_id, resource_id, kind, event.created_at.isoformat()))
            self._save(profile)
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
        return LearnerExport(
            profile=self.get(learner_id),
            turns=[{"role": r, "text": t, "created_at": c} for r, t, c in turns],
            feedback=[FeedbackEvent(learner_id=learner_id, resource_id=r, kind=k, created_at=c) for r, k, c in events],
        )

    def forget(self, learner_id: str) -> int:
        """Delete every row of this learner in one transaction; returns how many rows went."""
        removed = 0
        with self._lock, self._conn:
            for table in TABLES:
                removed += self._conn.execute(f"DELETE FROM {table} WHERE learner_id = ?", (learner_id,)).rowcount
        return removed

    def count_rows(self, learner_id: str) -> int:
        with self._lock:
            return sum(self._conn.execute(f"SELECT COUNT(*) FROM {t} WHERE learner_id = ?", (learner_id,)).fetchone()[0]
                       for t in TABLES)

    def _save(self, profile: LearnerProfile) -> None:
        self._conn.execute(
            "INSERT INTO profiles (learner_id, profile_json, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT(learner_id) DO UPDATE SET profile_json = excluded.profile_json, updated_at = excluded.updated_at",
            (profile.learner_id, profile.model_dump_json(), profile.updated_at.isoformat()),
        )

    def close(self) -> None:
        self._conn.close()
