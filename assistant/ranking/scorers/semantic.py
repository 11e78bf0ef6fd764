import re

from assistant.ranking.types import Candidate, RankingInput, Signal
from assistant.reply import Fact

_WORD = re.compile(r"[A-Za-z][A-Za-z+#.\-]*[A-Za-z+#]|[A-Za-z]")
_STOP = {"the", "and", "for", "with", "how", "what", "want", "like", "learn", "learning", "about", "some", "that",
         "this", "have", "need", "please", "would", "could", "should", "where", "which", "really", "understand",
         "start", "begin", "good", "best", "book", "books", "video", "videos", "course", "courses", "podcast",
         "podcasts", "tutorial", "tutorials", "something", "anything", "material", "resources", "recommend",
         "teach", "know", "just", "only", "minutes", "hour", "hours", "day", "week", "time", "from", "into", "your",
         "you", "are", "can", "any", "more", "less", "much", "very", "well", "also", "them", "they", "work", "keep"}


def _haystack(text: str) -> str:
    return f" {' '.join(_WORD.findall(text)).lower()} "


def shared_phrase(request: str, text: str, name: str = "") -> str | None:
    """The longest run of the learner's own content words found in the text: two or three words anywhere, or one
    long word in the name (title and topics; a lone word in a description, like "curious", says little)."""
    words = _WORD.findall(request)
    places = {2: _haystack(f"{name} {text}"), 1: _haystack(name)}
    for size in (3, 2, 1):
        for i in range(len(words) - size + 1):
            gram = words[i:i + size]
            if gram[0].lower() in _STOP or gram[-1].lower() in _STOP or len({w.lower() for w in gram}) < size:
                continue
            if size == 1 and len(gram[0]) < 6:
                continue
            phrase = " ".join(gram)
            if f" {phrase.lower()} " in places[min(size, 2)]:
                return phrase
    return None


class SemanticScorer:
    """Cosine similarity between the learner's request and the resource's best-matching text."""

    name = "semantic"

    def __call__(self, candidate: Candidate, given: RankingInput) -> Signal:
        resource = candidate.resource
        phrase = shared_phrase(given.request, resource.description, " ".join([resource.title, *resource.topics]))
        facts = (Fact(kind="content", values={"phrase": phrase}),) if phrase else ()
        return Signal(max(0.0, candidate.similarity), facts)
