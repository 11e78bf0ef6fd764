from assistant.ranking.types import Candidate, RankingInput, Signal
from assistant.reply import Fact


class PriceScorer:
    """Free resources for a learner who asked for free ones; paid ones count against."""

    name = "free"

    def __call__(self, candidate: Candidate, given: RankingInput) -> Signal:
        if not given.profile.free_only or candidate.resource.free is None:
            return Signal(0.0)
        return Signal(1.0, (Fact(kind="free"),)) if candidate.resource.free else Signal(-1.0)
