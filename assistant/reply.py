"""What one turn returns: ranked recommendations with reasons and the assistant's text (the API's JSON shape)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from assistant.catalog.schema import Resource
from assistant.profile.schema import Device, LearnerProfile


class TurnContext(BaseModel):
    """Situation the learner is in, sent by the page or the LMS; every field optional."""

    @property
    def late(self) -> bool:
        """Late evening or night, when sessions tend to be short."""
        return self.local_time is not None and (int(self.local_time[:2]) >= 22 or int(self.local_time[:2]) < 6)

    device: Device | None = None
    local_time: str | None = Field(default=None, pattern=r"^([01]\d|2[0-3]):[0-5]\d$",
                                   description="HH:MM in the learner's time zone")
    session_minutes: int | None = Field(default=None, ge=1, le=24 * 60)
    locale: str | None = Field(default=None, pattern=r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$", max_length=35)


FactKind = Literal[
    "topic", "concept", "prerequisite", "format", "language", "level", "length", "device", "free", "collaborative",
    "similar_liked", "content", "excluded", "author", "duration", "marked_level", "only_format", "title_words", "site",
]


class Fact(BaseModel):
    """One grounded statement about why an item fits: a kind and the attribute values it rests on.

    The wording is rendered from these values (assistant/explain/facts.py), so a reason can be checked against
    exactly what the data says.
    """

    kind: FactKind
    values: dict[str, str | int | float] = Field(default_factory=dict)
    supports: bool = True  # False: a fact against the item (answers "why not?")
    learner_specific: bool = True  # ties the item to something the learner said or did
    strength: float = 0.0  # the contribution it came from; the strongest facts are told first


class Reason(BaseModel):
    text: str
    facts: list[str]  # the rendered facts the sentence rests on, in the learner's language
    grounds: list[Fact] = Field(default_factory=list)  # the same facts as values, for checking
    written_by: Literal["model", "template"]
    late: bool = False  # a template because the model's reason was not ready and checked by the deadline


class Recommendation(BaseModel):
    resource: Resource
    rank: int
    score: float
    contributions: dict[str, float]  # feature -> its share of the fused score
    facts: list[Fact]  # grounded statements about why this item scored as it did, strongest first
    reason: Reason | None = None


class PathStep(BaseModel):
    """One step of a learning path: a concept, the resource for it, and why it comes before the next."""

    concept: str
    resource_id: str | None = None
    title: str | None = None
    why: str = ""


class MissingPrerequisite(BaseModel):
    """A concept the learner lacked for what they asked about (the curators' learning gaps)."""

    concept: str
    needed_for: str | None = None


class TurnReport(BaseModel):
    """How the turn was served, for operators, the evaluation and the curators' aggregates; the learner's page does
    not show it."""

    kind: Literal["recommend", "follow_up"] = "recommend"  # follow_up: a "why?" answered from the last reply
    llm_relevance: Literal["used", "busy", "off"] = "off"  # busy: the model could not judge in time, ranked without
    cards_s: float | None = None  # seconds from the message to the cards
    reasons_s: float | None = None  # seconds from the cards to the reasons
    late_reasons: int = 0  # reasons that are templates because the deadline passed
    focus_topics: list[str] = Field(default_factory=list)  # catalog topics the request was about, surest first
    relaxed: list[str] = Field(default_factory=list)  # filters dropped: too few resources matched with them
    missing_prerequisites: list[MissingPrerequisite] = Field(default_factory=list)


class Reply(BaseModel):
    learner_id: str
    session_id: str | None = None  # the conversation this turn belongs to
    text: str
    language: str
    recommendations: list[Recommendation]
    profile: LearnerProfile
    notes: list[str] = Field(default_factory=list)  # filters relaxed because too few resources matched
    learning_path: list[PathStep] = Field(default_factory=list)
    reasons_ready: bool = False
    report: TurnReport = Field(default_factory=TurnReport)
