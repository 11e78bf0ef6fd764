"""Which catalog topics and knowledge-graph concepts a request is about.

Topics the learner named are kept only if the catalog agrees they fit the request ("make Android apps" names the
build tool Make, but no Make resource comes close to the request). Topics they did not name are inferred from the
best retrieval hits: each hit votes for its topic headings with its similarity, as a reader scanning the results
would notice "these are all SQL books".
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence

from assistant.knowledge.graph import Concept, PrerequisiteGraph
from assistant.profile.rules import detect_language
from assistant.profile.schema import LearnerProfile
from assistant.ranking.types import Candidate, Focus, TopicEvidence

VOTERS = 30  # best hits that vote for topics
MIN_CONFIDENCE = 0.25
MAX_TOPICS = 5
CHECK_RATIO = 0.75  # a named topic's own best item must be this close to the best hit to count
CERTAINTY = 0.9  # no topic is ever certain: resources filed under several of the request's topics still rank higher
SECONDARY = 0.6  # inferred topics count less once the learner has named one that fits
LINK_MARGIN = 0.08  # a linked topic this much less similar than the closest one counts for nothing
LINK_TOPICS = 5  # linked topics considered
NARROW = 10  # an inferred heading with more resources than this is a broader guess and counts less (sqrt of the ratio)
FLAT_LINKING = 0.5  # the least share inferred topics keep when the closest topics are all about as close
LEADING_MARGIN = 0.04  # an unnamed concept this much closer than the next one is what the request is about
FAR_FROM, FAR_SPAN = 0.05, 0.1  # a named topic this much less close than the closest topic starts to count less,
FAR_LOSS = 0.4  # ... down to this much less at FAR_FROM + FAR_SPAN (quick evals: 0.6 lost more on the dev set)
DESCRIBED_GAP = 0.3  # a gap told in words links to a prerequisite at least this close to them
NAMED_MARGIN = 0.15  # a topic named only in lower case ("make", "processing", "icon") whose resources are this
# much further from the request than the closest topic's is a word used in passing, not a subject asked for


def _spelled_out(topic: str, request: str) -> bool:
    """The learner wrote the topic as the catalog spells it ("Make", "Django", "操作系统"), not only in lower case."""
    return not topic.isascii() or topic == topic.lower() or re.search(
        rf"(?<![A-Za-z0-9+#]){re.escape(topic)}(?![A-Za-z0-9+#])", request) is not None


def _farness(gap: float) -> float:
    """0 for a named topic about as close to the request as the closest topic, rising to 1 at FAR_FROM + FAR_SPAN."""
    return min(1.0, max(0.0, (gap - FAR_FROM) / FAR_SPAN))


def topic_votes(hits: Sequence[Candidate], ignore: set[str] = frozenset()) -> dict[str, float]:
    """Similarity-weighted topic counts over the best hits, scaled so the strongest topic has 1."""
    votes: dict[str, float] = defaultdict(float)
    for hit in hits[:VOTERS]:
        for topic in set(hit.resource.topics) - ignore:
            votes[topic] += max(hit.similarity, 0.0)
    top = max(votes.values(), default=0.0)
    return {t: v / top for t, v in votes.items()} if top > 0 else {}


def _narrowness(topic: str, sizes: Mapping[str, int] | None) -> float:
    """1 for a heading of NARROW resources or fewer, less for broader ones (unknown size: 1)."""
    size = (sizes or {}).get(topic, 0)
    return min(1.0, (NARROW / size) ** 0.5) if size else 1.0


class FocusFinder:
    """Turns the profile and the first retrieval hits into a Focus."""

    def __init__(self, graph: PrerequisiteGraph):
        self.graph = graph

    @staticmethod
    def _fits(names: list[str], votes: dict[str, float], best: float, best_in_topic: Callable[[str], float]) -> list[str]:
        """The names whose catalog resources come close to this request (the rest belong to another subject)."""
        return [n for n in names if n in votes or best_in_topic(n) >= CHECK_RATIO * best]

    def find(self, profile: LearnerProfile, hits: Sequence[Candidate], best_in_topic: Callable[[str], float],
             linked: Sequence[tuple[str, float]] = (), closeness: dict[str, float] | None = None,
             request: str = "", sizes: Mapping[str, int] | None = None,
             described: Callable[[str], Mapping[str, float]] | None = None) -> Focus:
        """`best_in_topic(topic)` is the similarity of the topic's best resource to this request; `linked` are the
        topics closest to the request by meaning (ranking/linking.py), closest first, with their similarity;
        `sizes` the number of resources filed under each topic; `described(phrase)` every topic's closeness to a
        phrase."""
        # What the learner already knows is not what they are asking for, however often it shows up in the hits.
        # ... nor is what they took back ("it's MySQL, not Postgres"), however often the earlier messages say it.
        known = (set(profile.known_topics) | set(profile.dropped_topics)) - set(profile.current_topics())
        votes = topic_votes(hits, known)
        best = max((h.similarity for h in hits[:VOTERS] if not set(h.resource.topics) <= known), default=0.0)
        named = {t: profile.topics[t] for t in self._fits(profile.current_topics(), votes, best, best_in_topic)}
        linked = [(t, s) for t, s in linked if t not in known]
        if linked and closeness:
            named = {t: w for t, w in named.items()
                     if _spelled_out(t, request) or closeness.get(t, 1.0) >= linked[0][1] - NAMED_MARGIN}
        named = {t: w for t, w in named.items() if t not in self._on_the_way(named, linked)}
        # Chinese text is about equally close to every Chinese-list heading: there the distances say nothing.
        english = detect_language(request) == "en"
        inferred = SECONDARY if named else 1.0
        if named and linked and closeness and english:
            # Every named topic far from the request's meaning ("a SQL LIKE query" as the story of a search
            # question): what the meaning points to is discounted less.
            nearest = min(_farness(linked[0][1] - closeness.get(t, linked[0][1])) for t in named)
            inferred += (1.0 - SECONDARY) * nearest
        scores = dict(votes)
        if linked:
            # A topic both the hits and the meaning point to beats one that only one of them does.
            closest = linked[0][1]
            link = {t: max(0.0, 1.0 - (closest - s) / LINK_MARGIN) for t, s in linked[:LINK_TOPICS]}
            scores = {t: (votes.get(t, 0.0) + link.get(t, 0.0)) / 2 for t in votes.keys() | link.keys()}
        if len(linked) >= LINK_TOPICS:
            # Topics nearly as close as each other by meaning ("Programming", "Assembly", "Compiler Design" within
            # 0.01) are a guess among many: what was inferred counts less than when one topic stands out.
            spread = (linked[0][1] - linked[LINK_TOPICS - 1][1]) / LINK_MARGIN
            inferred *= min(1.0, max(FLAT_LINKING, spread))
        # A description that lands on a broad heading ("Linux", "Python") rather than a narrow one ("Ansible") is a
        # weaker guess: the broad heading's resources are about many things, most of them not this request.
        evidence = {t: TopicEvidence(round(CERTAINTY * inferred * v * _narrowness(t, sizes), 3), False)
                    for t, v in scores.items() if v >= MIN_CONFIDENCE}
        # A named topic far from what the request is about by meaning is often context ("a radiologist dabbling in
        # ML" asking how image classifiers work): it counts less (English only, as above).
        for topic, weight in named.items():
            far = _farness(linked[0][1] - closeness[topic]) if english and linked and topic in (closeness or {}) else 0
            evidence[topic] = TopicEvidence(
                round(CERTAINTY * (1.0 - FAR_LOSS * far) * max(weight, votes.get(topic, 0.0)), 3), True)
        strongest = dict(sorted(evidence.items(), key=lambda kv: (-kv[1].confidence, not kv[1].named))[:MAX_TOPICS])
        targets = self._concepts([t for t, e in strongest.items() if e.named or e.confidence >= 0.6])
        leading = self._leading_concept(linked, named)
        if leading is not None and leading not in targets:
            targets.append(leading)
        if profile.gaps:
            targets += [c for c in self._goals_beyond(named, linked) if c not in targets]
        gaps = self._concepts(self._fits(profile.gaps, votes, best, best_in_topic))
        if described is not None:
            gaps += self._described_gaps(profile.gaps, targets, gaps, described)
        gap_tags = {g.tag for g in gaps}
        targets = [t for t in targets if t.tag not in gap_tags]
        return Focus(strongest, targets, self.graph.needs(targets, gaps) if gaps else [])

    def _leading_concept(self, linked: Sequence[tuple[str, float]], named: Mapping[str, float]) -> Concept | None:
        """The concept the request is about when it stands out: closest by meaning, clearly ahead of the next topic,
        and closer than anything the learner named ("image classifiers with sliding filters" in deep learning)."""
        unnamed = [(t, s) for t, s in linked if t not in named]
        if len(unnamed) < 2 or unnamed[0][1] - unnamed[1][1] < LEADING_MARGIN:
            return None
        if any(s >= unnamed[0][1] for t, s in linked if t in named):
            return None
        return self.graph.find(unnamed[0][0])

    @staticmethod
    def _close_unnamed(named: Mapping[str, float], linked: Sequence[tuple[str, float]]) -> dict[str, float]:
        """Linked topics the learner did not name, within LINK_MARGIN of the closest topic (title -> similarity)."""
        if not linked:
            return {}
        return {t: s for t, s in linked[:LINK_TOPICS] if t not in named and s >= linked[0][1] - LINK_MARGIN}

    def _goals_beyond(self, named: Mapping[str, float], linked: Sequence[tuple[str, float]]) -> list[Concept]:
        """When the learner says what they lack, an unnamed concept about as close as the closest one, that a named
        concept comes before, is what they lack it for ("LU decomposition, but we skipped Gaussian elimination")."""
        concepts = [c for c in (self.graph.find(t) for t in named) if c is not None]
        goals = []
        for title in self._close_unnamed(named, linked):
            later = self.graph.find(title)
            if later is not None and any(self.graph.comes_before(c, later) and not self.graph.variant_of(later, c)
                                         for c in concepts):
                goals.append(later)
        return goals

    def _on_the_way(self, named: Mapping[str, float], linked: Sequence[tuple[str, float]]) -> set[str]:
        """Concepts named on the way to another ("set the gradient to zero", asking about Lagrange multipliers): each
        comes before an unnamed concept the request is closer to, and before none the learner named (a named
        concept before another is what they lack or build on: they said so)."""
        closest = self._close_unnamed(named, linked)
        concepts = {t: self.graph.find(t) for t in named}
        passing = set()
        for topic, concept in concepts.items():
            if concept is None or any(other is not None and self.graph.comes_before(concept, other)
                                      for other in concepts.values()):
                continue
            closeness = dict(linked).get(topic, 0.0)
            for title, similarity in closest.items():
                later = self.graph.find(title)
                if later is not None and similarity > closeness and not self.graph.variant_of(later, concept) \
                        and self.graph.comes_before(concept, later):
                    passing.add(topic)
                    break
        return passing

    def _described_gaps(self, phrases: list[str], targets: list[Concept], named: list[Concept],
                        described: Callable[[str], Mapping[str, float]]) -> list[Concept]:
        """Gaps told rather than named ("the basic propose / accept-or-reject sampler" before HMC): for each, the
        prerequisite of a target its words are closest to; only a target's own prerequisites are candidates."""
        options = [c for t in targets for c in self.graph.prerequisites(t) if c not in named]
        found: list[Concept] = []
        for phrase in phrases:
            if not options or self.graph.find(phrase) is not None or len(phrase.split()) < 2:
                continue
            closeness = described(phrase)
            best = max(options, key=lambda c: closeness.get(c.title, 0.0))
            if closeness.get(best.title, 0.0) >= DESCRIBED_GAP and best not in found:
                found.append(best)
        return found

    def _concepts(self, names: list[str]) -> list[Concept]:
        found: list[Concept] = []
        for name in names:
            concept = self.graph.find(name)
            if concept is not None and concept not in found:
                found.append(concept)
        return found
