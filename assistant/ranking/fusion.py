"""Weighted fusion of scorer signals; every ranked item keeps each feature's contribution and facts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.ranking.types import Candidate, RankingInput, Scorer


@dataclass(frozen=True)
class Ranked:
    candidate: Candidate
    score: float
    contributions: dict[str, float]  # feature -> weight * value
    facts: tuple[str, ...]  # facts of the positively contributing features, strongest first


def rank(candidates: Sequence[Candidate], given: RankingInput, scorers: Sequence[Scorer],
         weights: dict[str, float], k: int) -> list[Ranked]:
    ranked = []
    for candidate in candidates:
        contributions: dict[str, float] = {}
        facts_by_feature: list[tuple[float, tuple[str, ...]]] = []
        for scorer in scorers:
            weight = weights.get(scorer.name, 0.0)
            if weight == 0.0:
                continue
            signal = scorer(candidate, given)
            contributions[scorer.name] = round(weight * signal.value, 4)
            if signal.facts and weight * signal.value > 0:
                facts_by_feature.append((weight * signal.value, signal.facts))
        facts = tuple(f for _, fs in sorted(facts_by_feature, key=lambda x: -x[0]) for f in fs)
        ranked.append(Ranked(candidate, round(sum(contributions.values()), 4), contributions, facts))
    # Ties (common when only the semantic feature differs by a hair) break on id for a stable order.
    ranked.sort(key=lambda r: (-r.score, r.candidate.resource.id))
    return ranked[:k]
