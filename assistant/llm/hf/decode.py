"""Greedy decoding on the model's own KV cache, for rows that join and leave: rows are admitted in groups between
steps (their prompts read by prefill.py, their caches merged into the running batch), each step feeds every running
row its last token plus a few guessed tokens (lookup decoding) and keeps the longest guess greedy decoding agrees
with, and a row leaves as soon as it hits EOS, a stop string, its token limit, its deadline, or its `done` predicate.
A row may be limited to a set of tokens (the words its answer may use): only those columns of the output projection
are computed. Rows admitted together decode exactly as one batch decoded alone."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from assistant.llm.base import GenerationLimits
from assistant.llm.hf.lean import KVCache, LeanLlama, Linear
from assistant.llm.hf.lookup import FILL_NGRAM, MAX_NGRAM, PhraseMemory, draft
from assistant.llm.hf.prefill import PrefixCache, prefill_groups

REPETITION_PENALTY = 1.1  # what generate() was called with before this loop; kept so greedy outputs do not change
DRAFT_TOKENS = 5  # lookup guesses verified per step (0 = one token per step); with phrasing hints 5 beat 3 and 4 (bench)
DRAFT_MAX_ROWS = 32  # measured: at 5, 10 and 20 rows the guesses still save more steps than the wider steps cost
TRIM_COLUMNS = 32  # leading columns of padding every row has, cut from the cache once there are this many


@dataclass
class Row:
    """One answer being written: its prompt, limits and per-row features, and the tokens so far."""

    prompt: list[int]
    limits: GenerationLimits
    allowed: set[int] | None = None  # the only tokens it may emit (EOS is always added); None = any token
    done: Callable[[str], bool] | None = None  # text so far -> True ends the row
    hints: PhraseMemory = field(default_factory=PhraseMemory)  # token sequences its answer is expected to follow
    group: int = 0  # rows of one group (one learner's request) guess from each other's text
    on_step: Callable[[Row], None] | None = None  # called after every step the row takes part in (streaming)
    tokens: list[int] = field(default_factory=list)
    running: bool = True
    padded: bool = False  # shorter than the longest prompt it was prefilled with (generate() penalises the pad token)
    deadline: float = float("inf")
    pending: int = -1  # the token to feed next


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


class Columns:
    """The output-projection columns a batch decodes over: the whole vocabulary, or only the union of the tokens its
    rows may emit (each row masked to its own), which makes the widest matrix product of a step ~50x smaller."""

    def __init__(self, head: Linear, allowed: Sequence[Collection[int] | None]):
        self.head = head
        size = self.head.weight.shape[0]
        limited = [a for a in allowed if a is not None]
        if len(limited) < len(allowed):  # a row without a limit needs every column
            self.ids, self.weight = torch.arange(size), None
        else:
            self.ids = torch.tensor(sorted(set().union(*limited)), dtype=torch.long)
            self.weight = self.head.weight.detach().float()[self.ids]
        self.column_of = torch.full((size,), -1, dtype=torch.long)
        self.column_of[self.ids] = torch.arange(len(self.ids))
        self.blocked = None
        if limited:
            self.blocked = torch.zeros(len(allowed), len(self.ids), dtype=torch.bool)
            for row, tokens in enumerate(allowed):
                if tokens is not None:
                    self.blocked[row] = ~torch.isin(self.ids, torch.tensor(sorted(tokens), dtype=torch.long))

    def keep(self, index: torch.Tensor) -> None:
        if self.blocked is not None:
            self.blocked = self.blocked[index]

    def logits(self, hidden: torch.Tensor) -> torch.Tensor:
        """fp32 logits over the columns for hidden states [B, ..., H]; a row's blocked tokens get -inf."""
        logits = self.head(hidden) if self.weight is None else F.linear(hidden.float(), self.weight)
        if self.blocked is None:
            return logits
        blocked = self.blocked.view(self.blocked.shape[0], *[1] * (logits.dim() - 2), -1)
        return logits.masked_fill(blocked, float("-inf"))


def _penalised(logits: torch.Tensor, seen: torch.Tensor) -> torch.Tensor:
    # Repetition penalty over every token a row has seen, prompt padding included, exactly as generate() does.
    return torch.where(seen, torch.where(logits < 0, logits * REPETITION_PENALTY, logits / REPETITION_PENALTY), logits)


def _pad_left(tensor: torch.Tensor, width: int, dim: int) -> torch.Tensor:
    if tensor.shape[dim] >= width:
        return tensor
    shape = list(tensor.shape)
    shape[dim] = width - tensor.shape[dim]
    return torch.cat([tensor.new_zeros(shape), tensor], dim=dim)


class DecodeBatch:
    """The rows decoding together. `admit` reads new rows' prompts and merges them in; `step` advances every running
    row and returns those that finished. Not thread-safe: one thread owns a batch."""

    def __init__(self, lean: LeanLlama, tokenizer: PreTrainedTokenizerBase, eos: set[int],
                 draft_tokens: int = DRAFT_TOKENS, memory: PhraseMemory | None = None,
                 prefixes: PrefixCache | None = None):
        self.lean, self.tokenizer, self.draft_tokens = lean, tokenizer, draft_tokens
        self.memory, self.prefixes = memory, prefixes
        self.pad_id = tokenizer.pad_token_id
        self._eos = eos
        self.rows: list[Row] = []
        self.cache: KVCache | None = None
        self.mask = torch.zeros(0, 0, dtype=torch.long)
        self.positions = torch.zeros(0, dtype=torch.long)
        self.columns: Columns | None = None
        self.seen = torch.zeros(0, 0, dtype=torch.bool)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def width(self) -> int:
        """KV positions held per row, padding included (rows x width is what the batch costs in memory)."""
        return int(self.mask.shape[1]) if self.rows else 0

    def clear(self) -> None:
        """Drop every row (after a failed step the cache cannot be trusted)."""
        for row in self.rows:
            row.running = False
        self.rows, self.cache = [], None
        self.mask, self.positions, self.seen = self.mask[:0, :0], self.positions[:0], self.seen[:0]

    def text(self, row: Row) -> str:
        """The row's text so far, cut at a stop string."""
        return cut_at_stop(self.tokenizer.decode(row.tokens, skip_special_tokens=True), row.limits.stop)[0]

    def settled_text(self, row: Row) -> str:
        """The part of `text(row)` later tokens cannot change: no half-decoded character, no possible stop start."""
        text = self.text(row)
        if not row.running:
            return text
        text = text.rstrip("\ufffd")
        hold = max((k for s in row.limits.stop for k in range(1, len(s)) if text.endswith(s[:k])), default=0)
        return text[: len(text) - hold]

    # -- rows in --------------------------------------------------------------------------------------------------
    def admit(self, groups: Sequence[Sequence[Row]]) -> list[Row]:
        """Read the groups' prompts, choose each new row's first token and merge the rows into the batch; returns
        the new rows that already finished (EOS first, or a limit of one token)."""
        groups = [list(g) for g in groups if g]
        if not groups:
            return []
        new = [row for group in groups for row in group]
        state = prefill_groups(self.lean, [[row.prompt for row in group] for group in groups], self.pad_id,
                               prefixes=self.prefixes)
        longest = max(len(row.prompt) for row in new)
        for row in new:
            row.padded = len(row.prompt) < longest
        self._merge(new, state.cache, state.mask, state.positions)
        first = self._penalised_logits(state.hidden, rows=slice(len(self.rows) - len(new), None)).argmax(-1)
        for row, column in zip(new, first.tolist()):
            self._emit(row, int(self.columns.ids[column]))
            self._check_done(row)
            row.pending = row.tokens[-1] if row.tokens else -1
            if row.running and row.on_step is not None:
                row.on_step(row)
        return self._drop_finished()

    def _merge(self, new: list[Row], cache: KVCache, mask: torch.Tensor, positions: torch.Tensor) -> None:
        if not self.rows:
            self.cache, self.mask, self.positions = cache, mask, positions
        else:
            width = max(self.mask.shape[1], mask.shape[1])
            self.cache.pad_left(width - self.mask.shape[1])
            cache.pad_left(width - mask.shape[1])
            self.cache.extend(cache)
            self.mask = torch.cat([_pad_left(self.mask, width, 1), _pad_left(mask, width, 1)])
            self.positions = torch.cat([self.positions, positions])
        self.rows += new
        self.columns = Columns(self.lean.head, [None if r.allowed is None else r.allowed | self._eos for r in self.rows])
        # Tokens each row has seen, as columns (a token outside the columns can never be chosen, so never penalised).
        self.seen = torch.zeros(len(self.rows), len(self.columns.ids), dtype=torch.bool)
        for i, row in enumerate(self.rows):
            present = self.columns.column_of[row.prompt + ([self.pad_id] if row.padded else []) + row.tokens]
            self.seen[i, present[present >= 0]] = True

    # -- one step -------------------------------------------------------------------------------------------------
    def _penalised_logits(self, hidden: torch.Tensor, rows: slice = slice(None)) -> torch.Tensor:
        columns = self.columns
        if columns.blocked is not None and rows != slice(None):
            full, columns.blocked = columns.blocked, columns.blocked[rows]
            try:
                logits = columns.logits(hidden)
            finally:
                columns.blocked = full
        else:
            logits = columns.logits(hidden)
        return _penalised(logits, self.seen[rows])

    def _emit(self, row: Row, token: int) -> bool:
        """Record one chosen token; False once the row is finished (EOS, stop string or token limit)."""
        if token in self._eos:
            row.running = False
            return False
        row.tokens.append(token)
        if row.limits.stop and cut_at_stop(self.tokenizer.decode(row.tokens, skip_special_tokens=True),
                                           row.limits.stop)[1]:
            row.running = False
        if len(row.tokens) >= row.limits.max_new_tokens:
            row.running = False
        return row.running

    def _check_done(self, row: Row) -> None:
        if row.running and row.done is not None and row.done(self.text(row)):
            row.running = False

    def _drafts(self) -> list[list[int]]:
        if not self.draft_tokens or len(self.rows) > DRAFT_MAX_ROWS:
            return [[] for _ in self.rows]
        room = [row.limits.max_new_tokens - len(row.tokens) - 1 for row in self.rows]
        contexts = [row.prompt + row.tokens for row in self.rows]
        others = [[o.tokens for o in self.rows if o is not row and o.group == row.group] for row in self.rows]
        memories = [[row.hints] + ([self.memory] if self.memory is not None else []) for row in self.rows]
        drafts = [draft(c, o, m, min(self.draft_tokens, space))
                  for c, o, m, space in zip(contexts, others, memories, room)]
        width = max(map(len, drafts))
        # Another row's guess sets the step's width; a row without one fills it with a weaker guess at no extra cost.
        return [d or draft(c, o, m, min(width, space), FILL_NGRAM)
                for d, c, o, m, space in zip(drafts, contexts, others, memories, room)]

    @torch.inference_mode()
    def step(self) -> list[Row]:
        """Feed every running row its pending token plus any guesses, keep the longest guess greedy decoding agrees
        with and add the model's own next token; returns the rows that finished (they have left the batch)."""
        now = time.perf_counter()
        for row in self.rows:
            if row.running and now > row.deadline:
                row.running = False
        finished = self._drop_finished()
        if not self.rows:
            return finished
        marked = self.columns.column_of[torch.tensor([row.pending for row in self.rows])]
        self.seen[torch.arange(len(self.rows))[marked >= 0], marked[marked >= 0]] = True
        drafts = self._drafts()
        width = 1 + max(map(len, drafts))
        ids = torch.full((len(self.rows), width), self.pad_id, dtype=torch.long)
        block = torch.zeros((len(self.rows), width), dtype=self.mask.dtype)
        for i, (row, guess) in enumerate(zip(self.rows, drafts)):
            ids[i, : 1 + len(guess)] = torch.tensor([row.pending, *guess])
            block[i, : 1 + len(guess)] = 1
        hidden = self.lean.forward(ids, self.positions[:, None] + torch.arange(width),
                                   torch.cat([self.mask, block], dim=1), self.cache)
        logits = self.columns.logits(hidden)
        block.zero_()  # rebuilt below: 1 only where the cache now holds an accepted token
        for i, (row, guess) in enumerate(zip(self.rows, drafts)):
            kept = 1  # the pending token
            for j in range(len(guess) + 1):
                column = int(_penalised(logits[i, j], self.seen[i]).argmax())
                token = int(self.columns.ids[column])
                if not self._emit(row, token):
                    break
                if j < len(guess) and token == guess[j]:
                    self.seen[i, column] = True
                    kept += 1
                    continue
                row.pending = token
                break
            block[i, :kept] = 1
        self.mask = torch.cat([self.mask, block], dim=1)
        self.positions = self.positions + block.sum(1)
        for row in self.rows:
            self._check_done(row)
            if row.on_step is not None:
                row.on_step(row)
        return finished + self._drop_finished()

    # -- rows out -------------------------------------------------------------------------------------------------
    def _drop_finished(self) -> list[Row]:
        keep = [i for i, row in enumerate(self.rows) if row.running]
        if len(keep) == len(self.rows):
            return []
        finished = [row for row in self.rows if not row.running]
        for row in finished:
            if self.memory is not None:  # with the end of its prompt, so an answer's first tokens can be guessed
                self.memory.learn(row.prompt[-MAX_NGRAM:] + row.tokens)
            if row.on_step is not None:
                row.on_step(row)
        index = torch.tensor(keep, dtype=torch.long)
        self.rows = [self.rows[i] for i in keep]
        if not self.rows:
            self.cache, self.mask, self.positions = None, self.mask[:0, :0], self.positions[:0]
            self.seen = self.seen[:0]
            return finished
        self.cache.select(index)
        self.mask, self.positions, self.seen = self.mask[index], self.positions[index], self.seen[index]
        self.columns.keep(index)
        unused = int((self.mask.sum(0) == 0).long().cumprod(0).sum())  # leading columns that are padding for all
        if unused >= TRIM_COLUMNS:
            self.cache.trim(unused)
            self.mask = self.mask[:, unused:]
        return finished


def decode(batch: DecodeBatch, rows: Sequence[Row]) -> None:
    """Decode these rows (as one group) to their end in a batch of their own."""
    batch.admit([rows])
    while len(batch):
        batch.step()
