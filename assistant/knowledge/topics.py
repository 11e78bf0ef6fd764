"""The catalog's topic vocabulary, and finding those topics in a learner's words."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from assistant.catalog.schema import Resource

# Headings that name a section of a list, not something a learner studies.
_GENERIC = {"language agnostic", "misc", "other", "others", "general", "tools", "resources", "index", "miscellaneous",
            "free", "books", "courses", "podcasts", "screencasts", "introduction", "learning", "programming"}


def _normalise(topic: str) -> str:
    return " ".join(topic.lower().replace("\\", "").split())


class TopicMatcher:
    """Finds catalog topics named in a message, longest names first so "machine learning" beats "learning"."""

    def __init__(self, topics: Iterable[str]):
        canonical: dict[str, str] = {}
        for topic in topics:
            key = _normalise(topic)
            if len(key) >= 3 and key not in _GENERIC and not key.isdigit():
                canonical.setdefault(key, topic)
        self._canonical = canonical
        names = sorted(canonical, key=len, reverse=True)
        # Topic names contain regex characters (C++, C#, .NET): escape them and bound by non-word characters.
        self._pattern = re.compile(
            "|".join(rf"(?<![\w+#]){re.escape(name)}(?![\w+#])" for name in names), re.I
        ) if names else None

    @classmethod
    def from_resources(cls, resources: Iterable[Resource], min_count: int = 1) -> TopicMatcher:
        counts = Counter(t for r in resources for t in r.topics)
        return cls(t for t, n in counts.items() if n >= min_count)

    def __call__(self, text: str) -> list[str]:
        if self._pattern is None:
            return []
        found: list[str] = []
        for match in self._pattern.finditer(text):
            topic = self._canonical[_normalise(match.group(0))]
            if topic not in found:
                found.append(topic)
        return found

    def __len__(self) -> int:
        return len(self._canonical)
