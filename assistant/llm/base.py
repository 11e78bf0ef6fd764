"""The LLM interface every backend implements, and the optional features (capabilities) a backend may offer.

A task asks `llm.capabilities` before it uses a feature and, where one is missing, drops it and says once what that
costs (`assistant/tasks/capabilities.py`). Every request is one row: rows from different learners can share a batch.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": ...}


class LLMBusy(RuntimeError):
    """The backend could not take the request in the time the caller allowed; the caller goes on without it."""


class Capability(str, Enum):
    """Features beyond plain generation; a backend lists the ones it honours."""

    YES_PROBABILITY = "yes_probability"  # P(yes) of the first answer token, from its log-probs
    VOCABULARY = "vocabulary"  # a row may only emit the tokens that spell a given set of words
    EARLY_STOP = "early_stop"  # a row's `done` predicate is read after every step and can end it
    LOOKUP_HINTS = "lookup_hints"  # texts a row's answer likely follows, used as guesses (never change the text)
    STREAMING = "streaming"  # text pieces as they are decoded


@dataclass(frozen=True)
class GenerationLimits:
    max_new_tokens: int = 48
    max_time_s: float = 20.0
    stop: tuple[str, ...] = ()  # a row ends at the first of these after some text (e.g. "\n" for one-line answers)


@dataclass(frozen=True)
class GenerationRequest:
    """One conversation to complete, with the optional per-row features (ignored by a backend without them)."""

    messages: Sequence[Message]
    vocabulary: Collection[str] | None = None  # words and marks the answer may be spelled from (VOCABULARY)
    done: Callable[[str], bool] | None = None  # text so far -> True ends the row (EARLY_STOP)
    hints: Sequence[str] = field(default_factory=tuple)  # likely wordings of the answer (LOOKUP_HINTS)
    owner: str = ""  # who asks (a learner): a busy backend serves owners in turn


@dataclass(frozen=True)
class LLMInfo:
    """What serves, for the start banner and reports."""

    backend: str
    model: str
    adapter: str | None = None  # the adapter in use, None = base model
    adapter_error: str | None = None  # why a configured adapter is not in use
    serving: str = ""  # how requests are served: batching, threads

    def banner(self) -> str:
        if self.adapter_error:
            return f"warning: LoRA adapter not used, serving the base model: {self.adapter_error}"
        return (f"LLM ({self.backend}): {self.model}" + (f" + LoRA adapter {self.adapter}" if self.adapter else "")
                + (f"; {self.serving}" if self.serving else ""))


class LLM(Protocol):
    capabilities: frozenset[Capability]

    def generate(self, requests: Sequence[GenerationRequest], limits: GenerationLimits) -> list[str]:
        """One greedy completion per request, in order; a row that runs out of `limits.max_time_s` (counted from the
        call, waiting included) returns what it has, possibly nothing."""
        ...

    def stream(self, messages: Sequence[Message], limits: GenerationLimits) -> Iterator[str]:
        """Text pieces of one completion as they are decoded (one piece when the backend cannot stream)."""
        ...

    def yes_probability(self, conversations: Sequence[Sequence[Message]], wait_s: float | None = None) -> list[float]:
        """P(yes) / (P(yes) + P(no)) for the first answer token of each conversation (YES_PROBABILITY); raises
        LLMBusy when the work could not start within `wait_s` seconds."""
        ...

    def describe(self) -> LLMInfo: ...
