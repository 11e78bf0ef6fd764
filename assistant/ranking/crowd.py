"""Feedback as the ranker sees it: this learner's liked items, and an item-item model of every learner's positive
feedback, refitted only when new events arrived."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from assistant.catalog.schema import Resource
from assistant.profile.schema import LearnerProfile
from assistant.profile.store import LearnerStore
from assistant.ranking.collaborative import Interaction, ItemItemModel
from assistant.ranking.types import Feedback
from assistant.vectorstore import ResourceIndex

LIKED_RECALLED = 20  # the learner's most recent liked items the affinity scorer compares with


@dataclass(frozen=True)
class _Fit:
    events: int = -1
    model: ItemItemModel | None = None


class FeedbackReader:
    def __init__(self, learners: LearnerStore, index: ResourceIndex, resources: Mapping[str, Resource]):
        self.learners, self.index, self.resources = learners, index, resources
        self._fit = _Fit()  # replaced whole, so a reader in another thread never sees half of one

    def _model(self) -> ItemItemModel | None:
        events = self.learners.feedback_count()
        if events != self._fit.events:
            interactions = [Interaction(u, i, w) for u, i, w in self.learners.positive_events()]
            self._fit = _Fit(events, ItemItemModel.fit(interactions) if interactions else None)
        return self._fit.model

    def for_profile(self, profile: LearnerProfile) -> Feedback:
        model = self._model()
        history = {rid: 1.0 for rid in profile.liked + profile.completed}
        liked, embeddings = self.index.summaries(profile.liked[-LIKED_RECALLED:]) if profile.liked else ([], [])
        return Feedback(
            liked=list(zip(liked, embeddings)),
            history=history,
            collaborative=model,
            popularity=model.popularity() if model else {},
            titles={rid: self.resources[rid].title for rid in history if rid in self.resources},
        )
