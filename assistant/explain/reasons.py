"""Reasons: one sentence per recommendation from its facts, written by the LLM in one batch, checked, else templated."""

from __future__ import annotations

import logging
import re

from assistant.explain.check import problems
from assistant.explain.facts import LANGUAGE_NAMES, render_all
from assistant.llm.inputs import facts_block
from assistant.llm.model import GenerationLimits, LocalLLM
from assistant.llm.prompts import PromptTemplate
from assistant.reply import Reason, Recommendation

log = logging.getLogger(__name__)


def template_reason(facts: list[str], language: str) -> str:
    """A plain sentence built only from the facts; the fallback whenever the model's sentence is rejected."""
    if language == "zh":
        return ("；".join(facts[:3]) + "。") if facts else "它与你的请求内容相符。"
    if not facts:
        return "It matches the words of your request."
    return f"Recommended because {'; '.join(facts[:3])}."


def _clean(text: str) -> str:
    text = " ".join(text.split())
    # Keep the first sentence or two: the small model tends to run on.
    sentences = re.split(r"(?<=[.!?。！？])\s*", text)
    return " ".join(s for s in sentences[:2] if s).strip()


class ReasonWriter:
    def __init__(self, llm: LocalLLM | None, prompt: PromptTemplate, limits: GenerationLimits):
        self.llm = llm
        self.prompt = prompt
        self.limits = limits
        self.rejected = 0
        self.written = 0

    def write(self, recommendations: list[Recommendation], language: str) -> list[Reason]:
        """Reasons in rank order; model-written where the check passes, template sentences otherwise."""
        rendered = [render_all([f for f in rec.facts if f.supports][:4], language) for rec in recommendations]
        drafts: list[str | None] = [None] * len(recommendations)
        if self.llm is not None and recommendations:
            conversations = [
                self.prompt.render(
                    facts=facts_block(facts or ["it matches the words of the request"]),
                    title=rec.resource.title,
                    language_name=LANGUAGE_NAMES.get(language, (language,))[0],
                )
                for rec, facts in zip(recommendations, rendered)
            ]
            drafts = [_clean(t) for t in self.llm.generate(conversations, self.limits)]
        reasons = []
        for rec, facts, draft in zip(recommendations, rendered, drafts):
            self.written += 1
            if draft is not None:
                issues = problems(draft, facts, rec.resource.title)
                if not issues:
                    reasons.append(Reason(text=draft, facts=facts, written_by="model"))
                    continue
                self.rejected += 1
                log.info("Reason for %s rejected (%s): %r", rec.resource.id, "; ".join(issues), draft)
            reasons.append(Reason(text=template_reason(facts, language), facts=facts, written_by="template"))
        return reasons
