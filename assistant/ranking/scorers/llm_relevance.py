from assistant.ranking.types import Candidate, RankingInput, Signal


class LLMRelevanceScorer:
    """The tuned LLM's P(yes) that the resource fits the learner, centred on 0 (absent = no opinion)."""

    name = "llm"

    def __call__(self, candidate: Candidate, given: RankingInput) -> Signal:
        p_yes = given.relevance.get(candidate.resource.id)
        return Signal(0.0 if p_yes is None else 2.0 * p_yes - 1.0)
