"""Runs evaluation cases through the same engine as the chat: a fresh learner per case, turns in order."""

from __future__ import annotations

import hashlib
import statistics
import time
import uuid
from collections import defaultdict
from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel
from tqdm import tqdm

from assistant.engine import Engine
from assistant.evaluation import metrics
from assistant.evaluation.cases import EXPECTED_SLOTS, EvalCase
from assistant.explain.check import Evidence, problems
from assistant.profile.schema import LearnerProfile
from assistant.reply import Reply

SPLITS = ("all", "fit", "holdout")


def split_of(case_id: str) -> str:
    """A stable half of the cases for fitting weights, the other half held out (by a hash, not by position)."""
    return "fit" if int(hashlib.sha256(case_id.encode()).hexdigest(), 16) % 2 == 0 else "holdout"


def select(cases: Sequence[EvalCase], split: str) -> list[EvalCase]:
    return list(cases) if split == "all" else [c for c in cases if split_of(c.id) == split]


def profile_slots(profile: LearnerProfile) -> dict[str, object]:
    """The profile in the eval files' vocabulary."""
    return {
        "level": None if profile.level == "unknown" else profile.level,
        "formats": profile.liked_formats,
        "language": profile.language,
        "time_budget_minutes": profile.time_budget_minutes,
    }


class ReasonResult(BaseModel):
    id: str
    text: str
    written_by: str
    facts: list[str]
    learner_facts: int
    faithful: bool


class CaseResult(BaseModel):
    id: str
    kind: str
    split: str
    recommended: list[str]
    profile: dict[str, object]
    slots: dict[str, bool]
    reasons: list[ReasonResult]
    metrics: dict[str, float]
    seconds: float
    aliases: list[list[str]]  # id + aliases of each recommended item, for coverage and re-scoring


def _reasons(reply: Reply, topics_in) -> list[ReasonResult]:
    results = []
    for rec in reply.recommendations:
        if rec.reason is None:
            continue
        learner_facts = sum(1 for f in rec.reason.grounds if f.learner_specific)
        evidence = Evidence(rec.reason.facts, rec.resource, reply.language, rec.reason.grounds)
        faithful = not problems(rec.reason.text, evidence, topics_in)
        results.append(ReasonResult(id=rec.resource.id, text=rec.reason.text, written_by=rec.reason.written_by,
                                    facts=rec.reason.facts, learner_facts=learner_facts, faithful=faithful))
    return results


def run_case(engine: Engine, case: EvalCase, k: int, with_reasons: bool, run_id: str) -> CaseResult:
    learner = f"eval-{run_id}-{case.id}"[:128]
    started = time.perf_counter()
    for turn in case.turns[:-1]:
        engine.turns.turn(learner, turn, with_reasons=False)
    reply = engine.turns.turn(learner, case.turns[-1], with_reasons=with_reasons)
    seconds = time.perf_counter() - started
    engine.learner_data.forget(learner)
    ids = [r.resource.id for r in reply.recommendations]
    id_sets = [r.resource.all_ids for r in reply.recommendations]
    relevant = set(case.relevant) | set(case.prerequisite_relevant)
    _, embeddings = engine.index.summaries(ids)
    values = {
        f"ndcg@{k}": metrics.ndcg_at_k(id_sets, relevant, k),
        f"recall@{k}": metrics.recall_at_k(id_sets, relevant, k),
        f"precision@{k}": metrics.precision_at_k(id_sets, relevant, k),
        "mrr": metrics.reciprocal_rank(id_sets, relevant),
        f"ild@{k}": metrics.intra_list_diversity(np.asarray(embeddings)) if len(ids) > 1 else 0.0,
    }
    if case.prerequisite_relevant:
        values[f"prereq_hit@{k}"] = metrics.hit_at_k(id_sets, set(case.prerequisite_relevant), k)
    slots = profile_slots(reply.profile)
    expected = {s: v for s, v in case.expected_profile.items() if s in EXPECTED_SLOTS}
    return CaseResult(
        id=case.id, kind=case.kind, split=split_of(case.id), recommended=ids,
        profile=slots, slots=metrics.slot_matches(expected, slots),
        reasons=_reasons(reply, engine.topics) if with_reasons else [], metrics=values, seconds=round(seconds, 3),
        aliases=[sorted(s) for s in id_sets],
    )


def summarise(results: Sequence[CaseResult], catalog_size: int) -> dict[str, float]:
    """Means over cases (prereq_hit over the cases that have prerequisites), coverage, slot accuracy, reasons."""
    summary: dict[str, float] = {}
    names = sorted({m for r in results for m in r.metrics})
    for name in names:
        values = [r.metrics[name] for r in results if name in r.metrics]
        summary[name] = round(statistics.fmean(values), 4) if values else 0.0
    shown = {i for r in results for i in r.recommended}
    summary["coverage"] = round(len(shown) / catalog_size, 4) if catalog_size else 0.0
    for slot in EXPECTED_SLOTS:
        checked = [r.slots[slot] for r in results if slot in r.slots]
        if checked:
            summary[f"slot_accuracy.{slot}"] = round(sum(checked) / len(checked), 4)
    reasons = [x for r in results for x in r.reasons]
    if reasons:
        summary["faithful_rate"] = round(sum(x.faithful for x in reasons) / len(reasons), 4)
        summary["model_written_rate"] = round(sum(x.written_by == "model" for x in reasons) / len(reasons), 4)
        summary["facts_per_reason"] = round(statistics.fmean(x.learner_facts for x in reasons), 3)
        summary["reasons_with_learner_fact"] = round(sum(x.learner_facts > 0 for x in reasons) / len(reasons), 4)
        # A reason that repeats, word for word, an earlier one in the same list.
        summary["repeated_reasons"] = sum(len(r.reasons) - len({x.text.strip().lower() for x in r.reasons})
                                          for r in results)
    summary["seconds_per_case"] = round(statistics.median(r.seconds for r in results), 3) if results else 0.0
    return summary


def by_kind(results: Sequence[CaseResult], catalog_size: int) -> dict[str, dict[str, float]]:
    groups: dict[str, list[CaseResult]] = defaultdict(list)
    for result in results:
        groups[result.kind].append(result)
    return {kind: summarise(group, catalog_size) for kind, group in sorted(groups.items())}


def evaluate(engine: Engine, cases: Sequence[EvalCase], k: int, with_reasons: bool = True,
             progress: bool = True) -> list[CaseResult]:
    run_id = uuid.uuid4().hex[:8]
    return [run_case(engine, case, k, with_reasons, run_id)
            for case in tqdm(cases, desc="Evaluating", unit="case", disable=not progress)]
