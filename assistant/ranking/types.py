"""Data passed between retrieval, focus inference, scorers and fusion."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np

from assistant.catalog.schema import Resource
from assistant.knowledge.graph import Concept, PrerequisiteNeed
from assistant.profile.schema import LearnerProfile
from assistant.reply import Fact, TurnContext


@dataclass(frozen=True)
class Candidate:
    resource: Resource
    similarity: float  # cosine between the request and the resource's best-matching text
    embedding: np.ndarray | None = None  # unit length; used for diversity and similarity to liked items
    origin: str = "search"  # search | topic | concept | "topic, any format": which retrieval step found it


@dataclass(frozen=True)
class TopicEvidence:
    confidence: float  # 0..1: how surely the request is about this catalog topic
    named: bool  # the learner used the topic's name (else it was inferred from what they described)


@dataclass(frozen=True)
class Focus:
    """What the request is about in the catalog's own terms."""

    topics: Mapping[str, TopicEvidence] = field(default_factory=dict)
    targets: Sequence[Concept] = ()  # knowledge-graph concepts asked about
    needs: Sequence[PrerequisiteNeed] = ()  # concepts the learner lacks, with the target they come before


class CollaborativeModel(Protocol):
    def scores(self, history: Mapping[str, float], candidates: Sequence[str]) -> dict[str, float]: ...
    def evidence(self, history: Mapping[str, float], candidate: str) -> tuple[str, float] | None: ...


@dataclass(frozen=True)
class Feedback:
    """What feedback says: this learner's liked items (with embeddings) and every learner's behaviour."""

    liked: Sequence[tuple[Resource, np.ndarray]] = ()
    history: Mapping[str, float] = field(default_factory=dict)  # resource id -> weight of positive events
    collaborative: CollaborativeModel | None = None
    popularity: Mapping[str, float] = field(default_factory=dict)  # resource id -> 0..1
    titles: Mapping[str, str] = field(default_factory=dict)  # resource id -> title, for evidence wording
    collaborative_scores: Mapping[str, float] = field(default_factory=dict)  # resource id -> score, see `for_items`

    def for_items(self, ids: Sequence[str]) -> Feedback:
        """The same feedback with the collaborative scores of these items computed in one pass (not one per item)."""
        if self.collaborative is None or not self.history:
            return self
        return replace(self, collaborative_scores=self.collaborative.scores(self.history, ids))


@dataclass(frozen=True)
class Signal:
    """One scorer's verdict on one candidate: a value in [-1, 1] and the facts it rests on."""

    value: float
    facts: tuple[Fact, ...] = ()


@dataclass(frozen=True)
class RankingInput:
    profile: LearnerProfile
    context: TurnContext = field(default_factory=TurnContext)
    focus: Focus = field(default_factory=Focus)
    feedback: Feedback = field(default_factory=Feedback)
    request: str = ""  # the learner's recent words, for facts that quote them
    relevance: Mapping[str, float] = field(default_factory=dict)  # resource id -> the LLM's P(yes), when scored
    relaxed: frozenset[str] = frozenset()  # filters dropped for this request (query.RELAX_ORDER names)


class Scorer(Protocol):
    name: str

    def __call__(self, candidate: Candidate, given: RankingInput) -> Signal: ...
