"""The learner's own corrections to their profile: only the fields they send change; unknown fields are refused."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from assistant.profile.schema import Device, Format, LearnerProfile, StatedLevel, utcnow


class ProfileEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    topics: list[str] | None = Field(default=None, max_length=20)
    known_topics: list[str] | None = Field(default=None, max_length=50)
    gaps: list[str] | None = Field(default=None, max_length=20)
    goals: list[str] | None = Field(default=None, max_length=10)
    level: StatedLevel | None = None
    formats: list[Format] | None = None
    avoid_formats: list[Format] | None = None
    time_budget_minutes: int | None = Field(default=None, ge=1, le=24 * 60)
    device: Device | None = None
    language: str | None = Field(default=None, pattern=r"^[a-z]{2}$")
    free_only: bool | None = None

    def apply(self, profile: LearnerProfile) -> LearnerProfile:
        """A new profile with the sent fields set; a field sent as null clears it."""
        updated = profile.model_copy(deep=True)
        sent = self.model_fields_set
        for name in ("known_topics", "gaps", "goals"):
            if name in sent:
                setattr(updated, name, [" ".join(v.split())[:80] for v in getattr(self, name) or [] if v.strip()])
        if "topics" in sent:
            updated.topics = {" ".join(t.split())[:80]: 1.0 for t in self.topics or [] if t.strip()}
        if "level" in sent:
            updated.level = self.level or "unknown"
        if "formats" in sent or "avoid_formats" in sent:
            liked = self.formats if "formats" in sent else updated.liked_formats
            avoided = self.avoid_formats if "avoid_formats" in sent else updated.avoided_formats
            updated.formats = {f: 1.0 for f in liked or []} | {f: -1.0 for f in avoided or []}
        for name in ("time_budget_minutes", "device", "language", "free_only"):
            if name in sent:
                setattr(updated, name, getattr(self, name))
        updated.updated_at = utcnow()
        return updated
