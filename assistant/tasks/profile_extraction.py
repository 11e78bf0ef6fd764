"""The profile task: each turn's profile delta, explicit statements by rule, the rest by the LLM through the profile
prompt (prompts/profile.yaml) when it is switched on."""

from __future__ import annotations

import json
import logging
import re

from pydantic import ValidationError

from assistant.knowledge.topics import TopicMatcher
from assistant.llm.base import LLM, GenerationLimits, GenerationRequest
from assistant.llm.prompts import PromptTemplate
from assistant.profile import rules
from assistant.profile.schema import ProfileDelta
from assistant.tasks.render import dialogue_inputs

log = logging.getLogger(__name__)

PROMPTS = {"profile": {"history", "message"}}

_JSON_OBJECT = re.compile(r"\{.*\}", re.S)


def parse_delta(text: str) -> ProfileDelta | None:
    """The first JSON object in the model's answer as a ProfileDelta; None when it is not one."""
    match = _JSON_OBJECT.search(text)
    if not match:
        return None
    try:
        data = json.loads(match.group(0))
        return ProfileDelta.model_validate(data) if isinstance(data, dict) else None
    except (json.JSONDecodeError, ValidationError):
        return None


def combine(stated: ProfileDelta, guessed: ProfileDelta, matcher: TopicMatcher) -> ProfileDelta:
    """Rules win every slot they filled; the model fills the rest. Known topics count only in catalog words."""
    merged = stated.model_copy(deep=True)
    for slot in ("level", "time_budget_minutes", "device", "free_only"):
        if getattr(merged, slot) is None:
            setattr(merged, slot, getattr(guessed, slot))
    if not merged.formats:
        merged.formats = [f for f in guessed.formats if f not in merged.avoid_formats]
    merged.avoid_formats += [f for f in guessed.avoid_formats if f not in merged.avoid_formats + merged.formats]
    canonical = [matcher.canonical(t) or t for t in guessed.topics]
    aside = {p.lower() for p in merged.known + merged.gaps}
    merged.topics += [t for t in canonical if t not in merged.topics and t.lower() not in aside]
    merged.known += [k for k in (matcher.canonical(t) for t in guessed.known) if k and k not in merged.known]
    merged.gaps += [g for g in guessed.gaps if g not in merged.gaps]
    merged.goals += [g for g in guessed.goals if g not in merged.goals]
    return ProfileDelta.model_validate(merged.model_dump())


class ProfileReader:
    """Rules first; the LLM fills the slots they left empty (only when given one)."""

    def __init__(self, matcher: TopicMatcher, llm: LLM | None = None, prompt: PromptTemplate | None = None,
                 limits: GenerationLimits = GenerationLimits(max_new_tokens=64, max_time_s=10.0)):
        self.matcher = matcher
        self.llm = llm if prompt is not None else None
        self.prompt = prompt
        self.limits = limits

    def delta(self, earlier: list[str], message: str) -> ProfileDelta:
        stated = rules.extract(message, self.matcher)
        if self.llm is None:
            return stated
        request = GenerationRequest(self.prompt.render(**dialogue_inputs(earlier, message)))
        answer = self.llm.generate([request], self.limits)[0]
        guessed = parse_delta(answer)
        if guessed is None:
            log.info("Profile model answer was not a valid delta: %r", answer[:200])
            return stated
        return combine(stated, guessed, self.matcher)
