from assistant.ranking.types import Candidate, RankingInput, Signal
from assistant.reply import Fact

LATE_SESSION_MINUTES = 30  # assumed budget late at night when the learner gave none


class ContextScorer:
    """Length against the time budget (this session's, the profile's, or a short one late at night), and
    audio/video on a phone."""

    name = "context"

    def __call__(self, candidate: Candidate, given: RankingInput) -> Signal:
        budget = given.context.session_minutes or given.profile.time_budget_minutes or (
            LATE_SESSION_MINUTES if given.context.late else None)
        duration = candidate.resource.duration_minutes
        value, facts = 0.0, []
        if budget and duration:
            if duration <= budget:
                value += 1.0
                facts.append(Fact(kind="length", values={"minutes": duration, "budget": budget}))
            elif duration <= 3 * budget:
                value += 0.3
            else:
                value -= 0.5
                facts.append(Fact(kind="length", values={"minutes": duration, "budget": budget}, supports=False))
        device = given.context.device or given.profile.device
        if device == "phone" and candidate.resource.modality in {"audio", "video"}:
            value += 0.5
            facts.append(Fact(kind="device", values={"modality": candidate.resource.modality, "device": device}))
        return Signal(max(-1.0, min(1.0, value)), tuple(facts))
