from assistant.ranking.types import Candidate, RankingInput, Signal
from assistant.reply import Fact


class TopicScorer:
    """How surely the resource is about what the request is about: the topics it is filed under, combined as
    independent evidence (noisy-or); a resource only about things the learner already knows counts against."""

    name = "topic"

    def __call__(self, candidate: Candidate, given: RankingInput) -> Signal:
        topics = candidate.resource.topics
        known = set(given.profile.known_topics)
        if topics and set(topics) <= known:
            return Signal(-0.5, (Fact(kind="topic", values={"topic": topics[0]}, supports=False),))
        matched = sorted(((given.focus.topics[t], t) for t in topics if t in given.focus.topics),
                         key=lambda pair: -pair[0].confidence)
        if not matched:
            return Signal(0.0)
        doubt = 1.0
        for evidence, _ in matched:
            doubt *= 1.0 - evidence.confidence
        strongest, topic = matched[0]
        value = round(1.0 - doubt, 4)
        if not strongest.named and given.profile.current_topics() and not any(
                e.named for e in given.focus.topics.values()):
            # Nothing the learner named has resources near this request (data structures, asked for in a language
            # whose catalog has none): the hits' topics are what the catalog has, not "what you described".
            return Signal(value)
        how = "asked" if strongest.named else "inferred"
        return Signal(value, (Fact(kind="topic", values={"topic": topic, "how": how}),))
