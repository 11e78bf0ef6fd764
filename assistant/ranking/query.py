"""From the profile and the dialogue to the semantic query text and Chroma metadata filters."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.profile.schema import LearnerProfile


@dataclass(frozen=True)
class Query:
    text: str
    filters: dict[str, object] = field(default_factory=dict)  # field -> value; combined with $and
    relax_order: tuple[str, ...] = ("free", "language")  # dropped in this order when too few candidates remain

    def where(self, dropped: set[str] = frozenset()) -> dict | None:
        clauses = [{k: v} for k, v in self.filters.items() if k not in dropped]
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def build_query(profile: LearnerProfile, recent_messages: list[str]) -> Query:
    """The last few learner messages (the latest counts most, so it goes first) plus the profile's topics."""
    parts = list(reversed(recent_messages[-3:]))
    topics = [t for t, w in sorted(profile.topics.items(), key=lambda kv: -kv[1]) if w >= 0.4]
    if topics:
        parts.append("Topics: " + ", ".join(topics[:5]))
    filters: dict[str, object] = {}
    if profile.language:
        filters["language"] = profile.language
    if profile.free_only:
        filters["free"] = "yes"
    return Query(" ".join(parts), filters)
