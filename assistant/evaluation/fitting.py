"""Fitting the fusion weights on data: coordinate ascent on NDCG@k over the cases of the fit split.

Each case runs once through the engine to collect its scored candidate pool (raw signals kept); every weight trial
then only re-fuses and re-arranges those pools, so a search over many weightings takes seconds. The result is
checked afterwards by a full `assistant eval` on both the fit and the held-out split.
"""

from __future__ import annotations

import statistics
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tqdm import tqdm

from assistant.engine import Engine
from assistant.evaluation import metrics
from assistant.evaluation.cases import EvalCase
from assistant.ranking.diversity import arrange
from assistant.ranking.fusion import Ranked, by_score, reweigh
from assistant.ranking.recommenders import Recommendations
from assistant.reply import TurnContext

GRID = (0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5, 2.0)
# Not fitted here: the eval labels say nothing about time budget, device, price, feedback or novelty (fitting would
# switch those off for no reason), and the LLM judges only the few best candidates at serving time.
FIXED = ("llm", "context", "collaborative", "affinity", "novelty", "popularity", "free")


@dataclass
class CasePool:
    case: EvalCase
    found: Recommendations


def collect(engine: Engine, cases: Sequence[EvalCase], progress: bool = True) -> list[CasePool]:
    """Each case's final-turn candidate pool, with every scorer's raw signal."""
    run = uuid.uuid4().hex[:8]
    pools = []
    for case in tqdm(cases, desc="Collecting pools", unit="case", disable=not progress):
        learner = f"fit-{run}-{case.id}"[:128]
        for turn in case.turns[:-1]:
            engine.turns.turn(learner, turn, with_reasons=False)
        profile, messages = engine.turns.understand(learner, case.turns[-1])
        pools.append(CasePool(case, engine.turns.recommend(profile, messages, TurnContext())))
        engine.learners.forget(learner)  # single-turn cases never stored a profile
    return pools


def score(pools: Sequence[CasePool], weights: Mapping[str, float], k: int, diversity: float) -> float:
    """Mean NDCG@k of the pools re-fused with these weights."""
    values = []
    for pool in pools:
        ranked: list[Ranked] = by_score([reweigh(r, weights) for r in pool.found.pool])
        top = arrange(ranked, pool.found.focus, k, diversity)
        relevant = set(pool.case.relevant) | set(pool.case.prerequisite_relevant)
        values.append(metrics.ndcg_at_k([r.candidate.resource.all_ids for r in top], relevant, k))
    return statistics.fmean(values) if values else 0.0


def coordinate_ascent(pools: Sequence[CasePool], start: Mapping[str, float], k: int, diversity: float,
                      rounds: int = 3) -> tuple[dict[str, float], list[tuple[str, float, float]]]:
    """Try each weight on the grid in turn, keep a change only if it raises NDCG; stop when a round changes nothing.

    Returns the weights and the accepted steps (name, value, score). Ties keep the current value, so weights that
    do not matter on these cases stay where they were instead of drifting.
    """
    weights = dict(start)
    best = score(pools, weights, k, diversity)
    steps = [("start", 0.0, best)]
    for _ in range(rounds):
        changed = False
        for name in sorted(weights):
            if name in FIXED:
                continue
            for value in GRID:
                if value == weights[name]:
                    continue
                trial = {**weights, name: value}
                result = score(pools, trial, k, diversity)
                if result > best + 1e-6:
                    weights, best, changed = trial, result, True
                    steps.append((name, value, round(result, 4)))
        if not changed:
            break
    return weights, steps
