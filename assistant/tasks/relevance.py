"""The relevance task: the LLM's P(yes) that each resource fits the learner (prompts/relevance.yaml)."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.catalog.schema import Resource
from assistant.llm.base import LLM, Capability, LLMBusy
from assistant.llm.prompts import PromptTemplate
from assistant.profile.schema import LearnerProfile
from assistant.tasks.capabilities import Features
from assistant.tasks.render import learner_summary, resource_summary

PROMPTS = {"relevance": {"learner", "resource"}}


class RelevanceJudge:
    """Called by the ranker on its best few candidates: one batched forward pass, no generation."""

    def __init__(self, llm: LLM, prompt: PromptTemplate, wait_s: float | None = None):
        self.llm, self.prompt, self.wait_s = llm, prompt, wait_s
        self.features = Features(llm, "relevance")

    @property
    def available(self) -> bool:
        return self.features.offers(Capability.YES_PROBABILITY, "the ranker goes without the LLM's P(yes)")

    def __call__(self, profile: LearnerProfile, request: str, topics: Sequence[str],
                 resources: Sequence[Resource]) -> list[float] | None:
        """P(yes) per resource, or None when the model could not start on them within `wait_s` (busy)."""
        learner = learner_summary(profile, request, topics)
        try:
            return self.llm.yes_probability([self.prompt.render(learner=learner, resource=resource_summary(r))
                                             for r in resources], self.wait_s)
        except LLMBusy:
            return None
