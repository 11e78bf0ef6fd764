from assistant.ranking.types import Candidate, RankingInput, Signal

_NOUN = {"book": "a book", "course": "a course", "video": "a video", "podcast": "a podcast",
         "interactive": "an interactive tutorial", "paper": "a paper"}


class FormatScorer:
    """+1 for a format the learner prefers, -1 for one they said they avoid, 0 when they said nothing."""

    name = "format"

    def __call__(self, candidate: Candidate, given: RankingInput) -> Signal:
        formats = candidate.resource.formats
        avoided = [f for f in given.profile.avoided_formats if f in formats]
        liked = [f for f in given.profile.liked_formats if f in formats]
        if liked and not avoided:
            return Signal(1.0, (f"it is {_NOUN.get(liked[0], liked[0])}, the format you prefer",))
        if avoided:
            return Signal(-1.0, (f"it is {_NOUN.get(avoided[0], avoided[0])}, a format you wanted to avoid",))
        return Signal(0.0)
