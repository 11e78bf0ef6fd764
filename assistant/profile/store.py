"""Durable learner memory: profiles and conversation turns in SQLite (WAL), one transaction per event."""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime
from pathlib import Path

from assistant.profile.schema import LearnerProfile, utcnow

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
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS turns_by_learner ON turns (learner_id, id);
"""


class ProfileStore:
    """Every read and write is scoped to one learner id."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(_SCHEMA)
        self._lock = threading.Lock()  # one connection shared by Gradio's worker threads

    def get(self, learner_id: str) -> LearnerProfile | None:
        with self._lock:
            row = self._conn.execute("SELECT profile_json FROM profiles WHERE learner_id = ?", (learner_id,)).fetchone()
        return LearnerProfile.model_validate_json(row[0]) if row else None

    def get_or_new(self, learner_id: str) -> LearnerProfile:
        return self.get(learner_id) or LearnerProfile(learner_id=learner_id)

    def record_turn(self, profile: LearnerProfile, message: str) -> None:
        """The learner's message and the profile it produced, committed together."""
        now = utcnow().isoformat()
        with self._lock, self._conn:
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.execute(
                "INSERT INTO turns (learner_id, role, text, created_at) VALUES (?, 'learner', ?, ?)",
                (profile.learner_id, message, now),
            )
            self._save(profile)

    def record_reply(self, learner_id: str, text: str) -> None:
        with self._lock, self._conn:
            self._conn.execute(
                "INSERT INTO turns (learner_id, role, text, created_at) VALUES (?, 'assistant', ?, ?)",
                (learner_id, text, utcnow().isoformat()),
            )

    def history(self, learner_id: str, limit: int = 20) -> list[tuple[str, str]]:
        """The learner's last turns, oldest first, as (role, text)."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT role, text FROM turns WHERE learner_id = ? ORDER BY id DESC LIMIT ?", (learner_id, limit)
            ).fetchall()
        return [(r, t) for r, t in reversed(rows)]

    def _save(self, profile: LearnerProfile) -> None:
        self._conn.execute(
            "INSERT INTO profiles (learner_id, profile_json, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT(learner_id) DO UPDATE SET profile_json = excluded.profile_json, updated_at = excluded.updated_at",
            (profile.learner_id, profile.model_dump_json(), datetime.isoformat(profile.updated_at)),
        )

    def close(self) -> None:
        self._conn.close()
