"""The prerequisite knowledge graph (Metacademy concepts and their written reasons), and learning paths over it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from assistant.catalog.metacademy import load_concepts, load_prerequisite_edges
from assistant.knowledge.topics import normalise

_PARENTHESES = re.compile(r"\s*\([^)]*\)")
_ABBREVIATION = re.compile(r"\(([A-Z][A-Z]{1,5})s?\)")


@dataclass(frozen=True)
class Concept:
    tag: str
    title: str
    summary: str = ""


@dataclass(frozen=True)
class PrerequisiteNeed:
    """A concept the learner lacks, the target it comes before (None when not a prerequisite of it), and why."""

    concept: Concept
    target: Concept | None
    reason: str = ""


def _initials(title: str) -> str:
    return "".join(word[0] for word in re.split(r"[\s\-]+", _PARENTHESES.sub("", title)) if word).upper()


# "The F measure (F1 score or F score) is ...", "... also known as steepest descent": other names a summary gives.
_NAMED_AS = re.compile(r"(?:also (?:known as|called)|a\.k\.a\.?|often referred to as|or simply)\s+(?:the\s+)?"
                       r"(?P<name>[\w-]+(?: [\w-]+){0,3})", re.I)


def _other_names(concept: Concept) -> list[str]:
    """Names of two or more words (or with a digit) the summary gives the concept besides its title."""
    names = [m.group("name") for m in _NAMED_AS.finditer(concept.summary[:300])]
    opening = re.match(rf"\s*(?:the |an? )?{re.escape(concept.title)}s?\s*\(([^)]{{3,60}})\)", concept.summary, re.I)
    if opening:
        names += [n.strip() for n in re.split(r",|\bor\b", opening.group(1))
                  if n.strip() and not _NAMED_AS.search(n)]  # "(often referred to as X)" gave X above
    return [n for n in names if (" " in n or any(ch.isdigit() for ch in n)) and not _ABBREVIATION.fullmatch(f"({n})")]


def concept_aliases(concepts: list[Concept]) -> dict[str, str]:
    """Abbreviations used in the summaries ("(PCA)") -> the concept title whose initials spell them; other names a
    summary gives ("F1 score") -> its concept."""
    used = {m.group(1) for c in concepts for m in _ABBREVIATION.finditer(c.summary)}
    aliases: dict[str, str] = {}
    for concept in sorted(concepts, key=lambda c: len(c.title)):  # the plainest title wins an abbreviation
        initials = _initials(concept.title)
        if len(initials) >= 2 and initials in used and initials not in aliases:
            aliases[initials] = concept.title
    titles = {normalise(c.title) for c in concepts}
    for concept in concepts:
        for name in _other_names(concept):
            if normalise(name) not in titles:
                aliases.setdefault(name.lower(), concept.title)
    return aliases


class PrerequisiteGraph:
    """Edges run from a prerequisite to the concept that needs it; each edge may carry Metacademy's reason."""

    def __init__(self, concepts: list[Concept], edges: list[tuple[str, str, str]]):
        self.graph = nx.DiGraph()
        self.concepts = {c.tag: c for c in concepts}
        for concept in concepts:
            self.graph.add_node(concept.tag)
        for before, after, reason in edges:
            if before in self.concepts and after in self.concepts and before != after:
                self.graph.add_edge(before, after, reason=reason)
        self._by_name: dict[str, str] = {}
        # Exact titles first, so "principal component analysis" is not taken by "... (proof)" stripped of its note.
        for naming in (lambda c: c.title, lambda c: c.tag.replace("_", " "), lambda c: _PARENTHESES.sub("", c.title)):
            for concept in concepts:
                self._by_name.setdefault(normalise(naming(concept)), concept.tag)
        self.aliases = concept_aliases(concepts)

    @classmethod
    def from_metacademy(cls, folder: Path) -> PrerequisiteGraph:
        if not (folder / "metacademy_concepts.jsonl").is_file():
            return cls([], [])
        concepts = [Concept(c["tag"], c.get("title") or c["tag"], c.get("summary") or "")
                    for c in load_concepts(folder).values()]
        edges = [(e["prerequisite"], e["concept"], e["reason"]) for e in load_prerequisite_edges(folder)]
        return cls(concepts, edges)

    def __len__(self) -> int:
        return self.graph.number_of_nodes()

    def find(self, name: str) -> Concept | None:
        """The concept a learner's phrase names (title, tag or abbreviation; plural or singular)."""
        name = self.aliases.get(name.strip(), name)
        key = normalise(name)
        tag = self._by_name.get(key) or self._by_name.get(key.rstrip("s")) or self._by_name.get(key + "s")
        return self.concepts.get(tag) if tag else None

    def reason(self, before: str, after: str) -> str:
        return self.graph.edges[before, after].get("reason", "") if self.graph.has_edge(before, after) else ""

    def prerequisites(self, concept: Concept) -> list[Concept]:
        """The concepts one edge before this one."""
        return [self.concepts[t] for t in self.graph.predecessors(concept.tag)] if concept.tag in self.graph else []

    def comes_before(self, concept: Concept, later: Concept) -> bool:
        """Whether a path of prerequisites leads from one concept to the other."""
        return concept.tag != later.tag and concept.tag in self.graph and later.tag in self.graph and \
            nx.has_path(self.graph, concept.tag, later.tag)

    def variant_of(self, concept: Concept, base: Concept) -> bool:
        """Whether the concept's title names the other one ("probabilistic PCA", "differential entropy")."""
        names = [base.title] + [alias for alias, title in self.aliases.items() if title == base.title]
        return any(re.search(rf"(?<!\w){re.escape(n)}(?!\w)", concept.title, re.I) for n in names)

    def needs(self, targets: list[Concept], gaps: list[Concept]) -> list[PrerequisiteNeed]:
        """For each gap: the first target it is (transitively) a prerequisite of, with the reason of the last hop."""
        needs = []
        for gap in gaps:
            found = None
            for target in targets:
                if gap.tag == target.tag or not nx.has_path(self.graph, gap.tag, target.tag):
                    continue
                path = nx.shortest_path(self.graph, gap.tag, target.tag)
                found = PrerequisiteNeed(gap, target, self.reason(path[0], path[1]))
                break
            needs.append(found or PrerequisiteNeed(gap, None))
        return needs

    def learning_path(self, target: Concept, missing: list[Concept]) -> list[Concept]:
        """The missing concepts that lead to the target, prerequisites first, ending with the target."""
        ancestors = nx.ancestors(self.graph, target.tag)
        steps = {c.tag for c in missing if c.tag in ancestors}
        order = [t for t in nx.topological_sort(self.graph.subgraph(steps | {target.tag}))]
        return [self.concepts[t] for t in order]
