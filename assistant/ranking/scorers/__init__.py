"""Feature scorers: each takes a candidate and the learner, returns a Signal (value + facts)."""

from assistant.ranking.scorers.context_fit import ContextScorer
from assistant.ranking.scorers.format_fit import FormatScorer
from assistant.ranking.scorers.language_fit import LanguageScorer
from assistant.ranking.scorers.level_fit import LevelScorer
from assistant.ranking.scorers.semantic import SemanticScorer
from assistant.ranking.scorers.topic import TopicScorer

ALL_SCORERS = (SemanticScorer(), TopicScorer(), FormatScorer(), LanguageScorer(), LevelScorer(), ContextScorer())
