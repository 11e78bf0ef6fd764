from assistant.ranking.types import Candidate, RankingInput, Signal
from assistant.reply import Fact


class PrerequisiteScorer:
    """Resources teaching a concept the learner lacks (most), or the concept they asked about."""

    name = "prerequisite"

    def __call__(self, candidate: Candidate, given: RankingInput) -> Signal:
        concept = candidate.resource.concept
        if concept is None:
            return Signal(0.0)
        for need in given.focus.needs:
            if need.concept.tag == concept:
                values = {"concept": need.concept.title}
                if need.target is not None:
                    values |= {"target": need.target.title, "why": need.reason}
                return Signal(1.0, (Fact(kind="prerequisite", values=values),))
        for target in given.focus.targets:
            if target.tag == concept:
                return Signal(0.8, (Fact(kind="concept", values={"concept": target.title}),))
        return Signal(0.0)
