"""Wiring only: builds the components from settings (one `match` per backend) and the services the UI and API call:
`turns` (one turn, assistant/turn.py), `learner_data` (feedback, profile, conversations, export, forget) and, inside
a turn, follow-up answers; `analytics` (the curators' aggregates); `lti` (launches from registered LMSs), `outbox`
(xAPI statements to an LRS) and `retention` (the sweep of old turns and events) when configured."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.admission import Admission
from assistant.analytics.tables import Analytics
from assistant.catalog import load_catalog
from assistant.catalog.schema import Resource
from assistant.config import Settings
from assistant.explain.reasons import ReasonWriter
from assistant.fair_use import FairUse
from assistant.follow_ups.answers import FollowUpAnswers
from assistant.knowledge.graph import PrerequisiteGraph
from assistant.knowledge.topics import LanguageCoverage, TopicMatcher, load_aliases, load_glosses, load_homonyms
from assistant.learner_data import LearnerData
from assistant.llm import LLM, GenerationLimits, build_llm
from assistant.llm.prompts import PromptTemplate, load_prompts
from assistant.lms.keys import ToolKey
from assistant.lms.lti import LTITool
from assistant.lms.outbox import StatementSender
from assistant.lms.statements import StatementMaker
from assistant.profile.retention import RetentionSweeper
from assistant.profile.store import LearnerStore, open_store
from assistant.ranking.crowd import FeedbackReader
from assistant.ranking.focus import FocusFinder
from assistant.ranking.linking import TopicCentroids
from assistant.ranking.recommenders import (
    BM25Recommender,
    DenseRecommender,
    HybridRecommender,
    HybridSettings,
    PopularityRecommender,
    Recommender,
    RelevanceFn,
)
from assistant.ranking.scorers import ALL_SCORERS
from assistant.tasks import REQUIRED_PROMPTS
from assistant.tasks.profile_extraction import ProfileReader
from assistant.tasks.reasons import ReasonDrafter
from assistant.tasks.relevance import RelevanceJudge
from assistant.turn import TurnLimits, TurnService
from assistant.vectorstore import ResourceIndex, VectorStore


def build_recommender(settings: Settings, index: ResourceIndex, graph: PrerequisiteGraph,
                      relevance: RelevanceFn | None, coverage: LanguageCoverage) -> Recommender:
    r = settings.ranking
    match r.ranker:
        case "hybrid":
            return HybridRecommender(
                index, FocusFinder(graph), ALL_SCORERS,
                HybridSettings(dict(r.weights), r.candidate_pool, r.topic_pool, r.concept_pool, r.diversity,
                               settings.llm.judged_per_shown),
                relevance, coverage, TopicCentroids.from_index(index, load_glosses(), settings.cache_dir / "embeddings"))
        case "dense":
            return DenseRecommender(index)
        case "bm25":
            return BM25Recommender(index)
        case "popularity":
            return PopularityRecommender(index)
    raise ValueError(f"unknown ranker {r.ranker!r}")


@dataclass
class Engine:
    """The loaded components (index, LLM, learner store, catalog, graph, prompts) and the services built on them."""

    settings: Settings
    index: ResourceIndex
    llm: LLM | None
    learners: LearnerStore
    catalog: list[Resource]
    graph: PrerequisiteGraph
    prompts: dict[str, PromptTemplate] | None = None
    resources: dict[str, Resource] = field(init=False)  # every id and alias -> its resource
    topics: TopicMatcher = field(init=False)
    turns: TurnService = field(init=False)
    learner_data: LearnerData = field(init=False)
    lti: LTITool | None = field(init=False)  # None: no platform registered (ASSISTANT_LTI_PLATFORMS)
    outbox: StatementSender | None = field(init=False)  # None: no LRS (ASSISTANT_XAPI_URL); started by the app
    retention: RetentionSweeper | None = field(init=False)  # None: keep (ASSISTANT_STORE_RETENTION_DAYS); the app
    analytics: Analytics = field(init=False)

    def __post_init__(self) -> None:
        s = self.settings
        self.resources = {rid: r for r in self.catalog for rid in r.all_ids}
        self.topics = TopicMatcher.from_resources(self.catalog, {**self.graph.aliases, **load_aliases()},
                                                   load_homonyms())
        self.prompts = self.prompts or load_prompts(s.prompts_dir, REQUIRED_PROMPTS, s.dev_reload_prompts)
        llm = self.llm
        judge = RelevanceJudge(llm, self.prompts["relevance"], s.llm.relevance_wait_s) if llm is not None else None
        drafter = None if llm is None else ReasonDrafter(
            llm, self.prompts["reason"], self.prompts["reason_retry"],
            GenerationLimits(s.llm.max_new_tokens, s.llm.timeout_s))
        reasons = ReasonWriter(drafter, self.topics, s.reason.stop_early, s.reason.vocabulary)
        reader = ProfileReader(self.topics, llm if s.llm.profile else None, self.prompts["profile"])
        recommender = build_recommender(s, self.index, self.graph, judge if judge and judge.available else None,
                                        LanguageCoverage(self.catalog, self.topics))
        feedback = FeedbackReader(self.learners, self.index, self.resources).for_profile
        answers = FollowUpAnswers(self.learners, self.resources, self.index, recommender, feedback,
                                  s.ranking.top_k, s.serving.history_turns)
        limits = TurnLimits(s.ranking.top_k, s.serving.max_message_chars, s.serving.history_turns,
                            s.reason.deadline_s)
        admission = Admission(s.serving.turn_concurrency, s.serving.queue_max_size, s.serving.max_wait_s)
        statements = StatementMaker(s)
        fair_use = FairUse(self.learners, s.serving.learner_turns_per_minute, s.serving.key_turns_per_minute)
        self.turns = TurnService(limits, self.learners, reader, recommender, feedback, reasons, self.graph, answers,
                                 admission, statements, fair_use)
        self.learner_data = LearnerData(self.learners, self.resources, statements, self.topics)
        self.lti = LTITool(s.lti, self.learners, ToolKey.load_or_create(s.lti.private_key_file)) \
            if s.lti.platforms else None
        self.outbox = StatementSender(self.learners, s.xapi, statements.void) if s.xapi.url else None
        self.retention = RetentionSweeper(self.learners, s.store.retention_days, s.store.sweep_hours * 3600) \
            if s.store.retention_days else None
        self.analytics = Analytics(self.learners, self.resources)

    @classmethod
    def from_settings(cls, settings: Settings, llm: LLM | None = None) -> Engine:
        """Open the index (it must be built: `assistant index`), load the LLM and the learner store."""
        index = VectorStore(settings.index)
        if index.count() == 0:
            raise RuntimeError(f"The index at {settings.index.dir} is empty: run `assistant index` first.")
        catalog = load_catalog(settings.sources_dir, settings.catalogs)
        return cls(settings, index, llm or build_llm(settings.llm, settings.cache_dir),
                   open_store(settings.store), catalog.resources,
                   PrerequisiteGraph.from_metacademy(settings.sources_dir / "metacademy"))
