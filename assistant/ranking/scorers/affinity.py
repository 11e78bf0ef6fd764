import numpy as np

from assistant.ranking.types import Candidate, RankingInput, Signal
from assistant.reply import Fact

CLOSE = 0.6  # cosine above which two catalog items are about the same thing


class AffinityScorer:
    """Close to something this learner marked helpful or opened (their own feedback, effective at once)."""

    name = "affinity"

    def __call__(self, candidate: Candidate, given: RankingInput) -> Signal:
        if candidate.embedding is None or not given.feedback.liked:
            return Signal(0.0)
        best_title, best = None, 0.0
        for resource, embedding in given.feedback.liked:
            if resource.all_ids & candidate.resource.all_ids:
                continue
            similarity = float(np.dot(candidate.embedding, embedding))
            if similarity > best:
                best_title, best = resource.title, similarity
        if best < CLOSE:
            return Signal(0.0)
        value = (best - CLOSE) / (1 - CLOSE)
        return Signal(value, (Fact(kind="similar_liked", values={"liked": best_title}),))
