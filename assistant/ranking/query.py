"""From the profile and the dialogue to the semantic query text and Chroma metadata filters."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.profile.schema import LearnerProfile

# Filters are dropped in this order when too few candidates remain: the learner's language matters most.
RELAX_ORDER = ("level", "free", "formats", "language")
# A learner at one level is not shown resources marked two levels away.
_LEVEL_RANGE = {"beginner": ["beginner", "intermediate", "unknown"], "advanced": ["intermediate", "advanced", "unknown"]}


@dataclass(frozen=True)
class Query:
    parts: tuple[tuple[str, float], ...]  # texts and their weights in the query vector
    filters: dict[str, dict] = field(default_factory=dict)  # filter name -> Chroma where clause

    @property
    def text(self) -> str:
        return " ".join(text for text, _ in self.parts)

    def where(self, dropped: frozenset[str] | set[str] = frozenset(), extra: dict | None = None) -> dict | None:
        clauses = [clause for name, clause in self.filters.items() if name not in dropped]
        if extra:
            clauses.append(extra)
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    @property
    def relaxable(self) -> list[str]:
        return [name for name in RELAX_ORDER if name in self.filters]


def _any_of(clauses: list[dict]) -> dict:
    return clauses[0] if len(clauses) == 1 else {"$or": clauses}


def _all_of(clauses: list[dict]) -> dict:
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def build_filters(profile: LearnerProfile) -> dict[str, dict]:
    filters: dict[str, dict] = {}
    if profile.language:
        filters["language"] = {"language": profile.language}
    format_clauses = []
    if profile.liked_formats:
        format_clauses.append(_any_of([{"formats": {"$contains": f}} for f in profile.liked_formats]))
    format_clauses += [{"formats": {"$not_contains": f}} for f in profile.avoided_formats]
    if format_clauses:
        filters["formats"] = _all_of(format_clauses)
    if profile.free_only:
        filters["free"] = {"free": "yes"}
    if profile.level in _LEVEL_RANGE:
        filters["level"] = {"level": {"$in": _LEVEL_RANGE[profile.level]}}
    return filters


def build_query(profile: LearnerProfile, learner_messages: list[str]) -> Query:
    """The latest message weighs most and earlier ones fade, so a new subject is not drowned by an old one while a
    bare refinement ("videos please") still carries the earlier subject; the topics still wanted join in."""
    recent = list(reversed(learner_messages[-3:]))
    parts = [(text, 0.5 ** age) for age, text in enumerate(recent)]
    topics = profile.current_topics()
    if topics:
        parts.append(("Topics: " + ", ".join(topics[:5]), 0.5))
    return Query(tuple(parts), build_filters(profile))
