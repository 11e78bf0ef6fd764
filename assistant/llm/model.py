"""The causal LM: batched generation, streaming, and bounded output (tokens and wall time)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, TextIteratorStreamer

from assistant.llm.loader import ModelNotFoundError, resolve_model_dir

log = logging.getLogger(__name__)

Message = dict[str, str]  # {"role": ..., "content": ...}


@dataclass(frozen=True)
class GenerationLimits:
    max_new_tokens: int = 48
    max_time_s: float = 20.0


class LocalLLM:
    """A Hugging Face causal LM loaded from local disk only."""

    def __init__(self, model_dir: Path | str, dtype: str = "bfloat16", threads: int = 0):
        if threads > 0:
            torch.set_num_threads(threads)
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(model_dir)
            self.model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=getattr(torch, dtype))
        except OSError as exc:
            raise ModelNotFoundError(f"Could not load the LLM from {model_dir} (offline): {exc}") from exc
        self.model.eval()
        self.tokenizer.padding_side = "left"  # decoder-only batches must pad on the left
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.name = str(model_dir)
        # generate() is not safe to run concurrently on one model; requests queue here.
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings) -> LocalLLM:
        model_dir = resolve_model_dir(settings.llm_model, settings.model_cache_dir, settings.llm_dtype)
        return cls(model_dir, settings.llm_dtype, settings.llm_threads)

    def _encode(self, conversations: list[list[Message]]):
        texts = [
            self.tokenizer.apply_chat_template(c, add_generation_prompt=True, tokenize=False) for c in conversations
        ]
        return self.tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=False)

    def _generate_kwargs(self, limits: GenerationLimits) -> dict:
        return dict(
            max_new_tokens=limits.max_new_tokens,
            max_time=limits.max_time_s,
            do_sample=False,
            repetition_penalty=1.1,
            pad_token_id=self.tokenizer.pad_token_id,
        )

    @torch.inference_mode()
    def generate(self, conversations: list[list[Message]], limits: GenerationLimits = GenerationLimits()) -> list[str]:
        """One completion per conversation, generated as a single padded batch."""
        if not conversations:
            return []
        inputs = self._encode(conversations)
        with self._lock:
            output = self.model.generate(**inputs, **self._generate_kwargs(limits))
        new_tokens = output[:, inputs["input_ids"].shape[1]:]
        return [t.strip() for t in self.tokenizer.batch_decode(new_tokens, skip_special_tokens=True)]

    def stream(self, conversation: list[Message], limits: GenerationLimits = GenerationLimits()) -> Iterator[str]:
        """Yield text pieces as they are decoded."""
        inputs = self._encode([conversation])
        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True, timeout=limits.max_time_s + 30)

        def run() -> None:
            with self._lock, torch.inference_mode():
                self.model.generate(**inputs, **self._generate_kwargs(limits), streamer=streamer)

        worker = threading.Thread(target=run, daemon=True)
        worker.start()
        yield from streamer
        worker.join()
