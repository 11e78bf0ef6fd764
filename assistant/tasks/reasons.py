"""The reason task: one sentence per item from its facts (prompts/reason.yaml), and a second try that is told what
was wrong with the first (prompts/reason_retry.yaml). Checking the drafts is explain/'s work, not this task's."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from assistant.llm.base import LLM, Capability, GenerationLimits, GenerationRequest
from assistant.llm.prompts import PromptTemplate
from assistant.tasks.capabilities import Features
from assistant.tasks.render import facts_block

PROMPTS = {"reason": {"facts", "title", "language_name"},
           "reason_retry": {"facts", "title", "language_name", "problems"}}
NO_FACTS = "it matches the words of the request"  # the prompt's fact when an item has none to tell


@dataclass(frozen=True)
class Draft:
    """What one reason is written from, and how its decoding may be steered."""

    facts: Sequence[str]  # rendered, in the learner's language
    title: str
    language_name: str  # the learner's language in English ("Chinese"), as the prompt names it
    vocabulary: Sequence[str] | None = None  # the words the check allows: decoding may use only these
    done: Callable[[str], bool] | None = None  # the draft so far -> True once more text cannot help it
    hints: Sequence[str] = field(default_factory=tuple)  # wordings the model was tuned on, filled with the facts
    problems: str | None = None  # the check's objections to the first draft (a retry)


class ReasonDrafter:
    def __init__(self, llm: LLM, prompt: PromptTemplate, retry: PromptTemplate | None, limits: GenerationLimits):
        self.llm, self.prompt, self.retry, self.limits = llm, prompt, retry, limits
        self.features = Features(llm, "reasons")

    def draft(self, drafts: Sequence[Draft], owner: str = "", within_s: float | None = None) -> list[str]:
        """The model's text for each draft, in one batch; a draft with `problems` uses the retry prompt. `owner` is
        the learner (a busy model serves learners in turn); a draft not done `within_s` returns what it has."""
        if not drafts:
            return []
        vocabulary = any(d.vocabulary is not None for d in drafts) and self.features.offers(
            Capability.VOCABULARY, "reason drafts may use any token (more of them fail the check)")
        stop = any(d.done is not None for d in drafts) and self.features.offers(
            Capability.EARLY_STOP, "a reason draft runs to its token limit (slower)")
        hints = any(d.hints for d in drafts) and self.features.offers(
            Capability.LOOKUP_HINTS, "decoding guesses nothing ahead (one token per step)")
        requests = []
        for d in drafts:
            template = self.prompt if d.problems is None or self.retry is None else self.retry
            values = dict(facts=facts_block(list(d.facts) or [NO_FACTS]), title=d.title, language_name=d.language_name)
            if template is self.retry:
                values["problems"] = d.problems or ""
            requests.append(GenerationRequest(template.render(**values), d.vocabulary if vocabulary else None,
                                              d.done if stop else None, tuple(d.hints) if hints else (), owner))
        limits = self.limits if within_s is None else replace(self.limits,
                                                              max_time_s=min(self.limits.max_time_s, within_s))
        return self.llm.generate(requests, limits)
