"""The final order: what the learner must learn first leads, the rest is picked by MMR so the list is not ten copies."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from assistant.catalog.dedupe import site_of
from assistant.ranking.fusion import Ranked
from assistant.ranking.types import Focus

BAND = 0.8  # diversify among the candidates scoring at least this share of the best (rescaled), if k of them


def mmr(ranked: Sequence[Ranked], k: int, trade_off: float, chosen: Sequence[Ranked] = ()) -> list[Ranked]:
    """Maximal marginal relevance: each pick maximises trade_off * score - (1 - trade_off) * closeness to picks.

    Scores are rescaled to [0, 1] over the pool so the trade-off means the same whatever the weights are. Only the
    strong band of candidates takes part when it is large enough: variety among good answers, not a weak outsider
    picked for being different.
    """
    taken = {id(r) for r in chosen}  # identity: Ranked holds numpy arrays, so == would compare them
    pool = [r for r in ranked if r.candidate.embedding is not None and id(r) not in taken]
    if trade_off >= 1.0 or not pool:
        return list(chosen) + [r for r in ranked if id(r) not in taken][: k - len(chosen)]
    scores = np.array([r.score for r in pool])
    spread = scores.max() - scores.min()
    relevance = (scores - scores.min()) / spread if spread > 0 else np.ones_like(scores)
    band = relevance >= BAND
    if band.sum() >= k - len(chosen):
        pool = [r for r, keep in zip(pool, band) if keep]
        relevance = relevance[band]
    vectors = np.stack([r.candidate.embedding for r in pool])
    picked = list(chosen)
    closeness = np.zeros(len(pool))
    for r in picked:
        if r.candidate.embedding is not None:
            closeness = np.maximum(closeness, vectors @ r.candidate.embedding)
    available = np.ones(len(pool), dtype=bool)
    while len(picked) < k and available.any():
        value = trade_off * relevance - (1 - trade_off) * closeness
        value[~available] = -np.inf
        best = int(np.argmax(value))
        picked.append(pool[best])
        available[best] = False
        closeness = np.maximum(closeness, vectors @ vectors[best])
    return picked


def one_per_work(ranked: Sequence[Ranked]) -> list[Ranked]:
    """The best-scored copy of each work: the catalog lists some books twice (a PDF and an HTML edition at other
    addresses, same title and author; or, without an author, on the same site), and one list showing both says
    nothing new about the second."""
    seen: set[tuple[str, ...]] = set()
    kept = []
    for r in ranked:
        resource = r.candidate.resource
        # Untitled-by-author copies only match on one site: "Learn JavaScript" names two different sites' tutorials.
        maker = " ".join((resource.authors or "").lower().split()) or f"@{site_of(str(resource.url))}"
        key = (" ".join(resource.title.lower().split()), maker, resource.section or "")
        if key in seen:
            continue
        seen.add(key)
        kept.append(r)
    return kept


def arrange(ranked: Sequence[Ranked], focus: Focus, k: int, trade_off: float) -> list[Ranked]:
    """Resources for missing prerequisites first (at most half the list, one per concept before any second),
    then the rest by MMR; one copy of each work."""
    ranked = one_per_work(ranked)
    needed = [n.concept.tag for n in focus.needs]
    first: list[Ranked] = []
    if needed:
        by_concept = {tag: [r for r in ranked if r.candidate.resource.concept == tag] for tag in needed}
        quota = max(1, k // 2)
        depth = 0
        while len(first) < quota and any(len(v) > depth for v in by_concept.values()):
            for tag in needed:
                if depth < len(by_concept[tag]) and len(first) < quota:
                    first.append(by_concept[tag][depth])
            depth += 1
    return mmr(ranked, k, trade_off, chosen=first)
