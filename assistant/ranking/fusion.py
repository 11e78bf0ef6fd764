"""Weighted fusion of scorer signals; every ranked item keeps each feature's raw signal, contribution and facts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from assistant.ranking.types import Candidate, RankingInput, Scorer
from assistant.reply import Fact


@dataclass(frozen=True, eq=False)
class Ranked:
    candidate: Candidate
    score: float
    contributions: dict[str, float]  # feature -> weight * value
    facts: tuple[Fact, ...]  # supporting facts strongest first, then the facts against the item
    signals: dict[str, float] = field(default_factory=dict)  # feature -> raw value, whatever its weight

    @property
    def supporting(self) -> list[Fact]:
        return [f for f in self.facts if f.supports]


def score_one(candidate: Candidate, given: RankingInput, scorers: Sequence[Scorer],
              weights: Mapping[str, float]) -> Ranked:
    signals: dict[str, float] = {}
    contributions: dict[str, float] = {}
    facts: list[Fact] = []
    for scorer in scorers:
        signal = scorer(candidate, given)
        name = scorer.name
        signals[name] = signal.value
        weight = weights.get(name, 0.0)
        if weight == 0.0:
            continue
        contribution = round(weight * signal.value, 4)
        contributions[name] = contribution
        if signal.facts and contribution:
            # A fact is kept when it points the way its feature pushed: supporting facts of a positive contribution,
            # facts against the item of a negative one.
            facts += [f.model_copy(update={"strength": contribution}) for f in signal.facts
                      if f.supports == (contribution > 0)]
    facts.sort(key=lambda f: (not f.supports, -abs(f.strength)))
    return Ranked(candidate, round(sum(contributions.values()), 4), contributions, tuple(facts), signals)


def reweigh(ranked: Ranked, weights: Mapping[str, float]) -> Ranked:
    """The same item scored with other weights (facts keep their old strengths: only for fitting weights)."""
    contributions = {name: round(weights.get(name, 0.0) * value, 4) for name, value in ranked.signals.items()
                     if weights.get(name, 0.0)}
    return Ranked(ranked.candidate, round(sum(contributions.values()), 4), contributions, ranked.facts, ranked.signals)


def by_score(ranked: Sequence[Ranked]) -> list[Ranked]:
    # Ties (common when only the semantic feature differs by a hair) break on id for a stable order.
    return sorted(ranked, key=lambda r: (-r.score, r.candidate.resource.id))


def rank(candidates: Sequence[Candidate], given: RankingInput, scorers: Sequence[Scorer],
         weights: Mapping[str, float], k: int) -> list[Ranked]:
    return by_score([score_one(c, given, scorers, weights) for c in candidates])[:k]
