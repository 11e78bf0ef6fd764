from assistant.ranking.types import Candidate, RankingInput, Signal
from assistant.reply import Fact


class LanguageScorer:
    """The resource is in the language the learner reads (from what they wrote or asked for); others count against it
    unless the language filter was relaxed because too little in it fits."""

    name = "language"

    def __call__(self, candidate: Candidate, given: RankingInput) -> Signal:
        wanted, actual = given.profile.language, candidate.resource.language
        if not wanted:
            return Signal(0.0)
        if actual == wanted:
            return Signal(1.0, (Fact(kind="language", values={"language": wanted}),))
        if "language" in given.relaxed:  # other languages were let in on purpose: the own one still comes first
            return Signal(0.0)
        return Signal(-1.0, (Fact(kind="language", values={"language": actual}, supports=False),))
