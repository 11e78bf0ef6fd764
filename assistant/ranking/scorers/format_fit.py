from assistant.ranking.types import Candidate, RankingInput, Signal
from assistant.reply import Fact


class FormatScorer:
    """+1 for a format the learner prefers, -1 for one they said they avoid, 0 when they said nothing."""

    name = "format"

    def __call__(self, candidate: Candidate, given: RankingInput) -> Signal:
        formats = candidate.resource.formats
        avoided = [f for f in given.profile.avoided_formats if f in formats]
        liked = [f for f in given.profile.liked_formats if f in formats]
        if avoided:
            return Signal(-1.0, (Fact(kind="format", values={"format": avoided[0]}, supports=False),))
        if liked:
            return Signal(1.0, (Fact(kind="format", values={"format": liked[0]}),))
        return Signal(0.0)
