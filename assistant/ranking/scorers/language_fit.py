from assistant.ranking.types import Candidate, RankingInput, Signal

_NAMES = {"en": "English", "zh": "Chinese"}


class LanguageScorer:
    """The resource is in the language the learner reads (from what they wrote or asked for)."""

    name = "language"

    def __call__(self, candidate: Candidate, given: RankingInput) -> Signal:
        wanted = given.profile.language
        if not wanted:
            return Signal(0.0)
        if candidate.resource.language == wanted:
            return Signal(1.0, (f"it is in {_NAMES.get(wanted, wanted)}, the language you use",))
        return Signal(-1.0)
