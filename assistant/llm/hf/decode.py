"""Greedy decoding on the model's own KV cache: one prefill (a prompt prefix shared by the batch is read once), then
steps for the rows still running, each verifying a few guessed tokens (lookup decoding) and adding one of the model's
own; rows leave the batch as soon as they hit EOS or a stop string, or the caller's `done_when` says so. A row may be
limited to a set of tokens (the words its answer may use): only those columns of the output projection are computed."""

from __future__ import annotations

import copy
import time
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from transformers import DynamicCache, PreTrainedModel, PreTrainedTokenizerBase

from assistant.llm.base import GenerationLimits
from assistant.llm.hf.lookup import FILL_NGRAM, PhraseMemory, draft

REPETITION_PENALTY = 1.1  # what generate() was called with before this loop; kept so greedy outputs do not change
MIN_SHARED_PREFIX = 16  # below this many tokens, reading the prefix once does not pay for copying its cache
DRAFT_TOKENS = 5  # lookup guesses verified per step (0 = one token per step); with phrasing hints 5 beat 3 and 4 (bench)


@dataclass
class Prefill:
    """The batch after reading its prompts: KV cache, attention mask, next positions and last hidden states."""

    cache: DynamicCache
    mask: torch.Tensor  # [B, T], 1 for real tokens, 0 for padding
    positions: torch.Tensor  # [B], position of each row's next token
    hidden: torch.Tensor  # [B, H], the final hidden state at each row's last prompt token


class Columns:
    """The output-projection columns a batch decodes over: the whole vocabulary, or only the union of the tokens its
    rows may emit (each row masked to its own), which makes the widest matrix product of a step ~50x smaller."""

    def __init__(self, model: PreTrainedModel, allowed: list[Collection[int]] | None = None):
        self.head = model.get_output_embeddings()
        size = self.head.weight.shape[0]
        if allowed is None:
            self.ids, self.weight, self.blocked = torch.arange(size), None, None
        else:
            self.ids = torch.tensor(sorted(set().union(*allowed)), dtype=torch.long)
            self.weight = self.head.weight.detach().float()[self.ids]
            self.blocked = torch.ones(len(allowed), len(self.ids), dtype=torch.bool)
            for row, tokens in enumerate(allowed):
                self.blocked[row, torch.isin(self.ids, torch.tensor(sorted(tokens), dtype=torch.long))] = False
        self.column_of = torch.full((size,), -1, dtype=torch.long)
        self.column_of[self.ids] = torch.arange(len(self.ids))

    def logits(self, hidden: torch.Tensor, rows: torch.Tensor | None = None) -> torch.Tensor:
        """fp32 logits over the columns for hidden states [B, ..., H]; a row's blocked tokens get -inf."""
        if self.weight is None:
            return self.head(hidden).float()
        logits = F.linear(hidden.float(), self.weight)
        blocked = self.blocked if rows is None else self.blocked[rows]
        return logits.masked_fill(blocked.view(blocked.shape[0], *[1] * (logits.dim() - 2), -1), float("-inf"))


def common_prefix(sequences: list[list[int]]) -> int:
    """How many leading tokens all sequences share, leaving each at least one token of its own."""
    first, limit = sequences[0], min(len(s) for s in sequences) - 1
    n = 0
    while n < limit and all(s[n] == first[n] for s in sequences):
        n += 1
    return n


def _left_pad(sequences: list[list[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(s) for s in sequences)
    ids = torch.tensor([[pad_id] * (width - len(s)) + s for s in sequences])
    mask = torch.tensor([[0] * (width - len(s)) + [1] * len(s) for s in sequences])
    return ids, mask


class PrefixCache:
    """KV caches of prompt prefixes whole batches shared (a task's system prompt), kept across calls: a later batch
    starting with one of them reads only its own tokens. Least recently used prefixes go first."""

    def __init__(self, size: int = 8):
        self.size = size
        self._caches: OrderedDict[tuple[int, ...], DynamicCache] = OrderedDict()

    def longest(self, tokens: list[int]) -> int:
        """Length of the longest kept prefix that `tokens` starts with (0 = none)."""
        return max((len(key) for key in self._caches if tuple(tokens[: len(key)]) == key), default=0)

    def get(self, prefix: list[int]) -> DynamicCache:
        self._caches.move_to_end(tuple(prefix))
        return copy.deepcopy(self._caches[tuple(prefix)])

    def put(self, prefix: list[int], cache: DynamicCache) -> None:
        self._caches[tuple(prefix)] = copy.deepcopy(cache)
        while len(self._caches) > self.size:
            self._caches.popitem(last=False)


@torch.inference_mode()
def prefill(model: PreTrainedModel, sequences: list[list[int]], pad_id: int,
            min_shared: int = MIN_SHARED_PREFIX, prefixes: PrefixCache | None = None) -> Prefill:
    """Run the prompts; a prefix common to all rows (system prompt, learner summary) is computed once and copied,
    or not at all when `prefixes` kept it from an earlier batch."""
    common = common_prefix(sequences)
    known = prefixes.longest(sequences[0][:common]) if prefixes is not None else 0
    shared = known if known >= min_shared else 0
    cache = prefixes.get(sequences[0][:shared]) if shared else DynamicCache(config=model.config)
    if len(sequences) > 1 and common - shared >= min_shared:  # the batch shares more than was kept: read it once
        model.base_model(input_ids=torch.tensor([sequences[0][shared:common]]), past_key_values=cache, use_cache=True)
        shared = common
        if prefixes is not None:
            prefixes.put(sequences[0][:shared], cache)
    if shared:
        cache.batch_repeat_interleave(len(sequences))
    ids, suffix_mask = _left_pad([s[shared:] for s in sequences], pad_id)
    # Padding sits between the shared prefix and each row's own tokens; the mask hides it, positions skip it.
    mask = torch.cat([torch.ones(len(sequences), shared, dtype=suffix_mask.dtype), suffix_mask], dim=1)
    positions = (mask.cumsum(1) - 1).clamp(min=0)[:, shared:]
    out = model.base_model(input_ids=ids, attention_mask=mask, position_ids=positions, past_key_values=cache,
                           use_cache=True)
    return Prefill(cache, mask, mask.sum(1), out.last_hidden_state[:, -1])


def cut_at_stop(text: str, stops: tuple[str, ...]) -> tuple[str, bool]:
    """The text before the first stop string that follows some non-blank text, and whether one was found."""
    start = len(text) - len(text.lstrip())
    hits = [i for i in (text.find(s, start) for s in stops) if i >= 0]
    return (text[: min(hits)], True) if hits else (text, False)


def eos_ids(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase) -> set[int]:
    eos = model.generation_config.eos_token_id
    if eos is None:
        eos = tokenizer.eos_token_id
    return set(eos) if isinstance(eos, list) else {eos}


class GreedyDecoder:
    """Greedy decoding of one batch; `steps()` yields after every step so a caller can stream `text(row)`."""

    def __init__(self, model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, sequences: list[list[int]],
                 limits: GenerationLimits, draft_tokens: int = DRAFT_TOKENS, memory: PhraseMemory | None = None,
                 done_when: Callable[[int, str], bool] | None = None, allowed: list[Collection[int]] | None = None,
                 prefixes: PrefixCache | None = None, hints: list[list[list[int]]] | None = None):
        self.model, self.tokenizer, self.sequences, self.limits = model, tokenizer, sequences, limits
        self.allowed = allowed  # per row, the only tokens it may emit (EOS is always added); None = any token
        self.prefixes = prefixes
        self.hints = [PhraseMemory() for _ in sequences]  # per row, token sequences its answer is expected to follow
        for memory, expected in zip(self.hints, hints or []):
            for tokens in expected:
                memory.learn(tokens)
        self.draft_tokens, self.memory = draft_tokens, memory
        self.done_when = done_when  # (row, text so far) -> True ends the row: the caller knows more text is wasted
        self.tokens: list[list[int]] = [[] for _ in sequences]
        self.running = [True] * len(sequences)
        self._eos = eos_ids(model, tokenizer)

    def text(self, row: int) -> str:
        """The row's text so far, cut at a stop string."""
        text = self.tokenizer.decode(self.tokens[row], skip_special_tokens=True)
        return cut_at_stop(text, self.limits.stop)[0]

    def settled_text(self, row: int) -> str:
        """The part of `text(row)` later tokens cannot change: no half-decoded character, no possible stop start."""
        text = self.text(row)
        if not self.running[row]:
            return text
        text = text.rstrip("\ufffd")
        hold = max((k for s in self.limits.stop for k in range(1, len(s)) if text.endswith(s[:k])), default=0)
        return text[: len(text) - hold]

    def _finished(self, row: int, token: int) -> bool:
        if token in self._eos:
            return True
        self.tokens[row].append(token)
        if not self.limits.stop:
            return False
        return cut_at_stop(self.tokenizer.decode(self.tokens[row], skip_special_tokens=True), self.limits.stop)[1]

    def _penalised(self, logits: torch.Tensor, seen: torch.Tensor) -> torch.Tensor:
        # Repetition penalty over every token a row has seen, prompt padding included, exactly as generate() does.
        return torch.where(seen, torch.where(logits < 0, logits * REPETITION_PENALTY, logits / REPETITION_PENALTY), logits)

    def _emit(self, row: int, token: int) -> bool:
        """Record one chosen token; False once the row is finished (EOS, stop string or token limit)."""
        if self._finished(row, token) or len(self.tokens[row]) >= self.limits.max_new_tokens:
            self.running[row] = False
        return self.running[row]

    def _end_done(self, rows: list[int]) -> None:
        if self.done_when is not None:
            for row in rows:
                if self.running[row] and self.done_when(row, self.text(row)):
                    self.running[row] = False

    def _drafts(self, rows: list[int]) -> list[list[int]]:
        if not self.draft_tokens:
            return [[] for _ in rows]
        room = [self.limits.max_new_tokens - len(self.tokens[row]) - 1 for row in rows]
        contexts = [self.sequences[row] + self.tokens[row] for row in rows]
        others = [[self.tokens[o] for o in rows if o != row] for row in rows]
        memories = [[self.hints[row]] + ([self.memory] if self.memory is not None else []) for row in rows]
        drafts = [draft(c, o, m, min(self.draft_tokens, space))
                  for c, o, m, space in zip(contexts, others, memories, room)]
        width = max(map(len, drafts))
        # Another row's guess sets the step's width; a row without one fills it with a weaker guess at no extra cost.
        return [d or draft(c, o, m, min(width, space), FILL_NGRAM)
                for d, c, o, m, space in zip(drafts, contexts, others, memories, room)]

    @torch.inference_mode()
    def steps(self) -> Iterator[None]:
        """Each step feeds every running row its last token plus any draft tokens, keeps the longest draft prefix
        greedy decoding agrees with, and adds the model's own next token; rejected positions are masked out."""
        deadline = time.perf_counter() + self.limits.max_time_s
        pad_id = self.tokenizer.pad_token_id
        allowed = None if self.allowed is None else [set(tokens) | self._eos for tokens in self.allowed]
        columns = Columns(self.model, allowed)
        state = prefill(self.model, self.sequences, pad_id, prefixes=self.prefixes)
        rows = list(range(len(self.sequences)))
        live = torch.arange(len(rows))  # each batch row's index among the rows the decoder started with
        # Tokens each row has seen, as columns (a token outside the columns can never be chosen, so never penalised).
        seen = torch.zeros(len(rows), len(columns.ids), dtype=torch.bool)
        longest = max(map(len, self.sequences))
        for i, sequence in enumerate(self.sequences):
            present = columns.column_of[sequence + ([pad_id] if len(sequence) < longest else [])]
            seen[i, present[present >= 0]] = True
        chosen = self._penalised(columns.logits(state.hidden), seen).argmax(-1)
        pending = columns.ids[chosen].tolist()
        for row, token in zip(rows, pending):
            self._emit(row, token)
        self._end_done(rows)
        while time.perf_counter() <= deadline:
            keep = [i for i, row in enumerate(rows) if self.running[row]]
            if not keep:
                break
            yield
            if len(keep) < len(rows):  # finished rows leave the batch: later steps only pay for the rest
                index = torch.tensor(keep)
                state.cache.batch_select_indices(index)
                rows, seen, pending, live = [rows[i] for i in keep], seen[index], [pending[i] for i in keep], live[index]
                state.mask, state.positions = state.mask[index], state.positions[index]
            marked = columns.column_of[torch.tensor(pending)]
            seen[torch.arange(len(rows))[marked >= 0], marked[marked >= 0]] = True
            drafts = self._drafts(rows)
            width = 1 + max(map(len, drafts))
            ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
            block = torch.zeros((len(rows), width), dtype=state.mask.dtype)
            for i, (token, guess) in enumerate(zip(pending, drafts)):
                ids[i, : 1 + len(guess)] = torch.tensor([token, *guess])
                block[i, : 1 + len(guess)] = 1
            out = self.model.base_model(input_ids=ids, attention_mask=torch.cat([state.mask, block], dim=1),
                                        position_ids=state.positions[:, None] + torch.arange(width),
                                        past_key_values=state.cache, use_cache=True)
            logits = columns.logits(out.last_hidden_state, live)
            block.zero_()  # rebuilt below: 1 only where the cache now holds an accepted token
            for i, (row, guess) in enumerate(zip(rows, drafts)):
                kept = 1  # the pending token
                for j in range(len(guess) + 1):
                    column = int(self._penalised(logits[i, j], seen[i]).argmax())
                    token = int(columns.ids[column])
                    if not self._emit(row, token):
                        break
                    if j < len(guess) and token == guess[j]:
                        seen[i, column] = True
                        kept += 1
                        continue
                    pending[i] = token
                    break
                block[i, :kept] = 1
            state.mask = torch.cat([state.mask, block], dim=1)
            state.positions = state.positions + block.sum(1)
            self._end_done(rows)
        self.running = [False] * len(self.sequences)
        yield
