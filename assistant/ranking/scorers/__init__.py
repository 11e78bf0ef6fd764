"""Feature scorers: each takes a candidate and the learner and returns a Signal (value in [-1, 1] + facts)."""

from assistant.ranking.scorers.affinity import AffinityScorer
from assistant.ranking.scorers.collaborative import CollaborativeScorer
from assistant.ranking.scorers.context_fit import ContextScorer
from assistant.ranking.scorers.format_fit import FormatScorer
from assistant.ranking.scorers.language_fit import LanguageScorer
from assistant.ranking.scorers.level_fit import LevelScorer
from assistant.ranking.scorers.llm_relevance import LLMRelevanceScorer
from assistant.ranking.scorers.novelty import NoveltyScorer
from assistant.ranking.scorers.popularity import PopularityScorer
from assistant.ranking.scorers.prerequisite import PrerequisiteScorer
from assistant.ranking.scorers.price import PriceScorer
from assistant.ranking.scorers.semantic import SemanticScorer
from assistant.ranking.scorers.topic import TopicScorer

ALL_SCORERS = (
    SemanticScorer(), TopicScorer(), FormatScorer(), LanguageScorer(), LevelScorer(), ContextScorer(),
    PrerequisiteScorer(), CollaborativeScorer(), AffinityScorer(), NoveltyScorer(), PopularityScorer(),
    PriceScorer(), LLMRelevanceScorer(),
)
SCORER_NAMES = tuple(s.name for s in ALL_SCORERS)
