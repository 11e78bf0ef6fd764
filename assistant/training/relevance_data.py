"""Relevance examples (TALLRec-style yes/no): a fitting resource, and a hard negative that misses in one dimension."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from assistant.catalog.schema import Resource
from assistant.knowledge.topics import normalise
from assistant.llm.prompts import PromptTemplate
from assistant.profile.schema import FORMATS, LearnerProfile
from assistant.tasks.render import learner_summary, resource_summary
from assistant.training.examples import Example
from assistant.training.messages import Composer, mention

_SAMPLE_TRIES = 300


@dataclass(frozen=True)
class Wants:
    """The request as relevance judges it: topics (catalog keys), the formats liked, language and stated level."""

    topics: tuple[str, ...]
    formats: tuple[str, ...]
    language: str
    level: str

    @classmethod
    def of(cls, profile: LearnerProfile, topics: list[str]) -> Wants:
        return cls(tuple(normalise(t) for t in topics), tuple(profile.liked_formats), profile.language or "en", profile.level)


def fits(wants: Wants, resource: Resource) -> dict[str, bool]:
    """Per dimension, whether the resource satisfies what the learner stated (an unstated dimension always fits)."""
    return {
        "topic": any(normalise(t) in wants.topics for t in resource.topics),
        "format": not wants.formats or bool(set(wants.formats) & resource.formats),
        "language": resource.language == wants.language,
        "level": wants.level == "unknown" or resource.level == wants.level,
    }


def misses_only(wants: Wants, resource: Resource, dimension: str) -> bool:
    verdict = fits(wants, resource)
    return not verdict[dimension] and all(ok for d, ok in verdict.items() if d != dimension)


class RelevanceBuilder:
    def __init__(self, composer: Composer, prompt: PromptTemplate):
        self.composer = composer
        self.rng = composer.rng
        self.prompt = prompt
        pool = composer.pool
        self.resources = pool.resources
        self.by_language = {lang: [r for r in pool.resources if r.language == lang] for lang in ("en", "zh")}
        self.leveled = {lang: [r for r in rs if r.level != "unknown"] for lang, rs in self.by_language.items()}
        self.topics = set(pool.topics)

    def _anchor(self, language: str) -> Resource:
        """The resource that fits: usually in the learner's language, sometimes one they asked for in the other."""
        other = "zh" if language == "en" else "en"
        lang = other if self.rng.random() < 0.1 else language
        if self.rng.random() < 0.3 and self.leveled[lang]:
            return self.rng.choice(self.leveled[lang])  # level negatives need a stated level and a labelled resource
        return self.rng.choice(self.by_language[lang])

    def _negative(self, wants: Wants, anchor: Resource, topic: str) -> tuple[str, Resource] | None:
        pool = self.composer.pool
        # Try the rarer dimensions first: a topic negative can almost always be found, the others often cannot.
        dimensions = ["level"] * (wants.level != "unknown") + ["format"] * bool(wants.formats) + ["language", "topic"]
        first = self.rng.choice(dimensions[:-1] if len(dimensions) > 2 and self.rng.random() < 0.6 else dimensions)
        for dimension in dict.fromkeys([first, *dimensions]):
            if dimension == "topic":
                related = self._related(topic)
                near = [r for t in related for r in pool.by_topic.get(t, [])]
                source = near if near and self.rng.random() < 0.5 else self.resources
            else:
                source = pool.by_topic[topic]
            for _ in range(_SAMPLE_TRIES if dimension == "topic" else 1):
                candidates = self.rng.sample(source, min(len(source), 40)) if dimension == "topic" else source
                found = [r for r in candidates if r.id != anchor.id and misses_only(wants, r, dimension)
                         and (dimension != "level" or r.level != "unknown")]
                if found:
                    return dimension, self.rng.choice(found)
        return None

    def _related(self, topic: str) -> list[str]:
        """Topics a careless reader would confuse with this one: shared words, shared prefixes, prerequisites."""
        words = set(normalise(topic).split())
        pool = self.composer.pool
        near = [t for t in pool.topics if t != topic and (words & set(normalise(t).split())
                                                           or normalise(t)[:4] == normalise(topic)[:4])]
        return near + pool.prerequisites.get(topic, [])

    def pair(self, language: str) -> list[Example]:
        """A positive and its hard negative for one request, or nothing when no negative exists in the split."""
        rng = self.rng
        anchor = self._anchor(language)
        askable = [t for t in anchor.topics if t in self.topics]
        if not askable:
            return []
        topic = rng.choice(askable)
        formats = sorted(anchor.formats & set(FORMATS))
        like = rng.choice(formats) if formats and rng.random() < 0.6 else None
        level = anchor.level if anchor.level != "unknown" and rng.random() < 0.8 else None
        wanted_language = anchor.language if anchor.language != language or rng.random() < 0.1 else None
        message = self.composer.request(language, mention(rng, topic, language), level, like, wanted_language)
        profile = LearnerProfile(learner_id="learner").merge(message.delta)
        wants = Wants.of(profile, [topic])
        negative = self._negative(wants, anchor, topic)
        if negative is None or not all(fits(wants, anchor).values()):
            return []
        dimension, other = negative
        learner = learner_summary(profile, message.text)
        return [self._example(language, learner, wants, anchor, "yes", None),
                self._example(language, learner, wants, other, "no", dimension)]

    def _example(self, language: str, learner: str, wants: Wants, resource: Resource, label: str,
                 differs: str | None) -> Example:
        return Example(
            task="relevance", language=language, split=self.composer.pool.name,
            messages=self.prompt.render(learner=learner, resource=resource_summary(resource)),
            answer=label, topics=sorted(set(resource.topics) | set(wants.topics)),
            meta={"label": label, "differs": differs, "resource_id": resource.id, "wants": asdict(wants)},
        )
