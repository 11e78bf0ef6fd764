"""Scoring model answers: profile JSON (validity, per-slot accuracy), relevance AUC, reason faithfulness."""

from __future__ import annotations

import json
from collections import defaultdict

from pydantic import ValidationError

from assistant.catalog.schema import Resource
from assistant.explain.check import Evidence, problems
from assistant.profile.schema import LearnerProfile, ProfileDelta
from assistant.reply import Fact

SLOTS = ("topics", "known", "gaps", "level", "formats", "avoid_formats", "time_budget_minutes", "device", "language",
         "free_only")
DEV_SLOTS = ("level", "formats", "language", "time_budget_minutes")  # what dev dialogues' expected_profile may state


def parse_delta(answer: str) -> ProfileDelta | None:
    """The answer as a ProfileDelta, or None unless the whole answer is one valid JSON object of that shape."""
    try:
        return ProfileDelta.model_validate(json.loads(answer.strip()))
    except (json.JSONDecodeError, ValidationError, TypeError):
        return None


def _slot(delta: ProfileDelta, slot: str):
    value = getattr(delta, slot)
    if isinstance(value, list):
        return frozenset(v.lower() for v in value) or None
    return value


def slot_accuracy(pairs: list[tuple[ProfileDelta | None, ProfileDelta]]) -> dict[str, float]:
    """Per slot, the share right among examples where the target or the answer states it; "all" pools the slots.

    Slots neither side states are not counted: they would make a model that says nothing look accurate.
    """
    right: dict[str, int] = defaultdict(int)
    seen: dict[str, int] = defaultdict(int)
    for predicted, target in pairs:
        predicted = predicted or ProfileDelta()
        for slot in SLOTS:
            want, got = _slot(target, slot), _slot(predicted, slot)
            if want is None and got is None:
                continue
            seen[slot] += 1
            right[slot] += want == got
    scores = {slot: right[slot] / seen[slot] for slot in SLOTS if seen[slot]}
    scores["all"] = sum(right.values()) / max(1, sum(seen.values()))
    return scores


def dev_profile_accuracy(profiles: list[LearnerProfile], expected: list[dict]) -> dict[str, float]:
    """Merged profiles against `expected_profile`, only on the slots each dialogue states."""
    right: dict[str, int] = defaultdict(int)
    seen: dict[str, int] = defaultdict(int)
    for profile, wanted in zip(profiles, expected):
        for slot in DEV_SLOTS:
            if slot not in wanted:
                continue
            got = set(profile.liked_formats) if slot == "formats" else getattr(profile, slot)
            want = set(wanted[slot]) if slot == "formats" else wanted[slot]
            seen[slot] += 1
            right[slot] += got == want
    scores = {slot: right[slot] / seen[slot] for slot in DEV_SLOTS if seen[slot]}
    scores["all"] = sum(right.values()) / max(1, sum(seen.values()))
    return scores


def auc(scores: list[float], labels: list[bool]) -> float:
    """Area under the ROC curve: the chance a random positive scores above a random negative (ties count half)."""
    ranked = sorted(zip(scores, labels))
    positives = sum(labels)
    negatives = len(labels) - positives
    if not positives or not negatives:
        return float("nan")
    rank_sum, i = 0.0, 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        average_rank = (i + j + 1) / 2  # 1-based ranks i+1..j share their mean
        rank_sum += average_rank * sum(1 for _, label in ranked[i:j] if label)
        i = j
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def faithful(reason: str, meta: dict) -> bool:
    """The serving checker on a reason example's facts and resource (as stored in the example's meta)."""
    evidence = Evidence(meta["facts"], Resource.model_validate(meta["resource"]), meta["language"],
                        [Fact.model_validate(f) for f in meta["fact_values"]])
    return not problems(reason, evidence)
