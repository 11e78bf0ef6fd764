"""The in-process backend: a Hugging Face causal LM with batched greedy generation, streaming, yes/no scoring and
an optional merged LoRA adapter; it offers every capability of `assistant/llm/base.py`."""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
import unicodedata
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, PreTrainedModel

from assistant.config import PROJECT_ROOT, LLMSettings
from assistant.llm.base import Capability, GenerationLimits, GenerationRequest, LLMBusy, LLMInfo, Message
from assistant.llm.hf.adapter import AdapterError, merge_adapter
from assistant.llm.hf.decode import DRAFT_TOKENS, DecodeBatch, Row, decode, eos_ids
from assistant.llm.hf.lean import LeanLlama, has_amx
from assistant.llm.hf.loader import ModelNotFoundError, resolve_model_dir
from assistant.llm.hf.lookup import PhraseMemory
from assistant.llm.hf.prefill import PrefixCache, prefill_groups
from assistant.llm.hf.scheduler import Scheduler

__all__ = ["HFLLM"]

log = logging.getLogger(__name__)

MAX_SPELLED = 200_000  # texts whose tokens tokens_of remembers


class HFLLM:
    """A Hugging Face causal LM loaded from local disk only, with an optional LoRA adapter merged into its weights."""

    capabilities = frozenset(Capability)

    def __init__(self, model_dir: Path | str, dtype: str = "float32", threads: int = 0,
                 adapter: Path | str | None = None, fp16_decode: bool = True, draft_tokens: int = DRAFT_TOKENS,
                 batching: bool = False, bf16_wide: bool = False, relevance_yields: bool = False):
        if threads > 0:
            torch.set_num_threads(threads)
        self.name = str(model_dir)
        self._dtype = getattr(torch, dtype)
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(model_dir)
        except OSError as exc:
            raise ModelNotFoundError(f"Could not load the LLM from {model_dir} (offline): {exc}") from exc
        self.model = self._load_base()
        self.adapter: str | None = None  # the merged adapter's folder; None = base model
        self.adapter_error: str | None = None  # why the configured adapter was not used
        if adapter:
            try:
                self.model = merge_adapter(self.model, Path(adapter))
                self.adapter = str(adapter)
            except AdapterError as exc:
                log.warning("LoRA adapter not used, serving the base model: %s", exc)
                self.adapter_error = str(exc)
                self.model = self._load_base()  # a failed load can leave adapter layers half-injected
        self.model.eval()
        cpu32 = self.model.device.type == "cpu" and self._dtype == torch.float32
        wide = bf16_wide and cpu32 and has_amx()
        self.lean = LeanLlama(self.model, half=fp16_decode and cpu32, wide=wide, keep_fp32=not wide)
        if wide:  # the lean forward serves every row from its bf16 copies: the fp32 layer weights are not needed
            self.lean.release_fp32(self.model)
        self._eos = eos_ids(self.model, self.tokenizer)
        self.tokenizer.padding_side = "left"  # for callers that batch with the tokenizer themselves
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self._yes_ids = self._answer_ids("yes")
        self._no_ids = self._answer_ids("no")
        self._memory = PhraseMemory()  # the model's earlier answers, for draft tokens
        self._prefixes = PrefixCache()  # prompt prefixes already read (each task's system prompt)
        self._mark_pieces: dict[int, str] | None = None  # punctuation-only tokens, found on first use
        self._spelled: dict[str, list[int]] = {}  # text -> its tokens, for tokens_of: the joining words recur every turn
        self._spelling = threading.Lock()  # tokens_of runs in the callers' threads
        self._draft_tokens = draft_tokens
        # Batching: one scheduler thread owns the model and merges concurrent requests. Without it the model is not
        # safe to run concurrently and requests take turns at this lock (one at a time, each its own batch).
        self._lock = threading.Lock()
        self.scheduler = Scheduler(self._batch(), self._p_yes, scores_yield=relevance_yields) if batching else None

    @classmethod
    def from_settings(cls, settings: LLMSettings, cache_dir: Path) -> HFLLM:
        model_dir = resolve_model_dir(settings.model, cache_dir / "models", settings.dtype)
        adapter = Path(settings.adapter).expanduser() if settings.adapter else None
        if adapter is not None and not adapter.is_absolute():
            adapter = PROJECT_ROOT / adapter  # like the other paths in settings: relative to the project
        return cls(model_dir, settings.dtype, settings.threads, adapter, settings.fp16_decode, settings.draft_tokens,
                   settings.batching, settings.bf16_wide, settings.relevance_yields)

    def describe(self) -> LLMInfo:
        how = "one scheduler batching all learners" if self.scheduler is not None else "one request at a time"
        threads = f"{torch.get_num_threads()} compute threads (OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', 'unset')})"
        return LLMInfo("hf", Path(self.name).name, self.adapter, self.adapter_error, f"{how}, {threads}")

    def _load_base(self) -> PreTrainedModel:
        try:
            return AutoModelForCausalLM.from_pretrained(self.name, dtype=self._dtype)
        except OSError as exc:
            raise ModelNotFoundError(f"Could not load the LLM from {self.name} (offline): {exc}") from exc

    def _answer_ids(self, word: str) -> list[int]:
        """Token ids that spell the whole word as a first answer token, in any usual casing or spacing."""
        ids = set()
        for variant in (word, word.capitalize(), word.upper(), " " + word, " " + word.capitalize()):
            first = self.tokenizer(variant, add_special_tokens=False)["input_ids"][:1]
            if first and self.tokenizer.decode(first).strip().lower() == word:
                ids.add(first[0])
        if not ids:
            raise ValueError(f"The tokenizer has no single token for {word!r}; yes_probability cannot be computed.")
        return sorted(ids)

    def _sequences(self, conversations: Sequence[Sequence[Message]]) -> list[list[int]]:
        texts = [
            self.tokenizer.apply_chat_template(c, add_generation_prompt=True, tokenize=False) for c in conversations
        ]
        return self.tokenizer(texts, add_special_tokens=False)["input_ids"]

    @property
    def draft_tokens(self) -> int:
        """Lookup guesses verified per step (0 = one token per step)."""
        return self._draft_tokens

    @draft_tokens.setter
    def draft_tokens(self, value: int) -> None:
        self._draft_tokens = value
        if self.scheduler is not None:
            self.scheduler.batch.draft_tokens = value

    def _batch(self) -> DecodeBatch:
        return DecodeBatch(self.lean, self.tokenizer, self._eos, self.draft_tokens, self._memory, self._prefixes)

    def tokens_of(self, words: Collection[str]) -> set[int]:
        """Every token that spells part of one of the words as they may appear in text: after a space or not,
        lower-case, capitalised or as given. Marks ("," "。") stand for every token made of those marks ("),")."""
        marks = {w for w in words if w and not any(c.isalnum() for c in w)}
        variants = {v for w in words if w not in marks for v in (w, w.lower(), w[:1].upper() + w[1:]) if w}
        spelled = {s for v in variants for s in (v, " " + v)}
        with self._spelling:
            new = [s for s in spelled if s not in self._spelled]
            if len(self._spelled) + len(new) > MAX_SPELLED:  # bounds a long-running server's memory
                self._spelled.clear()
            for text, ids in zip(new, self.tokenizer(new, add_special_tokens=False)["input_ids"] if new else []):
                self._spelled[text] = ids
            tokens = {t for s in spelled for t in self._spelled[s]}
            return tokens | self._marks_of(set("".join(marks)))

    def _marks_of(self, characters: set[str]) -> set[int]:
        """Tokens made only of these punctuation characters, with no space ("," ")," ".)")."""
        if not characters:
            return set()
        if self._mark_pieces is None:  # found once: decoding the whole vocabulary takes ~0.4 s
            pieces = self.tokenizer.batch_decode([[i] for i in range(len(self.tokenizer))])
            self._mark_pieces = {i: piece for i, piece in enumerate(pieces)
                                 if piece and all(unicodedata.category(c).startswith("P") for c in piece)}
        return {i for i, piece in self._mark_pieces.items() if set(piece) <= characters}

    def _rows(self, requests: Sequence[GenerationRequest], limits: GenerationLimits) -> list[Row]:
        deadline = time.perf_counter() + limits.max_time_s
        sequences = self._sequences([list(r.messages) for r in requests])
        rows = []
        for request, prompt in zip(requests, sequences):
            hints = PhraseMemory()
            if request.hints:
                for tokens in self.tokenizer(list(request.hints), add_special_tokens=False)["input_ids"]:
                    hints.learn(tokens)
            allowed = None if request.vocabulary is None else self.tokens_of(request.vocabulary)
            rows.append(Row(prompt, limits, allowed, request.done, hints, deadline=deadline))
        return rows

    def _run(self, rows: list[Row], owner: str) -> None:
        if self.scheduler is not None:
            self.scheduler.generate(rows, owner)
            return
        with self._lock:
            decode(self._batch(), rows)

    def generate(self, requests: Sequence[GenerationRequest], limits: GenerationLimits = GenerationLimits()) -> list[str]:
        """One greedy completion per request, decoded together; a request's `done` can end its row early, its
        `vocabulary` (words and marks) limits it to the tokens that spell them, and its `hints` are texts its
        answer likely follows (guesses to verify; they never change the answer)."""
        if not requests:
            return []
        rows = self._rows(requests, limits)
        self._run(rows, requests[0].owner)
        batch = self._batch()  # only its tokenizer is used, to read the rows' text
        return [batch.text(row).strip() for row in rows]

    def stream(self, conversation: Sequence[Message], limits: GenerationLimits = GenerationLimits()) -> Iterator[str]:
        """Yield text pieces as they are decoded."""
        pieces: queue.Queue[str | BaseException | None] = queue.Queue()
        reader = self._batch()
        sent = ""

        def on_step(row: Row) -> None:
            nonlocal sent
            text = reader.settled_text(row)
            if len(text) > len(sent):
                pieces.put(text[len(sent):])
                sent = text

        (row,) = self._rows([GenerationRequest(conversation)], limits)
        row.on_step = on_step

        def run() -> None:  # a consumer that stops reading never holds up the model
            try:
                self._run([row], "")
            except BaseException as exc:  # handed to the consumer, who re-raises it
                pieces.put(exc)
            finally:
                pieces.put(None)

        threading.Thread(target=run, daemon=True).start()
        while (piece := pieces.get()) is not None:
            if isinstance(piece, BaseException):
                raise piece
            yield piece

    def _p_yes(self, groups: list[list[list[int]]]) -> list[list[float]]:
        """P(yes) for each sequence of each group, from one batched forward pass."""
        with torch.inference_mode():  # the base model's weights may still ask for gradients
            hidden = prefill_groups(self.lean, groups, self.tokenizer.pad_token_id, prefixes=self._prefixes).hidden
            head = self.lean.head.weight  # only the answer tokens' columns are needed
            logits = torch.nn.functional.linear(hidden.float(), head[self._yes_ids + self._no_ids].float())
        yes = logits[:, : len(self._yes_ids)].logsumexp(-1)
        no = logits[:, len(self._yes_ids):].logsumexp(-1)
        scores = torch.sigmoid(yes - no).tolist()
        out, start = [], 0
        for group in groups:
            out.append(scores[start:start + len(group)])
            start += len(group)
        return out

    def yes_probability(self, conversations: Sequence[Sequence[Message]], wait_s: float | None = None) -> list[float]:
        """P(yes) / (P(yes) + P(no)) for the first answer token of each conversation, from one batched forward pass;
        raises LLMBusy when the model could not start on them within `wait_s`."""
        if not conversations:
            return []
        sequences = self._sequences(conversations)
        if self.scheduler is not None:
            return self.scheduler.score(sequences, wait_s)
        if not self._lock.acquire(timeout=-1 if wait_s is None else wait_s):
            raise LLMBusy(f"the model was busy for {wait_s:.2f} s")
        try:
            return self._p_yes([sequences])[0]
        finally:
            self._lock.release()
