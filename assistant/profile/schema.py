"""The learner profile and the per-turn delta extracted from dialogue."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Literal

from pydantic import BaseModel, Field

from assistant.catalog.schema import Level

Device = Literal["phone", "tablet", "desktop"]


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class ProfileDelta(BaseModel):
    """What one message says about the learner. None / empty = the message did not say."""

    topics: list[str] = Field(default_factory=list)
    goals: list[str] = Field(default_factory=list)
    level: Level | None = None
    formats_liked: list[str] = Field(default_factory=list)
    formats_disliked: list[str] = Field(default_factory=list)
    time_budget_minutes: int | None = Field(default=None, ge=1, le=24 * 60)
    device: Device | None = None
    language: str | None = None
    free_only: bool | None = None


class LearnerProfile(BaseModel):
    learner_id: str = Field(min_length=1, max_length=128)
    goals: list[str] = Field(default_factory=list)
    topics: dict[str, float] = Field(default_factory=dict)  # topic -> interest weight (recent mentions weigh more)
    known_topics: list[str] = Field(default_factory=list)
    level: Level = "unknown"
    topic_levels: dict[str, Level] = Field(default_factory=dict)
    formats: dict[str, float] = Field(default_factory=dict)  # format -> weight; negative = the learner avoids it
    time_budget_minutes: int | None = None
    device: Device | None = None
    language: str | None = None
    free_only: bool | None = None
    disliked: list[str] = Field(default_factory=list)
    completed: list[str] = Field(default_factory=list)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    @property
    def liked_formats(self) -> list[str]:
        return [f for f, w in sorted(self.formats.items(), key=lambda kv: -kv[1]) if w > 0]

    @property
    def avoided_formats(self) -> list[str]:
        return [f for f, w in self.formats.items() if w < 0]

    def merge(self, delta: ProfileDelta) -> LearnerProfile:
        """A new profile with the delta applied: later statements override earlier ones slot by slot."""
        merged = self.model_copy(deep=True)
        for topic in merged.topics:
            merged.topics[topic] *= 0.7  # older interests fade as new ones are stated
        for topic in delta.topics:
            merged.topics[topic] = 1.0
        merged.goals += [g for g in delta.goals if g not in merged.goals]
        if delta.level is not None:
            merged.level = delta.level
        if delta.formats_liked:
            # A newly stated preference replaces the old one ("actually, books suit me better").
            merged.formats = {f: w for f, w in merged.formats.items() if w < 0}
            merged.formats.update({f: 1.0 for f in delta.formats_liked})
        for fmt in delta.formats_disliked:
            merged.formats[fmt] = -1.0
        for slot in ("time_budget_minutes", "device", "language", "free_only"):
            value = getattr(delta, slot)
            if value is not None:
                setattr(merged, slot, value)
        merged.updated_at = utcnow()
        return merged
