"""What one turn returns: ranked recommendations with reasons and the assistant's text (the API's JSON shape)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from assistant.catalog.schema import Resource
from assistant.profile.schema import Device, LearnerProfile


class TurnContext(BaseModel):
    """Situation the learner is in, sent by the page or the LMS; every field optional."""

    device: Device | None = None
    local_time: str | None = Field(default=None, description="HH:MM in the learner's time zone")
    session_minutes: int | None = Field(default=None, ge=1, le=24 * 60)
    locale: str | None = None


class Reason(BaseModel):
    text: str
    facts: list[str]  # the facts the sentence rests on
    written_by: Literal["model", "template"]


class Recommendation(BaseModel):
    resource: Resource
    rank: int
    score: float
    contributions: dict[str, float]  # feature -> its share of the fused score
    facts: list[str]  # grounded statements about why this item scored as it did
    reason: Reason | None = None


class Reply(BaseModel):
    learner_id: str
    text: str
    language: str
    recommendations: list[Recommendation]
    profile: LearnerProfile
    notes: list[str] = Field(default_factory=list)  # e.g. which filters were relaxed
    reasons_ready: bool = False
