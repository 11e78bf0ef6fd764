"""Weighted fusion of scorer signals; every ranked item keeps each feature's contribution and facts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.ranking.types import Candidate, RankingInput, Scorer
from assistant.reply import Fact


@dataclass(frozen=True)
class Ranked:
    candidate: Candidate
    score: float
    contributions: dict[str, float]  # feature -> weight * value
    facts: tuple[Fact, ...]  # supporting facts strongest first, then the facts against the item

    @property
    def supporting(self) -> list[Fact]:
        return [f for f in self.facts if f.supports]


def score_one(candidate: Candidate, given: RankingInput, scorers: Sequence[Scorer],
              weights: dict[str, float]) -> Ranked:
    contributions: dict[str, float] = {}
    facts: list[Fact] = []
    for scorer in scorers:
        weight = weights.get(scorer.name, 0.0)
        if weight == 0.0:
            continue
        signal = scorer(candidate, given)
        contribution = round(weight * signal.value, 4)
        contributions[scorer.name] = contribution
        facts += [f.model_copy(update={"strength": contribution}) for f in signal.facts
                  if (f.supports and contribution > 0) or (not f.supports and contribution < 0)]
    facts.sort(key=lambda f: (not f.supports, -abs(f.strength)))
    return Ranked(candidate, round(sum(contributions.values()), 4), contributions, tuple(facts))


def rank(candidates: Sequence[Candidate], given: RankingInput, scorers: Sequence[Scorer],
         weights: dict[str, float], k: int) -> list[Ranked]:
    ranked = [score_one(c, given, scorers, weights) for c in candidates]
    # Ties (common when only the semantic feature differs by a hair) break on id for a stable order.
    ranked.sort(key=lambda r: (-r.score, r.candidate.resource.id))
    return ranked[:k]
