from assistant.ranking.types import Candidate, RankingInput, Signal


class NoveltyScorer:
    """Something the learner has not been shown yet edges out what they have seen before."""

    name = "novelty"

    def __call__(self, candidate: Candidate, given: RankingInput) -> Signal:
        seen = set(given.profile.seen)
        return Signal(-1.0 if candidate.resource.all_ids & seen else 0.0)
