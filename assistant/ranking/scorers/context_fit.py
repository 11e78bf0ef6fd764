from assistant.ranking.types import Candidate, RankingInput, Signal
from assistant.reply import Fact


class ContextScorer:
    """Length against the learner's time budget (from the profile or this session), and audio/video on a phone."""

    name = "context"

    def __call__(self, candidate: Candidate, given: RankingInput) -> Signal:
        budget = given.context.session_minutes or given.profile.time_budget_minutes
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
