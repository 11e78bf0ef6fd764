"""Reasons: one sentence per recommendation from its facts, written by the LLM in one batch, checked, retried once
with the checker's objections, and otherwise replaced by a template sentence built from the same facts."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant.explain.check import Evidence, problems
from assistant.explain.facts import LANGUAGE_NAMES, render_all
from assistant.llm.inputs import facts_block
from assistant.llm.model import GenerationLimits, LocalLLM
from assistant.llm.prompts import PromptTemplate
from assistant.reply import Reason, Recommendation

log = logging.getLogger(__name__)

MAX_FACTS = 4


def template_reason(facts: list[str], language: str) -> str:
    """A plain sentence built only from the facts; the fallback whenever the model's sentence is rejected."""
    if language == "zh":
        return ("；".join(facts[:3]) + "。") if facts else "它与你的请求内容相符。"
    if not facts:
        return "It matches the words of your request."
    text = ", and ".join(facts[:3])
    return f"{text[:1].upper()}{text[1:]}."


def clean_draft(text: str) -> str:
    """The model's draft as it is checked and shown: one line, one or two sentences, closed punctuation."""
    # A character cut in half by the token limit decodes as U+FFFD; it is never part of a sentence.
    text = " ".join(text.replace("\ufffd", "").split()).strip("\"' ")
    # Keep the first sentence or two: the small model tends to run on.
    sentences = re.split(r"(?<=[.!?。！？])\s*", text)
    text = " ".join(s for s in sentences[:2] if s).strip()
    # A sentence cut by the token limit after a clause ends on a comma: close it there.
    if text and text[-1] in ",;，；、":
        text = text[:-1] + ("。" if re.search(r"[\u4e00-\u9fff]", text) else ".")
    return text


@dataclass
class ReasonStats:
    written: int = 0
    retried: int = 0
    templated: int = 0

    @property
    def rejection_rate(self) -> float:
        return self.templated / self.written if self.written else 0.0


class ReasonWriter:
    def __init__(self, llm: LocalLLM | None, prompt: PromptTemplate, retry: PromptTemplate | None,
                 limits: GenerationLimits, topics_in: Callable[[str], list[str]] | None = None):
        self.llm = llm
        self.prompt = prompt
        self.retry = retry
        self.limits = limits
        self.topics_in = topics_in
        self.stats = ReasonStats()

    def _generate(self, template: PromptTemplate, items: list[tuple[Recommendation, list[str]]], language: str,
                  objections: list[str] | None = None) -> list[str]:
        conversations = []
        for i, (rec, facts) in enumerate(items):
            values = dict(facts=facts_block(facts or ["it matches the words of the request"]),
                          title=rec.resource.title, language_name=LANGUAGE_NAMES.get(language, (language,))[0])
            if objections is not None:
                values["problems"] = objections[i]
            conversations.append(template.render(**values))
        return [clean_draft(t) for t in self.llm.generate(conversations, self.limits)]

    def write(self, recommendations: list[Recommendation], language: str) -> list[Reason]:
        """Reasons in rank order; each either passed the check or is a template sentence of the same facts."""
        supporting = [[f for f in rec.facts if f.supports][:MAX_FACTS] for rec in recommendations]
        rendered = [render_all(facts, language) for facts in supporting]
        evidence = [Evidence(facts, rec.resource, language, values)
                    for rec, facts, values in zip(recommendations, rendered, supporting)]
        accepted: list[str | None] = [None] * len(recommendations)
        if self.llm is not None and recommendations:
            drafts = self._generate(self.prompt, list(zip(recommendations, rendered)), language)
            objections = {i: problems(d, evidence[i], self.topics_in) for i, d in enumerate(drafts)}
            for i, draft in enumerate(drafts):
                if not objections[i]:
                    accepted[i] = draft
            again = [i for i in objections if objections[i]]
            if again and self.retry is not None:
                self.stats.retried += len(again)
                redrafts = self._generate(self.retry, [(recommendations[i], rendered[i]) for i in again], language,
                                          ["; ".join(objections[i]) for i in again])
                for i, draft in zip(again, redrafts):
                    issues = problems(draft, evidence[i], self.topics_in)
                    if not issues:
                        accepted[i] = draft
                    else:
                        log.info("Reason for %s rejected twice (%s): %r", recommendations[i].resource.id,
                                 "; ".join(issues), draft)
        reasons = []
        for i, facts in enumerate(rendered):
            self.stats.written += 1
            if accepted[i] is not None:
                reasons.append(Reason(text=accepted[i], facts=facts, written_by="model"))
            else:
                self.stats.templated += 1
                reasons.append(Reason(text=template_reason(facts, language), facts=facts, written_by="template"))
        if self.stats.templated:
            log.info("Reasons replaced by templates so far: %d of %d (%.0f %%)", self.stats.templated,
                     self.stats.written, 100 * self.stats.rejection_rate)
        return reasons
