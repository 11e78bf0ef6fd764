"""Linking a request to catalog topics by meaning: each topic (a free-programming-books heading, or a Metacademy
concept's title) is the mean direction of its resources' summaries, and a request is close to the topics whose
direction is close to its own. Learners describe ("a tiny JSON backend", "how computers learn from examples")
rather than name the heading; the heading's resources, taken together, say what it is about."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from assistant.catalog.schema import Resource
from assistant.knowledge.topics import normalise

MIN_RESOURCES = 1  # a heading with one resource still says what it is about (its title and description)
GLOSS_WEIGHT = 1.0  # the gloss counts as much as the resources' direction (2.0 measured no better on the dev sets)


class TopicCentroids:
    def __init__(self, resources: Sequence[Resource], embeddings: np.ndarray,
                 glosses: Mapping[str, np.ndarray] | None = None):
        """`glosses`: a unit embedding of a plain-words description per heading; titles alone ("Learn Prolog Now!")
        say little about what a topic is to someone who cannot name it."""
        members: dict[str, list[int]] = defaultdict(list)
        for i, resource in enumerate(resources):
            for topic in resource.topics:
                members[topic].append(i)
        self.topics = [t for t, rows in members.items() if len(rows) >= MIN_RESOURCES]
        self.sizes = {t: len(rows) for t, rows in members.items()}  # how broad each topic is
        if not self.topics or not len(embeddings):
            self.topics, self.directions, self.sizes = [], np.zeros((0, 0), dtype=np.float32), {}
            return
        directions = np.stack([embeddings[members[t]].mean(axis=0) for t in self.topics]).astype(np.float32)
        directions /= np.maximum(np.linalg.norm(directions, axis=1, keepdims=True), 1e-9)
        gloss_of = {normalise(t): v for t, v in (glosses or {}).items()}  # the catalog writes "C\\#" as "C#"
        for i, topic in enumerate(self.topics):
            if normalise(topic) in gloss_of:
                directions[i] += GLOSS_WEIGHT * gloss_of[normalise(topic)]
        self.directions = directions / np.maximum(np.linalg.norm(directions, axis=1, keepdims=True), 1e-9)

    @classmethod
    def from_index(cls, index, glosses: Mapping[str, str] | None = None, keep_in: Path | None = None) -> TopicCentroids:
        """`keep_in`: a folder where the glosses' embeddings are kept between starts."""
        resources, embeddings = index.summaries()
        names = list(glosses or {})
        vectors = index.encode_each([glosses[n] for n in names], keep_in) if names else []
        return cls(resources, embeddings, dict(zip(names, vectors)))

    def similarity(self, vector: np.ndarray) -> dict[str, float]:
        """Every topic's similarity to a (unit) request vector."""
        return dict(zip(self.topics, (self.directions @ vector).tolist())) if self.topics else {}

    def link(self, vector: np.ndarray, limit: int = 10) -> list[tuple[str, float]]:
        """The topics closest to a (unit) request vector, closest first, with their cosine similarity."""
        if not self.topics:
            return []
        similarity = self.directions @ vector
        best = np.argsort(-similarity)[:limit]
        return [(self.topics[i], float(similarity[i])) for i in best]
