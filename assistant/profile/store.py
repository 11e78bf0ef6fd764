"""Durable learner memory: profiles, conversations (sessions of turns) and feedback events, behind the
`LearnerStore` interface.

Every backend keeps one transaction per event, so a crash loses nothing that was acknowledged; every read and write
names one learner (the collaborative signal and the curators' aggregates aside); `forget` removes every row of that
learner. `open_store` is the one place that picks the backend: SQLite in a folder (embedded, the default) or
PostgreSQL (several app replicas sharing learners).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field

from assistant.config import StoreSettings
from assistant.profile.schema import LearnerProfile

FeedbackKind = Literal["helpful", "not_for_me", "already_know", "completed", "opened"]
FEEDBACK_KINDS: tuple[str, ...] = FeedbackKind.__args__  # type: ignore[attr-defined]
# How much each event says the learner valued the resource (negative events do not feed collaborative filtering).
POSITIVE_WEIGHT = {"helpful": 1.0, "completed": 1.0, "opened": 0.5}

# Every table holding rows of one learner: forget empties them all, count_rows counts them all.
TABLES = ("profiles", "sessions", "turns", "feedback", "lms_accounts", "xapi_outbox", "turn_counts")
# The session that turns stored before sessions existed are gathered into, one per learner, when a store is upgraded.
EARLIER_SESSION = "earlier"


class StoreWriteError(RuntimeError):
    """The store could not write (a full disk, say): what was stored before is intact; the message says what to do."""


class FeedbackEvent(BaseModel):
    learner_id: str
    resource_id: str
    kind: FeedbackKind
    created_at: datetime


class LMSAccount(BaseModel):
    """Who an LTI-launched learner is in their LMS, from their latest launch (their xAPI actor and course)."""

    learner_id: str
    issuer: str
    deployment_id: str
    subject: str
    roles: list[str] = Field(default_factory=list)
    context_id: str | None = None
    context_title: str | None = None
    context_label: str | None = None
    launched_at: datetime


class Statement(BaseModel):
    """One xAPI statement for the LRS; its id is fixed when written, so sending it again changes nothing."""

    id: str
    body: dict[str, Any]


class QueuedStatement(Statement):
    """A statement in the outbox, claimed for one sending attempt."""

    row: int
    learner_id: str | None  # None: written by forget, after the learner's own rows went
    attempts: int


# Builds the statements a forget sends, from the ids of the learner's statements the LRS already has.
Farewell = Callable[[list[str]], Sequence[Statement]]


class SessionSummary(BaseModel):
    """One conversation of a learner, as the history list shows it."""

    id: str
    started_at: datetime
    last_at: datetime
    first_message: str
    turns: int  # the learner's messages in it


class StoredTurn(BaseModel):
    """One stored message of a conversation; an assistant's carries its reply (cards, facts) as JSON."""

    role: Literal["learner", "assistant"]
    text: str
    created_at: datetime
    reply_json: str | None = None


class TurnBucket(BaseModel):
    """One fair-use count a served turn goes into: a learner's own, or an API key's over all its learners."""

    name: str  # "learner:<id>" or "key:<name>"
    limit: int = Field(ge=1)  # turns allowed per window
    learner_id: str | None = None  # set on a learner's own count, so that forget removes it


class LearnerExport(BaseModel):
    """Everything stored about one learner, as they may download it."""

    profile: LearnerProfile | None
    turns: list[dict]  # role, text, session_id, created_at
    feedback: list[FeedbackEvent]
    lms_account: LMSAccount | None = None
    statements: list[dict] = Field(default_factory=list)  # xAPI statements about them, sent or waiting
    sessions: list[dict] = Field(default_factory=list)  # id, started_at
    counted_turns: list[datetime] = Field(default_factory=list)  # turns counted for the fair-use limit (last minute)


class LearnerStore(Protocol):
    """Statements passed with an event are written to the xAPI outbox in the event's own transaction."""

    def get(self, learner_id: str) -> LearnerProfile | None: ...
    def save(self, profile: LearnerProfile) -> None: ...
    # Turns belong to a session (one conversation); None writes or reads across the learner's sessions.
    def record_turn(self, profile: LearnerProfile, message: str, session_id: str | None = None) -> None: ...
    def record_reply(self, learner_id: str, text: str, reply_json: str | None = None,
                     statements: Sequence[Statement] = (), session_id: str | None = None) -> None: ...
    def history(self, learner_id: str, limit: int = 20, session_id: str | None = None) -> list[tuple[str, str]]: ...
    def last_reply(self, learner_id: str, session_id: str | None = None) -> str | None: ...
    def latest_session(self, learner_id: str) -> str | None: ...
    def sessions(self, learner_id: str, limit: int = 50) -> list[SessionSummary]: ...
    def session_turns(self, learner_id: str, session_id: str) -> list[StoredTurn] | None: ...
    def delete_session(self, learner_id: str, session_id: str) -> int: ...
    def feedback_given(self, learner_id: str) -> dict[str, str]: ...
    def record_feedback(self, profile: LearnerProfile, resource_id: str, kind: str,
                        statements: Sequence[Statement] = ()) -> FeedbackEvent: ...
    def positive_events(self) -> list[tuple[str, str, float]]: ...
    def feedback_count(self) -> int: ...
    def export(self, learner_id: str) -> LearnerExport: ...
    def forget(self, learner_id: str, farewell: Farewell | None = None) -> int: ...
    def count_rows(self, learner_id: str) -> int: ...
    # Retention: turns and feedback older than `before` go, one transaction per learner; returns rows per table.
    def sweep(self, before: datetime) -> dict[str, int]: ...
    # Fair use: count one turn in every bucket, or in none when one is full (then: seconds until it has room).
    def count_turn(self, buckets: Sequence[TurnBucket], now: datetime, window_s: float) -> float | None: ...
    # The curators' aggregates read every learner's replies and feedback, never who gave them.
    def reply_log(self, since: datetime | None = None) -> list[tuple[datetime, str]]: ...
    def feedback_log(self, since: datetime | None = None) -> list[tuple[datetime, str, str]]: ...
    # LTI: the learner's LMS account (with the profile a launch seeded), and the logins waiting for their launch.
    def record_launch(self, account: LMSAccount, profile: LearnerProfile) -> None: ...
    def lms_account(self, learner_id: str) -> LMSAccount | None: ...
    def put_launch_state(self, key: str, value: str, expires_at: datetime) -> None: ...
    def get_launch_state(self, key: str, now: datetime) -> str | None: ...
    def take_launch_state(self, key: str, now: datetime) -> str | None: ...
    # The xAPI outbox, read by the sender: claim what is due, then mark each sent or put it off.
    def enqueue(self, statements: Sequence[Statement]) -> None: ...
    def claim_statements(self, now: datetime, limit: int, lease_until: datetime) -> list[QueuedStatement]: ...
    def mark_sent(self, row: int, now: datetime) -> bool: ...
    def put_off(self, row: int, until: datetime, error: str, refused: bool = False) -> None: ...
    def outbox_counts(self) -> dict[str, int]: ...
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
