"""Item-item collaborative filtering from implicit feedback: "learners who used X also used Y"."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse


@dataclass(frozen=True)
class Interaction:
    """One positive event of a learner on a resource; repeated events on the same pair add up."""

    user: str
    item: str
    weight: float = 1.0


class ItemItemModel:
    """Asymmetric-cosine item similarities over a (BM25-weighted) learner x item matrix, pruned to k neighbours.

    alpha 0.5 without shrink is plain cosine. Below 0.5, sim(i -> j) leans towards the share of j's learners who
    also used i, so popular items do not swamp the list; the defaults are measured in `bench/oulad_collaborative.py`.
    """

    def __init__(self, items: Sequence[str], similarity: sparse.csr_array, users_per_item: np.ndarray, n_users: int):
        self._items = list(items)
        self._index = {item: i for i, item in enumerate(self._items)}
        self._similarity = similarity
        self._popularity = users_per_item / max(n_users, 1)

    @classmethod
    def fit(
        cls,
        interactions: Iterable[Interaction],
        *,
        neighbours: int | None = 200,
        alpha: float = 0.3,
        shrink: float = 10.0,
        bm25: bool = False,
    ) -> ItemItemModel:
        """Learn item similarities from positive events.

        `neighbours` items kept per item (None: all); `alpha` > 0.5 favours popular neighbours; `shrink` (in learners,
        for unit weights) damps co-occurrences seen only a few times; `bm25` down-weights learners who used everything.
        """
        users: dict[str, int] = {}
        items: dict[str, int] = {}
        rows, cols, values = [], [], []
        for event in interactions:
            if event.weight <= 0:
                raise ValueError(f"interaction weights must be positive (got {event.weight} for {event.item!r})")
            rows.append(users.setdefault(event.user, len(users)))
            cols.append(items.setdefault(event.item, len(items)))
            values.append(event.weight)
        matrix = sparse.csr_array((values, (rows, cols)), shape=(len(users), len(items)), dtype=np.float64)
        matrix.sum_duplicates()
        users_per_item = np.diff(matrix.tocsc().indptr).astype(np.float64)
        if bm25:
            matrix = _bm25(matrix)
        similarity = _similarity(matrix, alpha=alpha, shrink=shrink, neighbours=neighbours)
        return cls(list(items), similarity, users_per_item, len(users))

    @property
    def empty(self) -> bool:
        """True before any learner has given feedback: every score is then 0."""
        return self._similarity.nnz == 0

    def scores(self, history: Mapping[str, float], candidates: Sequence[str]) -> dict[str, float]:
        """Score in [0, 1] per candidate (0 = no evidence): the history-weighted mean similarity to liked items."""
        rows, weights = self._liked(history)
        if not rows:
            return dict.fromkeys(candidates, 0.0)
        totals = self._similarity[rows].T @ weights / weights.sum()
        return {c: min(float(totals[i]), 1.0) if (i := self._index.get(c)) is not None else 0.0 for c in candidates}

    def evidence(self, history: Mapping[str, float], candidate: str) -> tuple[str, float] | None:
        """The liked item that most supports `candidate` and its weighted similarity; None without evidence."""
        rows, weights = self._liked(history)
        column = self._index.get(candidate)
        if not rows or column is None:
            return None
        support = self._similarity[rows][:, [column]].toarray().ravel() * weights
        best = int(np.argmax(support))
        if support[best] <= 0:
            return None
        return self._items[rows[best]], min(float(support[best]), 1.0)

    def popularity(self) -> dict[str, float]:
        """Share of learners who used each item, in [0, 1]."""
        return {item: float(share) for item, share in zip(self._items, self._popularity)}

    def _liked(self, history: Mapping[str, float]) -> tuple[list[int], np.ndarray]:
        known = [(self._index[item], weight) for item, weight in history.items() if weight > 0 and item in self._index]
        return [row for row, _ in known], np.array([weight for _, weight in known], dtype=np.float64)


def _bm25(matrix: sparse.csr_array, k1: float = 100.0, b: float = 0.8) -> sparse.csr_array:
    """BM25-weight a learner x item matrix: items are the documents, learners the terms (as `implicit` does)."""
    weighted = matrix.tocsc()
    item_lengths = np.asarray(weighted.sum(axis=0)).ravel()
    length_norm = (1 - b) + b * item_lengths / max(item_lengths.mean(), 1e-12)
    items_per_user = np.diff(matrix.indptr)
    # a learner who used (nearly) every item says nothing about any pair: clip instead of a negative weight
    idf = np.clip(np.log(max(matrix.shape[1], 1)) - np.log1p(items_per_user), 0.0, None)
    weighted = weighted.tocoo()
    weighted.data = weighted.data * (k1 + 1) / (k1 * length_norm[weighted.col] + weighted.data) * idf[weighted.row]
    weighted = sparse.csr_array(weighted)
    weighted.eliminate_zeros()
    return weighted


def _similarity(matrix: sparse.csr_array, *, alpha: float, shrink: float, neighbours: int | None) -> sparse.csr_array:
    """sim(i -> j) = co(i, j) / (n_i^alpha n_j^(1-alpha) + shrink), n = squared column norm (user count if binary).

    Keeps each item's `neighbours` most similar items (all when None).
    """
    co = (matrix.T @ matrix).tocsr()
    co.setdiag(0)
    co.eliminate_zeros()
    sizes = np.asarray(matrix.multiply(matrix).sum(axis=0)).ravel()
    co = co.tocoo()
    co.data = co.data / (sizes[co.row] ** alpha * sizes[co.col] ** (1 - alpha) + shrink)
    co = sparse.csr_array(co)
    return co if neighbours is None else _top_k(co, neighbours)


def _top_k(similarity: sparse.csr_array, k: int) -> sparse.csr_array:
    """Keep the k largest entries of every row (an item's nearest neighbours)."""
    rows, cols, values = [], [], []
    for row in range(similarity.shape[0]):
        start, end = similarity.indptr[row], similarity.indptr[row + 1]
        keep = np.argsort(-similarity.data[start:end])[:k] + start
        rows.append(np.full(len(keep), row))
        cols.append(similarity.indices[keep])
        values.append(similarity.data[keep])
    if not rows:
        return sparse.csr_array(similarity.shape)
    return sparse.csr_array(
        (np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))), shape=similarity.shape
    )
