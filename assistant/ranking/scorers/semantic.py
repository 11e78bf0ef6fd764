from assistant.ranking.types import Candidate, RankingInput, Signal


class SemanticScorer:
    """Cosine similarity between the learner's request and the resource's best-matching text."""

    name = "semantic"

    def __call__(self, candidate: Candidate, given: RankingInput) -> Signal:
        return Signal(max(0.0, candidate.similarity))
