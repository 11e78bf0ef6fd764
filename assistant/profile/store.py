"""Durable learner memory: profiles, conversation turns and feedback events, behind the `LearnerStore` interface.

Every backend keeps one transaction per event, so a crash loses nothing that was acknowledged; every read and write
names one learner; `forget` removes every row of that learner. `open_store` is the one place that picks the backend:
SQLite in a folder (embedded, the default) or PostgreSQL (several app replicas sharing learners).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Protocol

from pydantic import BaseModel

from assistant.config import StoreSettings
from assistant.profile.schema import LearnerProfile

FeedbackKind = Literal["helpful", "not_for_me", "already_know", "completed", "opened"]
FEEDBACK_KINDS: tuple[str, ...] = FeedbackKind.__args__  # type: ignore[attr-defined]
# How much each event says the learner valued the resource (negative events do not feed collaborative filtering).
POSITIVE_WEIGHT = {"helpful": 1.0, "completed": 1.0, "opened": 0.5}

TABLES = ("profiles", "turns", "feedback")


class FeedbackEvent(BaseModel):
    learner_id: str
    resource_id: str
    kind: FeedbackKind
    created_at: datetime


class LearnerExport(BaseModel):
    """Everything stored about one learner, as they may download it."""

    profile: LearnerProfile | None
    turns: list[dict]
    feedback: list[FeedbackEvent]


class LearnerStore(Protocol):
    def get(self, learner_id: str) -> LearnerProfile | None: ...
    def save(self, profile: LearnerProfile) -> None: ...
    def record_turn(self, profile: LearnerProfile, message: str) -> None: ...
    def record_reply(self, learner_id: str, text: str, reply_json: str | None = None) -> None: ...
    def history(self, learner_id: str, limit: int = 20) -> list[tuple[str, str]]: ...
    def last_reply(self, learner_id: str) -> str | None: ...
    def record_feedback(self, profile: LearnerProfile, resource_id: str, kind: str) -> FeedbackEvent: ...
    def positive_events(self) -> list[tuple[str, str, float]]: ...
    def feedback_count(self) -> int: ...
    def export(self, learner_id: str) -> LearnerExport: ...
    def forget(self, learner_id: str) -> int: ...
    def count_rows(self, learner_id: str) -> int: ...
    def close(self) -> None: ...


def open_store(settings: StoreSettings) -> LearnerStore:
    """The learner store `settings.url` names: empty for SQLite in `settings.dir`, or a postgresql:// URL."""
    scheme = settings.url.split("://", 1)[0] if "://" in settings.url else settings.url
    match scheme:
        case "" | "sqlite":
            from assistant.profile.sqlite_store import SQLiteStore

            return SQLiteStore(settings.dir / "learners.sqlite3")
        case "postgresql" | "postgres":
            from assistant.profile.postgres_store import PostgresStore

            return PostgresStore(settings.url)
    raise ValueError(f"ASSISTANT_STORE_URL {settings.url!r}: use a postgresql:// URL, or leave it empty for SQLite")
