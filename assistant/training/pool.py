"""The catalog as training material: eligible topics, a held-out split by topic, and resources per split."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from assistant.catalog import load_catalog
from assistant.catalog.metacademy import load_concepts, load_prerequisite_edges
from assistant.catalog.schema import Resource
from assistant.knowledge.topics import TopicMatcher, normalise

SPLITS = ("train", "heldout")
_KEEP_IN_TRAIN = 40  # the most common topics carry most of the catalog: holding one out would empty the train pool


@dataclass
class SplitPool:
    """What one split may use: its topics (catalog spelling) and the resources whose topics all belong to it."""

    name: str
    topics: list[str]
    resources: list[Resource]
    by_topic: dict[str, list[Resource]] = field(default_factory=dict)
    concept_titles: list[str] = field(default_factory=list)  # Metacademy concepts in this split
    prerequisites: dict[str, list[str]] = field(default_factory=dict)  # concept title -> prerequisite titles (same split)

    def __post_init__(self) -> None:
        for resource in self.resources:
            for topic in resource.topics:
                self.by_topic.setdefault(topic, []).append(resource)
        self.topics = [t for t in self.topics if t in self.by_topic]

    def zh_topics(self) -> list[str]:
        return sorted({t for r in self.resources if r.language == "zh" for t in r.topics} & set(self.topics))


@dataclass
class Catalog:
    resources: list[Resource]
    heldout_topics: frozenset[str]  # normalised topic keys never shown in train examples
    splits: dict[str, SplitPool]


def _eligible_topics(resources: list[Resource]) -> Counter:
    """Topics a learner could ask for: the catalog's own labels minus list headings ("Language Agnostic")."""
    counts = Counter(t for r in resources for t in r.topics)
    matcher = TopicMatcher(counts)
    return Counter({t: n for t, n in counts.items() if matcher.canonical(t) == t})


def load_training_catalog(sources_dir: Path, seed: int, heldout_fraction: float = 0.15) -> Catalog:
    """The shipped catalog split by topic: a seeded sample of the less common topics (both languages) is held out."""
    resources = [r for r in load_catalog(sources_dir).resources if r.topics]
    counts = _eligible_topics(resources)
    common = {t for t, _ in counts.most_common(_KEEP_IN_TRAIN)}
    rng = random.Random(seed)
    zh = sorted({t for r in resources if r.language == "zh" for t in r.topics if t in counts} - common)
    en = sorted(set(counts) - common - set(zh))
    heldout = set(rng.sample(zh, round(len(zh) * heldout_fraction))) | set(rng.sample(en, round(len(en) * heldout_fraction)))
    heldout_keys = frozenset(normalise(t) for t in heldout)

    def split_of(resource: Resource) -> str:
        return "heldout" if any(normalise(t) in heldout_keys for t in resource.topics) else "train"

    by_split: dict[str, list[Resource]] = defaultdict(list)
    for resource in resources:
        by_split[split_of(resource)].append(resource)

    folder = sources_dir / "metacademy"
    titles = {tag: c.get("title") or tag.replace("_", " ") for tag, c in load_concepts(folder).items()}
    splits = {}
    for name in SPLITS:
        topics = sorted(t for t in counts if (normalise(t) in heldout_keys) == (name == "heldout"))
        pool = SplitPool(name, topics, by_split[name])
        in_split = set(pool.topics)
        pool.concept_titles = sorted({r.topics[0] for r in pool.resources if r.source == "metacademy"} & in_split)
        for edge in load_prerequisite_edges(folder):
            concept, prerequisite = titles.get(edge["concept"]), titles.get(edge["prerequisite"])
            # Train may only name train topics; held-out examples are about a held-out concept.
            if concept in in_split and prerequisite and (name == "heldout" or prerequisite in in_split):
                pool.prerequisites.setdefault(concept, []).append(prerequisite)
        splits[name] = pool
    return Catalog(resources, heldout_keys, splits)
