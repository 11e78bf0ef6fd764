"""Reading prompts into the KV cache: a prefix shared by every row is read once (or not at all when an earlier batch
kept it), a prefix shared by the rows of one group (one learner's request) is read once per group, and each row's own
tokens are read in one padded pass."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from assistant.llm.hf.lean import KVCache, LeanLlama

MIN_SHARED_PREFIX = 16  # below this many tokens, reading the prefix once does not pay for copying its cache


@dataclass
class Prefill:
    """The batch after reading its prompts: KV cache, attention mask, next positions and last hidden states."""

    cache: KVCache
    mask: torch.Tensor  # [B, T], 1 for real tokens, 0 for padding
    positions: torch.Tensor  # [B], position of each row's next token
    hidden: torch.Tensor  # [B, H], the final hidden state at each row's last prompt token


def common_prefix(sequences: Sequence[Sequence[int]]) -> int:
    """How many leading tokens all sequences share, leaving each at least one token of its own."""
    first, limit = sequences[0], min(len(s) for s in sequences) - 1
    n = 0
    while n < limit and all(s[n] == first[n] for s in sequences):
        n += 1
    return n


def left_pad(sequences: Sequence[Sequence[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(s) for s in sequences)
    ids = torch.tensor([[pad_id] * (width - len(s)) + list(s) for s in sequences])
    mask = torch.tensor([[0] * (width - len(s)) + [1] * len(s) for s in sequences])
    return ids, mask


class PrefixCache:
    """KV caches of prompt prefixes whole batches shared (a task's system prompt), kept across calls: a later batch
    starting with one of them reads only its own tokens. Least recently used prefixes go first."""

    def __init__(self, size: int = 8):
        self.size = size
        self._caches: OrderedDict[tuple[int, ...], KVCache] = OrderedDict()

    def longest(self, tokens: Sequence[int]) -> int:
        """Length of the longest kept prefix that `tokens` starts with (0 = none)."""
        return max((len(key) for key in self._caches if tuple(tokens[: len(key)]) == key), default=0)

    def get(self, prefix: Sequence[int]) -> KVCache:
        self._caches.move_to_end(tuple(prefix))
        return self._caches[tuple(prefix)].copy()

    def put(self, prefix: Sequence[int], cache: KVCache) -> None:
        self._caches[tuple(prefix)] = cache.copy()
        while len(self._caches) > self.size:
            self._caches.popitem(last=False)


def _shared_cache(lean: LeanLlama, sequences: Sequence[Sequence[int]], min_shared: int,
                  prefixes: PrefixCache | None) -> tuple[KVCache, int]:
    """A one-row cache of the prefix every sequence shares (kept, extended or not read at all) and its length."""
    common = common_prefix(sequences)
    known = prefixes.longest(sequences[0][:common]) if prefixes is not None else 0
    shared = known if known >= min_shared else 0
    cache = prefixes.get(sequences[0][:shared]) if shared else lean.cache()
    if len(sequences) > 1 and common - shared >= min_shared:  # the batch shares more than was kept: read it once
        lean.forward(torch.tensor([sequences[0][shared:common]]), torch.arange(shared, common)[None],
                     torch.ones(1, common, dtype=torch.long), cache)
        shared = common
        if prefixes is not None:
            prefixes.put(sequences[0][:shared], cache)
    return cache, shared


def _read(lean: LeanLlama, cache: KVCache, before: torch.Tensor, tails: Sequence[Sequence[int]],
          pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Read each row's tail after what `cache` holds (`before`: its mask); padding sits between the two, the mask hides
    it and positions skip it. Returns the whole mask and the last hidden states."""
    ids, tail_mask = left_pad(tails, pad_id)
    mask = torch.cat([before, tail_mask], dim=1)
    positions = (mask.cumsum(1) - 1).clamp(min=0)[:, before.shape[1]:]
    hidden = lean.forward(ids, positions, mask, cache)
    return mask, hidden[:, -1]


def prefill(lean: LeanLlama, sequences: Sequence[Sequence[int]], pad_id: int,
            min_shared: int = MIN_SHARED_PREFIX, prefixes: PrefixCache | None = None) -> Prefill:
    """Run the prompts; a prefix common to all rows (system prompt, learner summary) is computed once and copied,
    or not at all when `prefixes` kept it from an earlier batch."""
    cache, shared = _shared_cache(lean, sequences, min_shared, prefixes)
    cache.select(torch.zeros(len(sequences), dtype=torch.long))
    mask, hidden = _read(lean, cache, torch.ones(len(sequences), shared, dtype=torch.long),
                         [s[shared:] for s in sequences], pad_id)
    return Prefill(cache, mask, mask.sum(1), hidden)


def prefill_groups(lean: LeanLlama, groups: Sequence[Sequence[Sequence[int]]], pad_id: int,
                   min_shared: int = MIN_SHARED_PREFIX, prefixes: PrefixCache | None = None) -> Prefill:
    """Run the prompts of several groups (each one learner's rows) in one batch, rows in group order: the prefix all
    rows share is read once, a group's own shared prefix once per group, then every row's own tokens."""
    if len(groups) == 1:
        return prefill(lean, groups[0], pad_id, min_shared, prefixes)
    rows = [s for group in groups for s in group]
    cache, shared = _shared_cache(lean, rows, min_shared, prefixes)
    ends = []  # where each group's shared prefix ends: its rows read on from there
    for group in groups:
        own = common_prefix(group) if len(group) > 1 else 0
        ends.append(own if own - shared >= min_shared else shared)
    cache.select(torch.zeros(len(groups), dtype=torch.long))
    before = torch.ones(len(groups), shared, dtype=torch.long)
    reading = [g for g, end in enumerate(ends) if end > shared]
    if reading:
        # Groups with a prefix of their own read it in one pass; the others' rows stay masked over those columns.
        where = torch.tensor(reading)
        sub = cache.copy()
        sub.select(where)
        sub_mask, _ = _read(lean, sub, before[where], [groups[g][0][shared:ends[g]] for g in reading], pad_id)
        width = sub_mask.shape[1] - shared
        cache.reserve(width)
        for mine, theirs in ((cache.keys, sub.keys), (cache.values, sub.values)):
            for i, t in enumerate(mine):
                t[:, :, shared:shared + width] = 0
                t[where, :, shared:shared + width] = theirs[i][:, :, shared:shared + width]
        cache.length = shared + width
        before = torch.cat([before, torch.zeros(len(groups), width, dtype=torch.long)], dim=1)
        before[where] = sub_mask
    cache.select(torch.tensor([g for g, group in enumerate(groups) for _ in group]))
    tails = [s[end:] for group, end in zip(groups, ends) for s in group]
    mask, hidden = _read(lean, cache, before[torch.tensor([g for g, group in enumerate(groups) for _ in group])],
                         tails, pad_id)
    return Prefill(cache, mask, mask.sum(1), hidden)
