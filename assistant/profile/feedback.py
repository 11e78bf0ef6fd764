"""What one feedback event changes in the learner's profile (the store records the event itself)."""

from __future__ import annotations

from assistant.catalog.schema import Resource
from assistant.profile.schema import LEVEL_ORDER, LearnerProfile, utcnow

LIKED_LIMIT = 50


def _append(values: list[str], item: str, limit: int | None = None) -> list[str]:
    values = [v for v in values if v != item] + [item]
    return values[-limit:] if limit else values


def _level_after_knowing(current: str, known_level: str) -> str:
    """Knowing a resource at some level puts the learner at least one level above it."""
    if known_level not in LEVEL_ORDER:
        return current
    above = LEVEL_ORDER[min(LEVEL_ORDER.index(known_level) + 1, len(LEVEL_ORDER) - 1)]
    if current in LEVEL_ORDER and LEVEL_ORDER.index(current) >= LEVEL_ORDER.index(above):
        return current
    return above


def apply_feedback(profile: LearnerProfile, resource: Resource, kind: str) -> LearnerProfile:
    updated = profile.model_copy(deep=True)
    rid = resource.id
    if kind in ("helpful", "opened"):
        updated.liked = _append(updated.liked, rid, LIKED_LIMIT)
        updated.disliked = [d for d in updated.disliked if d != rid]
    elif kind == "not_for_me":
        updated.disliked = _append(updated.disliked, rid)
        updated.liked = [d for d in updated.liked if d != rid]
    elif kind == "completed":
        updated.completed = _append(updated.completed, rid)
    elif kind == "already_know":
        updated.completed = _append(updated.completed, rid)
        known = [t for t in resource.topics[:2] if t]
        updated.known_topics += [t for t in known if t not in updated.known_topics]
        updated.topics = {t: w for t, w in updated.topics.items() if t not in known}
        updated.gaps = [g for g in updated.gaps if g not in known]
        updated.level = _level_after_knowing(updated.level, resource.level)
        for topic in known:
            updated.topic_levels[topic] = _level_after_knowing(updated.topic_levels.get(topic, "unknown"),
                                                               resource.level)
    updated.updated_at = utcnow()
    return updated
