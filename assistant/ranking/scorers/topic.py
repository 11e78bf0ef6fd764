from assistant.ranking.types import Candidate, RankingInput, Signal
from assistant.reply import Fact


class TopicScorer:
    """Whether the resource is filed under a topic the learner named (weighted by how recent the mention is)."""

    name = "topic"

    def __call__(self, candidate: Candidate, given: RankingInput) -> Signal:
        resource_topics = {t.lower(): t for t in candidate.resource.topics}
        best, best_topic = 0.0, None
        for topic, weight in given.profile.topics.items():
            if topic.lower() in resource_topics and weight > best:
                best, best_topic = weight, resource_topics[topic.lower()]
        if best_topic is None:
            return Signal(0.0)
        return Signal(best, (Fact(kind="topic", values={"topic": best_topic}),))
