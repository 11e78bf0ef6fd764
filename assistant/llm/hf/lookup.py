"""Draft tokens for lookup decoding: guesses of the next few tokens, verified by the model in one forward pass.

Guesses come from the text itself (answers here copy their inputs: facts, names, topics), then from the other rows of
the batch, then from phrasings the caller expects (the wordings the model was tuned on, filled with this row's facts),
then from the model's earlier answers (it reuses its phrasing). A right guess saves a decoding step; a
wrong one costs a slightly wider step, never a different answer."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

MAX_NGRAM = 3
MIN_NGRAM = 2  # a one-token match ("it", ",") guesses wrong too often to widen a step for it...
FILL_NGRAM = 1  # ...but costs nothing when another row's guess already sets the width of the step
CONTINUATION = 6  # tokens remembered after each n-gram of an earlier answer
MAX_ENTRIES = 200_000  # n-grams remembered at most: bounds the memory of a long-running server
MAX_VARIANTS = 8  # continuations counted per n-gram, for the same reason


def _after(source: Sequence[int], tail: Sequence[int], end: int) -> int | None:
    """Index just after the latest occurrence of `tail` ending at or before `end`, or None."""
    n = len(tail)
    for stop in range(end, n - 1, -1):
        if source[stop - n:stop] == tail:
            return stop
    return None


class PhraseMemory:
    """What followed each n-gram in the model's earlier answers (the most frequent continuation wins)."""

    def __init__(self) -> None:
        self._seen: dict[tuple[int, ...], Counter[tuple[int, ...]]] = {}

    def learn(self, tokens: Sequence[int]) -> None:
        for n in range(FILL_NGRAM, MAX_NGRAM + 1):
            for i in range(len(tokens) - n):
                key = tuple(tokens[i:i + n])
                if key not in self._seen and len(self._seen) >= MAX_ENTRIES:
                    continue
                counts = self._seen.setdefault(key, Counter())
                after = tuple(tokens[i + n:i + n + CONTINUATION])
                if after in counts or len(counts) < MAX_VARIANTS:
                    counts[after] += 1

    def recall(self, tail: Sequence[int]) -> list[int]:
        found = self._seen.get(tuple(tail))
        return list(found.most_common(1)[0][0]) if found else []


def draft(context: Sequence[int], others: Sequence[Sequence[int]], memories: Sequence[PhraseMemory], size: int,
          min_ngram: int = MIN_NGRAM) -> list[int]:
    """Up to `size` guessed next tokens for `context` (prompt + answer so far), matching at least `min_ngram` tokens;
    a longer match wins, then the text itself, the other rows and the memories in their order."""
    if size <= 0:
        return []
    context = list(context)
    for n in range(MAX_NGRAM, min_ngram - 1, -1):
        if len(context) <= n:
            continue
        tail = context[-n:]
        at = _after(context, tail, len(context) - 1)
        if at is not None:
            return context[at:at + size]
        for other in map(list, others):
            at = _after(other, tail, len(other) - 1)
            if at is not None:
                return other[at:at + size]
        for memory in memories:
            if guess := memory.recall(tail):
                return guess[:size]
    return []
