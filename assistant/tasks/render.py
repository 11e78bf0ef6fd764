"""How learners, resources, dialogues and facts are shown to the LLM: one rendering shared by the tasks and the
adapter's training data."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.catalog.schema import Resource
from assistant.profile.schema import LearnerProfile

_MAX_MESSAGE_CHARS = 600  # keeps prompts short: prefill time grows with every token on this CPU


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def dialogue_inputs(history: list[str], message: str) -> dict[str, str]:
    """The profile prompt's variables: earlier learner messages (context only) and the one to read."""
    earlier = "\n".join(f"- {_clip(m, 200)}" for m in history[-4:]) or "(none)"
    return {"history": earlier, "message": _clip(message, _MAX_MESSAGE_CHARS)}


def learner_summary(profile: LearnerProfile, request: str, topics: Sequence[str] = ()) -> str:
    """The learner as the relevance prompt sees them: stated slots only, then their own words. `topics`, the catalog
    topics the ranker matched the request to, replace the profile's own words for them."""
    lines = []
    wanted = list(topics) or profile.current_topics() or list(profile.topics)
    if wanted:
        lines.append("Wants to learn: " + ", ".join(wanted[:4]))
    if profile.known_topics:
        lines.append("Already knows: " + ", ".join(profile.known_topics[:4]))
    if profile.gaps:
        lines.append("Does not know yet: " + ", ".join(profile.gaps[:4]))
    if profile.level != "unknown":
        lines.append(f"Level: {profile.level}")
    if profile.liked_formats:
        lines.append("Prefers: " + ", ".join(profile.liked_formats))
    if profile.avoided_formats:
        lines.append("Avoids: " + ", ".join(profile.avoided_formats))
    if profile.language:
        lines.append(f"Language: {profile.language}")
    if profile.time_budget_minutes:
        lines.append(f"Minutes per session: {profile.time_budget_minutes}")
    lines.append(f"Request: {_clip(request, 160)}")
    return "\n".join(lines)


def resource_summary(resource: Resource) -> str:
    """The resource's catalog facts that bear on fit; unknown values are left out (every token costs here)."""
    lines = [
        f"Title: {_clip(resource.title, 100)}",
        f"Type: {resource.resource_type.replace('_', ' ')}",
        "Topics: " + (", ".join(resource.topics[:4]) or "none"),
        f"Language: {resource.language}",
    ]
    if resource.level != "unknown":
        lines.append(f"Level: {resource.level}")
    if resource.duration_minutes:
        lines.append(f"Length: {resource.duration_minutes} minutes")
    return "\n".join(lines)


def facts_block(facts: list[str]) -> str:
    return "\n".join(f"- {f}" for f in facts)
