from assistant.ranking.types import Candidate, RankingInput, Signal
from assistant.reply import Fact

_ORDER = {"beginner": 0, "intermediate": 1, "advanced": 2}


class LevelScorer:
    """Closeness of the resource's stated level to the learner's; an unknown level on either side scores 0."""

    name = "level"

    def __call__(self, candidate: Candidate, given: RankingInput) -> Signal:
        learner, resource = given.profile.level, candidate.resource.level
        if learner not in _ORDER or resource not in _ORDER:
            return Signal(0.0)
        gap = abs(_ORDER[learner] - _ORDER[resource])
        if gap == 0:
            return Signal(1.0, (Fact(kind="level", values={"level": resource}),))
        if gap == 1:
            return Signal(0.3)
        return Signal(-1.0, (Fact(kind="level", values={"level": resource, "learner_level": learner}, supports=False),))
