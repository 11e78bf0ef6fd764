from assistant.ranking.types import Candidate, RankingInput, Signal
from assistant.reply import Fact


class CollaborativeScorer:
    """Learners who liked what this learner liked also used this resource (item-item co-occurrence)."""

    name = "collaborative"

    def __call__(self, candidate: Candidate, given: RankingInput) -> Signal:
        model, history = given.feedback.collaborative, given.feedback.history
        if model is None or not history:
            return Signal(0.0)
        rid = candidate.resource.id
        value = given.feedback.collaborative_scores.get(rid)
        if value is None:  # an item outside the request's candidates (e.g. one the learner asked about)
            value = model.scores(history, [rid]).get(rid, 0.0)
        evidence = model.evidence(history, rid) if value > 0 else None
        if evidence is None:
            return Signal(value)
        title = given.feedback.titles.get(evidence[0], evidence[0])
        return Signal(value, (Fact(kind="collaborative", values={"liked": title}),))
