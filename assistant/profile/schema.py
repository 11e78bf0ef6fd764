"""The learner profile, and the delta one message states (the same shape the profile prompt answers in JSON)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from assistant.catalog.schema import Level

Device = Literal["phone", "tablet", "desktop"]
Format = Literal["book", "course", "video", "podcast", "interactive", "paper"]
StatedLevel = Literal["beginner", "intermediate", "advanced"]

FORMATS: tuple[str, ...] = Format.__args__  # type: ignore[attr-defined]
LEVEL_ORDER: tuple[str, ...] = StatedLevel.__args__  # type: ignore[attr-defined]


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _dedupe(values: list[str]) -> list[str]:
    seen: list[str] = []
    for value in values:
        value = " ".join(str(value).split())
        if value and value.lower() not in {s.lower() for s in seen}:
            seen.append(value)
    return seen


FADE = 0.6  # an older topic's weight when new topics are named (below 0.4 it is no longer current)
NARROWED = 0.3  # ... when the new message narrows or corrects the request (gone at once)


class ProfileDelta(BaseModel):
    """What one message says about the learner; an absent key means the message did not say it.

    Serialised with `to_json()` this is also the profile prompt's answer format, so training data, the model's
    output and the rule extractor all speak one vocabulary.
    """

    model_config = ConfigDict(extra="forbid")

    topics: list[str] = Field(default_factory=list, max_length=12)  # what they want to learn, in their words
    drop_topics: list[str] = Field(default_factory=list, max_length=12)  # what they take back ("scratch the PHP part")
    known: list[str] = Field(default_factory=list, max_length=12)  # what they say they already know
    gaps: list[str] = Field(default_factory=list, max_length=12)  # what they say they do not understand yet
    goals: list[str] = Field(default_factory=list, max_length=6)  # why they learn ("coding interviews")
    level: StatedLevel | None = None
    formats: list[Format] = Field(default_factory=list)
    avoid_formats: list[Format] = Field(default_factory=list)
    time_budget_minutes: int | None = Field(default=None, ge=1, le=24 * 60)
    device: Device | None = None
    language: str | None = Field(default=None, min_length=2, max_length=8)
    free_only: bool | None = None
    narrows: bool = False  # the message narrows or corrects the request ("to clarify, ...", "specifically X")

    @field_validator("topics", "drop_topics", "known", "gaps", "goals")
    @classmethod
    def _clean_phrases(cls, values: list[str]) -> list[str]:
        return [v[:80] for v in _dedupe(values)]

    def to_json(self) -> str:
        """Compact JSON with only the stated slots, the form the profile prompt's answer takes."""
        return self.model_dump_json(exclude_defaults=True)


class LearnerProfile(BaseModel):
    """Everything the assistant believes about one learner; visible to them, editable, exportable, deletable."""

    learner_id: str = Field(min_length=1, max_length=128)
    goals: list[str] = Field(default_factory=list)
    topics: dict[str, float] = Field(default_factory=dict)  # phrase -> interest weight (recent mentions weigh more)
    known_topics: list[str] = Field(default_factory=list)
    gaps: list[str] = Field(default_factory=list)  # things they said they do not understand yet
    dropped_topics: list[str] = Field(default_factory=list)  # taken back ("it's MySQL, not Postgres"), until named again
    level: Level = "unknown"
    topic_levels: dict[str, Level] = Field(default_factory=dict)
    formats: dict[str, float] = Field(default_factory=dict)  # format -> weight; negative = the learner avoids it
    time_budget_minutes: int | None = Field(default=None, ge=1, le=24 * 60)
    device: Device | None = None
    language: str | None = None
    free_only: bool | None = None
    liked: list[str] = Field(default_factory=list)  # resource ids marked helpful or opened
    disliked: list[str] = Field(default_factory=list)  # "not for me": never recommended again
    completed: list[str] = Field(default_factory=list)  # done: never recommended again
    seen: list[str] = Field(default_factory=list)  # recommended before, most recent last (bounded)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    @property
    def liked_formats(self) -> list[str]:
        return [f for f, w in sorted(self.formats.items(), key=lambda kv: -kv[1]) if w > 0]

    @property
    def avoided_formats(self) -> list[str]:
        return [f for f, w in self.formats.items() if w < 0]

    @property
    def excluded(self) -> set[str]:
        """Resource ids that must never be recommended again."""
        return set(self.disliked) | set(self.completed)

    def current_topics(self, threshold: float = 0.4) -> list[str]:
        """Topics still being asked about, strongest first."""
        return [t for t, w in sorted(self.topics.items(), key=lambda kv: -kv[1]) if w >= threshold]

    def merge(self, delta: ProfileDelta) -> LearnerProfile:
        """A new profile with the delta applied: later statements override earlier ones slot by slot."""
        merged = self.model_copy(deep=True)
        if delta.topics:
            for topic in merged.topics:
                # Older interests fade as new ones come; at once when the learner narrows or corrects the request.
                merged.topics[topic] = round(merged.topics[topic] * (NARROWED if delta.narrows else FADE), 3)
            for topic in delta.topics:
                merged.topics[topic] = 1.0
        known_lower = {k.lower() for k in delta.known}
        gone = known_lower | {d.lower() for d in delta.drop_topics}
        merged.known_topics = _dedupe(merged.known_topics + delta.known)
        merged.topics = {t: w for t, w in merged.topics.items() if t.lower() not in gone and w >= 0.05}
        named_again = {t.lower() for t in delta.topics}
        merged.dropped_topics = _dedupe([t for t in merged.dropped_topics if t.lower() not in named_again]
                                        + [t for t in delta.drop_topics if t.lower() not in named_again])
        merged.gaps = _dedupe([g for g in merged.gaps if g.lower() not in known_lower] + delta.gaps)
        merged.goals = _dedupe(merged.goals + delta.goals)
        if delta.level is not None:
            merged.level = delta.level
        if delta.formats:
            # A newly stated preference replaces the old one ("actually, books suit me better").
            merged.formats = {f: w for f, w in merged.formats.items() if w < 0 and f not in delta.formats}
            merged.formats.update({f: 1.0 for f in delta.formats})
        for fmt in delta.avoid_formats:
            merged.formats[fmt] = -1.0
        for slot in ("time_budget_minutes", "device", "language", "free_only"):
            value = getattr(delta, slot)
            if value is not None:
                setattr(merged, slot, value)
        merged.updated_at = utcnow()
        return merged
