"""From the profile and the dialogue to the semantic query text and the filters on resource fields."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.catalog.filters import Equals, Filter, Has, Lacks, OneOf, all_of, any_of
from assistant.profile.schema import LearnerProfile

# Filters are dropped in this order when too few candidates remain: the learner's language matters most.
RELAX_ORDER = ("level", "free", "formats", "language")
# A learner at one level is not shown resources marked two levels away.
_LEVEL_RANGE = {"beginner": ["beginner", "intermediate", "unknown"], "advanced": ["intermediate", "advanced", "unknown"]}


@dataclass(frozen=True)
class Query:
    parts: tuple[tuple[str, float], ...]  # texts and their weights in the query vector
    filters: dict[str, Filter] = field(default_factory=dict)  # filter name (RELAX_ORDER) -> its condition

    @property
    def text(self) -> str:
        return " ".join(text for text, _ in self.parts)

    def where(self, dropped: frozenset[str] | set[str] = frozenset(), extra: Filter | None = None) -> Filter | None:
        """Every filter not dropped, and the extra condition."""
        return all_of(*[clause for name, clause in self.filters.items() if name not in dropped], extra)

    @property
    def relaxable(self) -> list[str]:
        return [name for name in RELAX_ORDER if name in self.filters]


def build_filters(profile: LearnerProfile) -> dict[str, Filter]:
    filters: dict[str, Filter] = {}
    if profile.language:
        filters["language"] = Equals("language", profile.language)
    liked = any_of(*[Has("formats", f) for f in profile.liked_formats])
    formats = all_of(liked, *[Lacks("formats", f) for f in profile.avoided_formats])
    if formats is not None:
        filters["formats"] = formats
    if profile.free_only:
        filters["free"] = Equals("free", True)
    if profile.level in _LEVEL_RANGE:
        filters["level"] = OneOf("level", tuple(_LEVEL_RANGE[profile.level]))
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
