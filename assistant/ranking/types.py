"""Data passed between retrieval, scorers and fusion."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from assistant.catalog.schema import Resource
from assistant.profile.schema import LearnerProfile
from assistant.reply import Fact, TurnContext


@dataclass(frozen=True)
class Candidate:
    resource: Resource
    similarity: float


@dataclass(frozen=True)
class Signal:
    """One scorer's verdict on one candidate: a value in [-1, 1] and the facts it rests on."""

    value: float
    facts: tuple[Fact, ...] = ()


@dataclass(frozen=True)
class RankingInput:
    profile: LearnerProfile
    context: TurnContext = field(default_factory=TurnContext)


class Scorer(Protocol):
    name: str

    def __call__(self, candidate: Candidate, given: RankingInput) -> Signal: ...
