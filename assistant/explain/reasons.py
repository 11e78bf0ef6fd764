"""Reasons: one sentence per recommendation from its facts, written by the LLM in one batch, checked, else templated."""

from __future__ import annotations

import logging
import re

from assistant.explain.check import problems
from assistant.llm.model import GenerationLimits, LocalLLM
from assistant.llm.prompts import PromptTemplate
from assistant.reply import Reason, Recommendation

log = logging.getLogger(__name__)

LANGUAGE_NAMES = {"en": "English", "zh": "Chinese"}

_ZH_FACTS = [
    (re.compile(r"it is about (.+), which you asked for"), r"它讲的是你想学的 \1"),
    (re.compile(r"it is (?:a|an) (.+), the format you prefer"), r"它是你偏好的形式（\1）"),
    (re.compile(r"it is in Chinese, the language you use"), "它是中文资源"),
    (re.compile(r"it is marked (\w+), matching your (\w+) level"), r"它标注为 \1 水平，与你的水平相符"),
    (re.compile(r"it takes about (\d+) minutes, within your (\d+)-minute sessions"), r"大约 \1 分钟，适合你每次 \2 分钟的学习时间"),
]


def template_reason(facts: list[str], language: str) -> str:
    """A plain sentence built only from the facts; the fallback whenever the model's sentence is rejected."""
    if not facts:
        return "It matches the words of your request." if language != "zh" else "它与你的请求内容相符。"
    if language == "zh":
        parts = []
        for fact in facts[:3]:
            for pattern, replacement in _ZH_FACTS:
                if pattern.fullmatch(fact):
                    parts.append(pattern.sub(replacement, fact))
                    break
        if parts:
            return "；".join(parts) + "。"
    text = "; ".join(facts[:3])
    return f"Recommended because {text}."


def _clean(text: str) -> str:
    text = " ".join(text.split())
    # Keep the first sentence or two: the small model tends to run on.
    sentences = re.split(r"(?<=[.!?])\s+", text)
    return " ".join(sentences[:2]).strip()


class ReasonWriter:
    def __init__(self, llm: LocalLLM | None, prompt: PromptTemplate, limits: GenerationLimits):
        self.llm = llm
        self.prompt = prompt
        self.limits = limits
        self.rejected = 0
        self.written = 0

    def write(self, recommendations: list[Recommendation], language: str) -> list[Reason]:
        """Reasons in rank order; model-written where the check passes (English), template sentences otherwise."""
        drafts: list[str | None] = [None] * len(recommendations)
        if self.llm is not None and language == "en" and recommendations:
            conversations = [
                self.prompt.render(
                    facts="\n".join(f"- {f}" for f in (rec.facts or ["it matches the words of the request"])),
                    title=rec.resource.title,
                    language_name=LANGUAGE_NAMES.get(language, language),
                )
                for rec in recommendations
            ]
            drafts = [_clean(t) for t in self.llm.generate(conversations, self.limits)]
        reasons = []
        for rec, draft in zip(recommendations, drafts):
            self.written += 1
            if draft is not None:
                issues = problems(draft, rec.facts, rec.resource.title)
                if not issues:
                    reasons.append(Reason(text=draft, facts=rec.facts, written_by="model"))
                    continue
                self.rejected += 1
                log.info("Reason for %s rejected (%s): %r", rec.resource.id, "; ".join(issues), draft)
            reasons.append(Reason(text=template_reason(rec.facts, language), facts=rec.facts, written_by="template"))
        return reasons
