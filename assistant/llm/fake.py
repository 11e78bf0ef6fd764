"""A fake LLM for fast tests: deterministic answers computed from the prompt, no model and no weights."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence

from assistant.llm.base import Capability, GenerationLimits, GenerationRequest, LLMInfo, Message

_LISTED = re.compile(r"^- (.+)$", re.M)
_WORD = re.compile(r"[a-z0-9+#]+|[\u4e00-\u9fff]", re.I)


def echo_first_listed(messages: Sequence[Message]) -> str:
    """The first "- item" line of the last user message as a sentence: a reason told from its first fact."""
    listed = _LISTED.findall(messages[-1]["content"]) if messages else []
    if not listed:
        return "{}"  # an empty profile delta: the profile prompt's answer when nothing is stated
    text = listed[0].strip()
    end = "。" if re.search(r"[\u4e00-\u9fff]", text) else "."
    return f"{text[:1].upper()}{text[1:]}{end}"


def shared_words(conversation: Sequence[Message]) -> float:
    """P(yes) from how many words the learner's and the resource's lines share (0.2 none .. 0.9 many)."""
    text = conversation[-1]["content"] if conversation else ""
    learner, _, resource = text.partition("Title:")
    common = {w.lower() for w in _WORD.findall(learner)} & {w.lower() for w in _WORD.findall(resource)}
    return min(0.9, 0.2 + 0.1 * len(common))


class FakeLLM:
    """Answers `generate` with `answer(messages)` and `yes_probability` with `judge(conversation)`; every call is
    recorded in `calls` so a test can say what the tasks asked."""

    def __init__(self, answer: Callable[[Sequence[Message]], str] = echo_first_listed,
                 judge: Callable[[Sequence[Message]], float] = shared_words,
                 capabilities: frozenset[Capability] = frozenset({Capability.YES_PROBABILITY, Capability.STREAMING,
                                                                  Capability.EARLY_STOP})):
        self.answer, self.judge, self.capabilities = answer, judge, capabilities
        self.calls: list[tuple[str, int]] = []  # (method, rows)

    def generate(self, requests: Sequence[GenerationRequest], limits: GenerationLimits = GenerationLimits()) -> list[str]:
        self.calls.append(("generate", len(requests)))
        return [self.answer(r.messages) for r in requests]

    def stream(self, messages: Sequence[Message], limits: GenerationLimits = GenerationLimits()) -> Iterator[str]:
        self.calls.append(("stream", 1))
        yield from re.findall(r"\S+\s*", self.answer(messages))

    def yes_probability(self, conversations: Sequence[Sequence[Message]], wait_s: float | None = None) -> list[float]:
        self.calls.append(("yes_probability", len(conversations)))
        return [self.judge(c) for c in conversations]

    def describe(self) -> LLMInfo:
        return LLMInfo("fake", "canned answers")
