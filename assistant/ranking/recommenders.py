"""Recommenders: the hybrid pipeline and the baselines it is compared with, behind one interface.

The hybrid order is: query and filters -> Chroma search (relaxing filters in a stated order) -> focus (topics,
concepts, missing prerequisites) -> more candidates from the focus topics and concepts -> scorers -> fusion ->
optional LLM relevance on the best few -> prerequisites first, then MMR.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np

from assistant.catalog.filters import Equals, Has, all_of, any_of
from assistant.catalog.schema import Resource
from assistant.knowledge.topics import LanguageCoverage
from assistant.profile.rules import asked_language
from assistant.profile.schema import LearnerProfile
from assistant.ranking.diversity import arrange
from assistant.ranking.focus import FocusFinder
from assistant.ranking.linking import TopicCentroids
from assistant.ranking.fusion import Ranked, by_score, score_one
from assistant.ranking.query import Query, build_query
from assistant.ranking.types import Candidate, Feedback, Focus, RankingInput, Scorer
from assistant.reply import TurnContext
from assistant.vectorstore import Hit, ResourceIndex

# profile, request, topics -> P(yes) per resource, or None when the LLM could not judge in time (busy)
RelevanceFn = Callable[[LearnerProfile, str, list[str], list[Resource]], list[float] | None]


@dataclass(frozen=True)
class Request:
    profile: LearnerProfile
    messages: list[str]  # the learner's messages, oldest first; the last one is this turn's
    context: TurnContext = field(default_factory=TurnContext)
    feedback: Feedback = field(default_factory=Feedback)
    k: int = 5


@dataclass
class Recommendations:
    ranked: list[Ranked]
    focus: Focus = field(default_factory=Focus)
    relaxed: list[str] = field(default_factory=list)  # filters dropped because too few resources matched
    pool: list[Ranked] = field(default_factory=list)  # every scored candidate, best first (answers "why not?")
    llm_relevance: str = "off"  # used | busy (the model could not judge in time) | off


class Recommender(Protocol):
    def recommend(self, request: Request) -> Recommendations: ...


ANY_FORMAT = "topic, any format"  # origin of a named topic's resources fetched without the format filter


def _candidate(hit: Hit, origin: str = "search") -> Candidate:
    return Candidate(hit.resource, hit.similarity, hit.embedding, origin)


def _excluding(hits: Sequence[Hit], excluded: set[str]) -> list[Hit]:
    return [h for h in hits if not (h.resource.all_ids & excluded)]


@dataclass
class HybridSettings:
    weights: dict[str, float]
    pool: int = 120
    topic_pool: int = 40  # extra candidates fetched per focus topic
    concept_pool: int = 8  # extra candidates per target or missing concept
    diversity: float = 0.85  # MMR trade-off: 1 = no diversification
    llm_judged_per_shown: int = 2  # the LLM judges the best k * this candidates (0 = none)


class HybridRecommender:
    def __init__(self, store: ResourceIndex, finder: FocusFinder, scorers: Sequence[Scorer], settings: HybridSettings,
                 relevance: RelevanceFn | None = None, coverage: LanguageCoverage | None = None,
                 linker: TopicCentroids | None = None):
        self.store = store
        self.linker = linker
        self.coverage = coverage
        self.finder = finder
        self.scorers = scorers
        self.settings = settings
        self.relevance = relevance

    def _search(self, query: Query, vector: np.ndarray, excluded: set[str], k: int) -> tuple[list[Hit], list[str]]:
        """Search with every filter; drop filters in the stated order while fewer than k resources match."""
        dropped: list[str] = []
        while True:
            hits = _excluding(self.store.search(vector, query.where(set(dropped)), self.settings.pool), excluded)
            remaining = [f for f in query.relaxable if f not in dropped]
            if len(hits) >= k or not remaining:
                return hits, dropped
            dropped.append(remaining[0])

    def _too_little_in_language(self, request: Request, query: Query, dropped: list[str]) -> bool:
        """Too few resources in the learner's language are about the topics they named to fill half the list, another
        language has some, and the learner did not ask for their language in so many words (then it is what they
        want). With half the list or more, the topic filter would only lose near neighbours ("TeX" for "LaTeX")."""
        profile, k = request.profile, request.k
        named = profile.current_topics()
        if self.coverage is None or not named or "language" not in query.filters or "language" in dropped:
            return False
        if any(asked_language(m) for m in request.messages):
            return False
        half = (k + 1) // 2
        return self.coverage.count(profile.language or "", named, half) < half and any(
            self.coverage.count(other, named, 1) for other in self.coverage.languages if other != profile.language)

    def _expand(self, query: Query, vector: np.ndarray, dropped: list[str], focus: Focus, profile: LearnerProfile,
                k: int) -> list[Candidate]:
        """Resources filed under the focus topics, and those teaching the concepts in play."""
        found: list[Candidate] = []
        avoiding_only = "formats" in query.filters and not profile.liked_formats
        for topic, evidence in focus.topics.items():
            if evidence.confidence >= 0.5:
                where = query.where(set(dropped), Has("topics", topic))
                hits = _excluding(self.store.search(vector, where, self.settings.topic_pool), profile.excluded)
                found += [_candidate(h, "topic") for h in hits]
                if evidence.named and len(hits) < (k + 1) // 2 and avoiding_only and "formats" not in dropped:
                    # A format the learner avoids must not leave a topic they named without resources ("try Smalltalk
                    # rather than read about it": it has only books); the format scorer still ranks them lower.
                    where = query.where(set(dropped) | {"formats"}, Has("topics", topic))
                    found += [_candidate(h, ANY_FORMAT) for h in _excluding(
                        self.store.search(vector, where, self.settings.topic_pool), profile.excluded)]
        concepts = [n.concept.tag for n in focus.needs] + [t.tag for t in focus.targets]
        for tag in dict.fromkeys(concepts):
            where = query.where(set(dropped) | {"formats", "level"}, Equals("concept", tag))
            found += [_candidate(h, "concept") for h in _excluding(
                self.store.search(vector, where, self.settings.concept_pool), profile.excluded)]
        return found

    def _gather(self, request: Request) -> tuple[list[Candidate], RankingInput, list[str], np.ndarray]:
        """Every candidate for this request, the ranking input (with the focus) and the filters that were dropped."""
        profile = request.profile
        query = build_query(profile, request.messages)
        vector = self.store.encode(list(query.parts))
        excluded = profile.excluded
        hits, dropped = self._search(query, vector, excluded, request.k)
        if self._too_little_in_language(request, query, dropped):
            # Off-topic resources in the learner's language would fill the list: the topic filter takes the
            # language filter's place (the Chinese request's own script would otherwise pull in Chinese hits).
            dropped.append("language")
            on_topic = any_of(*[Has("topics", t) for t in profile.current_topics()])
            where = query.where(set(dropped), on_topic)
            on_topic_hits = _excluding(self.store.search(vector, where, self.settings.pool), excluded)
            # Fewer on-topic resources than the list holds: the best of the learner's language fill the rest.
            found = {h.resource.id for h in on_topic_hits}
            hits = on_topic_hits + ([h for h in hits if h.resource.id not in found]
                                    if len(on_topic_hits) < request.k else [])
        language_only = query.where(set(dropped) | {"formats", "level", "free"})

        def best_in_topic(topic: str) -> float:
            found = self.store.search(vector, all_of(language_only, Has("topics", topic)), 1)
            return found[0].similarity if found else 0.0

        candidates = [_candidate(h) for h in hits]
        linked = self.linker.link(vector) if self.linker is not None else []
        closeness = self.linker.similarity(vector) if self.linker is not None else None
        described = (lambda phrase: self.linker.similarity(self.store.encode(phrase))) if self.linker is not None \
            else None
        focus = self.finder.find(profile, candidates, best_in_topic, linked, closeness, " ".join(request.messages[-3:]),
                                 self.linker.sizes if self.linker is not None else None, described)
        seen = {c.resource.id for c in candidates}
        for extra in self._expand(query, vector, dropped, focus, profile, request.k):
            if extra.resource.id not in seen:
                seen.add(extra.resource.id)
                candidates.append(extra)
        feedback = request.feedback.for_items([c.resource.id for c in candidates])
        given = RankingInput(profile, request.context, focus, feedback, " ".join(request.messages[-3:]),
                             relaxed=frozenset(dropped))
        return candidates, given, dropped, vector

    def recommend(self, request: Request) -> Recommendations:
        candidates, given, dropped, _ = self._gather(request)
        scored, relevance = self._score(candidates, given, request.k)
        ranked = arrange(scored, given.focus, request.k, self.settings.diversity)
        if any(r.candidate.origin == ANY_FORMAT for r in ranked):
            dropped = [*dropped, "formats"]  # the reply says other formats are shown, and curators see the gap
        return Recommendations(ranked, given.focus, dropped, scored, relevance)

    def _score(self, candidates: list[Candidate], given: RankingInput, k: int) -> tuple[list[Ranked], str]:
        """Candidates best first, and whether the LLM's P(yes) took part (used, busy or off)."""
        weights = self.settings.weights
        scored = by_score([score_one(c, given, self.scorers, weights) for c in candidates])
        if self.relevance is None or not weights.get("llm", 0.0) or not self.settings.llm_judged_per_shown \
                or not scored:
            return scored, "off"
        rescored = self._rerank_with_llm(scored[: k * self.settings.llm_judged_per_shown], scored, given)
        return (scored, "busy") if rescored is None else (rescored, "used")

    def judge(self, request: Request, resource: Resource) -> tuple[Ranked | None, int | None]:
        """How a resource scores for this request, and its place among the candidates (None: not retrieved)."""
        candidates, given, _, vector = self._gather(request)
        scored, _ = self._score(candidates, given, request.k)  # the same order the list was taken from
        for place, ranked in enumerate(scored, start=1):
            if ranked.candidate.resource.all_ids & resource.all_ids:
                return ranked, place
        found, embeddings = self.store.summaries([resource.id])
        if not found:
            return None, None
        candidate = Candidate(found[0], float(embeddings[0] @ vector), embeddings[0], "judged")
        return score_one(candidate, given, self.scorers, self.settings.weights), None

    def _rerank_with_llm(self, head: list[Ranked], scored: list[Ranked], given: RankingInput) -> list[Ranked] | None:
        """Rescore the head with the LLM's P(yes); judging twice as many as are shown lets it lift one from below.
        None when the LLM could not judge in time."""
        # The adapter learnt relevance against catalog topic names ("Bash", not the learner's "shell scripting"):
        # it is given the topics the request was matched to, surest first.
        topics = sorted(given.focus.topics, key=lambda t: -given.focus.topics[t].confidence)
        p_yes = self.relevance(given.profile, given.request, topics, [r.candidate.resource for r in head])
        if p_yes is None:
            return None
        judged = replace(given, relevance={r.candidate.resource.id: p for r, p in zip(head, p_yes)})
        rescored = [score_one(r.candidate, judged, self.scorers, self.settings.weights) for r in head]
        return by_score(rescored + scored[len(head):])


class DenseRecommender:
    """Baseline: a plain dense-retrieval chatbot, the learner's messages embedded and matched, no filters."""

    def __init__(self, store: ResourceIndex):
        self.store = store

    def recommend(self, request: Request) -> Recommendations:
        text = " ".join(reversed(request.messages[-3:]))
        hits = _excluding(self.store.search(text, None, request.k * 2), request.profile.excluded)[: request.k]
        ranked = [Ranked(_candidate(h), round(h.similarity, 4), {"semantic": round(h.similarity, 4)}, ()) for h in hits]
        return Recommendations(ranked, pool=ranked)


class BM25Recommender:
    """Baseline: BM25 keyword match of the learner's messages against each resource's summary text."""

    def __init__(self, store: ResourceIndex):
        import bm25s

        from assistant.catalog.documents import summary_text

        self.resources, self.embeddings = store.summaries()
        self.index = bm25s.BM25()
        texts = [f"{summary_text(r)}. {r.description}" for r in self.resources]
        self.index.index(bm25s.tokenize(texts, stopwords="en", show_progress=False), show_progress=False)
        self._tokenize = bm25s.tokenize

    def recommend(self, request: Request) -> Recommendations:
        tokens = self._tokenize([" ".join(request.messages[-3:])], stopwords="en", show_progress=False)
        k = min(len(self.resources), request.k * 2)
        indices, scores = self.index.retrieve(tokens, k=k, show_progress=False)
        ranked = []
        for index, score in zip(indices[0], scores[0]):
            resource = self.resources[int(index)]
            if resource.all_ids & request.profile.excluded or score <= 0:
                continue
            candidate = Candidate(resource, 0.0, self.embeddings[int(index)], "bm25")
            ranked.append(Ranked(candidate, round(float(score), 4), {"bm25": round(float(score), 4)}, ()))
        return Recommendations(ranked[: request.k], pool=ranked)


class PopularityRecommender:
    """Baseline: the resources most learners found helpful or opened, the same for everyone."""

    def __init__(self, store: ResourceIndex):
        self.resources, self.embeddings = store.summaries()

    def recommend(self, request: Request) -> Recommendations:
        popularity = request.feedback.popularity
        order = sorted(range(len(self.resources)),
                       key=lambda i: (-popularity.get(self.resources[i].id, 0.0), self.resources[i].id))
        ranked = []
        for i in order:
            resource = self.resources[i]
            if resource.all_ids & request.profile.excluded:
                continue
            p = popularity.get(resource.id, 0.0)
            ranked.append(Ranked(Candidate(resource, 0.0, self.embeddings[i], "popularity"), p, {"popularity": p}, ()))
            if len(ranked) == request.k:
                break
        return Recommendations(ranked, pool=ranked)
