from assistant.ranking.types import Candidate, RankingInput, Signal


class PopularityScorer:
    """A prior from how many learners found the resource helpful or opened it (0 on a new deployment)."""

    name = "popularity"

    def __call__(self, candidate: Candidate, given: RankingInput) -> Signal:
        popularity = given.feedback.popularity
        return Signal(max((popularity.get(i, 0.0) for i in candidate.resource.all_ids), default=0.0))
