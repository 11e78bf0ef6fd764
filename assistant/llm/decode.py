"""Greedy decoding on the model's own KV cache: one prefill (a prompt prefix shared by the batch is read once), then
steps for the rows still running, each verifying a few guessed tokens (lookup decoding) and adding one of the model's
own; rows leave the batch as soon as they hit EOS or a stop string, or the caller's `done_when` says so."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import torch
from transformers import DynamicCache, PreTrainedModel, PreTrainedTokenizerBase

from assistant.llm.lookup import PhraseMemory, draft

REPETITION_PENALTY = 1.1  # what generate() was called with before this loop; kept so greedy outputs do not change
MIN_SHARED_PREFIX = 16  # below this many tokens, reading the prefix once does not pay for copying its cache
DRAFT_TOKENS = 3  # lookup guesses verified per step (0 = one token per step); measured best of 3, 4 and 6 here


@dataclass(frozen=True)
class GenerationLimits:
    max_new_tokens: int = 48
    max_time_s: float = 20.0
    stop: tuple[str, ...] = ()  # a row ends at the first of these after some text (e.g. "\n" for one-line answers)


@dataclass
class Prefill:
    """The batch after reading its prompts: KV cache, attention mask, next positions and next-token logits."""

    cache: DynamicCache
    mask: torch.Tensor  # [B, T], 1 for real tokens, 0 for padding
    positions: torch.Tensor  # [B], position of each row's next token
    logits: torch.Tensor  # [B, V], fp32


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


@torch.inference_mode()
def prefill(model: PreTrainedModel, sequences: list[list[int]], pad_id: int,
            min_shared: int = MIN_SHARED_PREFIX) -> Prefill:
    """Run the prompts; a prefix common to all rows (system prompt, learner summary) is computed once and copied."""
    cache = DynamicCache(config=model.config)
    shared = common_prefix(sequences) if len(sequences) > 1 else 0
    shared = shared if shared >= min_shared else 0
    if shared:
        model(input_ids=torch.tensor([sequences[0][:shared]]), past_key_values=cache, use_cache=True, logits_to_keep=1)
        cache.batch_repeat_interleave(len(sequences))
    ids, suffix_mask = _left_pad([s[shared:] for s in sequences], pad_id)
    # Padding sits between the shared prefix and each row's own tokens; the mask hides it, positions skip it.
    mask = torch.cat([torch.ones(len(sequences), shared, dtype=suffix_mask.dtype), suffix_mask], dim=1)
    positions = (mask.cumsum(1) - 1).clamp(min=0)[:, shared:]
    out = model(input_ids=ids, attention_mask=mask, position_ids=positions, past_key_values=cache, use_cache=True,
                logits_to_keep=1)
    return Prefill(cache, mask, mask.sum(1), out.logits[:, -1].float())


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
                 done_when: Callable[[int, str], bool] | None = None):
        self.model, self.tokenizer, self.sequences, self.limits = model, tokenizer, sequences, limits
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
        return [draft(self.sequences[row] + self.tokens[row], [self.tokens[o] for o in rows if o != row], self.memory,
                      min(self.draft_tokens, space))
                for row, space in zip(rows, room)]

    @torch.inference_mode()
    def steps(self) -> Iterator[None]:
        """Each step feeds every running row its last token plus any draft tokens, keeps the longest draft prefix
        greedy decoding agrees with, and adds the model's own next token; rejected positions are masked out."""
        deadline = time.perf_counter() + self.limits.max_time_s
        pad_id = self.tokenizer.pad_token_id
        state = prefill(self.model, self.sequences, pad_id)
        rows = list(range(len(self.sequences)))
        seen = torch.zeros(len(rows), state.logits.shape[-1], dtype=torch.bool)
        longest = max(map(len, self.sequences))
        for i, sequence in enumerate(self.sequences):
            seen[i, sequence] = True
            seen[i, pad_id] |= len(sequence) < longest
        pending = self._penalised(state.logits, seen).argmax(-1).tolist()
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
                rows, seen, pending = [rows[i] for i in keep], seen[index], [pending[i] for i in keep]
                state.mask, state.positions = state.mask[index], state.positions[index]
            seen[torch.arange(len(rows)), pending] = True
            drafts = self._drafts(rows)
            width = 1 + max(map(len, drafts))
            ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
            block = torch.zeros((len(rows), width), dtype=state.mask.dtype)
            for i, (token, guess) in enumerate(zip(pending, drafts)):
                ids[i, : 1 + len(guess)] = torch.tensor([token, *guess])
                block[i, : 1 + len(guess)] = 1
            out = self.model(input_ids=ids, attention_mask=torch.cat([state.mask, block], dim=1),
                             position_ids=state.positions[:, None] + torch.arange(width), past_key_values=state.cache,
                             use_cache=True)
            logits = out.logits.float()
            block.zero_()  # rebuilt below: 1 only where the cache now holds an accepted token
            for i, (row, guess) in enumerate(zip(rows, drafts)):
                kept = 1  # the pending token
                for j in range(len(guess) + 1):
                    token = int(self._penalised(logits[i, j], seen[i]).argmax())
                    if not self._emit(row, token):
                        break
                    if j < len(guess) and token == guess[j]:
                        seen[i, token] = True
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
