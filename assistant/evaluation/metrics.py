"""Ranking, diversity and profile metrics, each a small function of one case's result."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def _hits(recommended: Sequence[set[str]], relevant: set[str]) -> list[bool]:
    """Per rank: does the item (its id or one of its aliases) count as relevant."""
    return [bool(ids & relevant) for ids in recommended]


def ndcg_at_k(recommended: Sequence[set[str]], relevant: set[str], k: int) -> float:
    if not relevant:
        return 0.0
    gains = _hits(recommended[:k], relevant)
    dcg = sum(1.0 / math.log2(i + 2) for i, hit in enumerate(gains) if hit)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(relevant), k)))
    return dcg / ideal


def recall_at_k(recommended: Sequence[set[str]], relevant: set[str], k: int) -> float:
    """Share of the relevant items found in the top k; capped at k relevant so a long list can still reach 1."""
    if not relevant:
        return 0.0
    return sum(_hits(recommended[:k], relevant)) / min(len(relevant), k)


def precision_at_k(recommended: Sequence[set[str]], relevant: set[str], k: int) -> float:
    return sum(_hits(recommended[:k], relevant)) / k


def reciprocal_rank(recommended: Sequence[set[str]], relevant: set[str]) -> float:
    for i, hit in enumerate(_hits(recommended, relevant)):
        if hit:
            return 1.0 / (i + 1)
    return 0.0


def hit_at_k(recommended: Sequence[set[str]], relevant: set[str], k: int) -> float:
    return 1.0 if any(_hits(recommended[:k], relevant)) else 0.0


def intra_list_diversity(embeddings: np.ndarray) -> float:
    """Mean pairwise cosine distance between the recommended items (0 = identical items)."""
    if len(embeddings) < 2:
        return 0.0
    unit = embeddings / np.clip(np.linalg.norm(embeddings, axis=1, keepdims=True), 1e-9, None)
    sims = unit @ unit.T
    upper = sims[np.triu_indices(len(unit), k=1)]
    return float(np.mean(1.0 - upper))


def slot_matches(expected: dict[str, object], extracted: dict[str, object]) -> dict[str, bool]:
    """Per stated slot: does the extracted profile say the same (formats compared as sets)."""
    result = {}
    for slot, want in expected.items():
        got = extracted.get(slot)
        if slot == "formats":
            result[slot] = set(want or []) == set(got or [])
        else:
            result[slot] = got == want
    return result
