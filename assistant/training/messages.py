"""Learner messages composed from fragments, each fragment carrying exactly the profile slots its words state."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from assistant.profile.rules import detect_language
from assistant.profile.schema import FORMATS, LEVEL_ORDER, ProfileDelta
from assistant.training import phrases as P
from assistant.training.pool import SplitPool

_ZH_PUNCT_SPACE = re.compile(r" ([。，？！、])")
_TIME_VALUES = sorted(P.TIME_WORDS["zh"])
_ALIASES = {"Golang": "Go", "React.js": "React", "Vue.js": "Vue", "Node.js": "Node", "HTML and CSS": "HTML/CSS",
            "Algorithms & Data Structures": "algorithms and data structures", "Security & Privacy": "security and privacy"}


@dataclass
class Fragment:
    text: str
    slots: dict = field(default_factory=dict)  # ProfileDelta fields this text states


@dataclass
class Message:
    text: str
    delta: ProfileDelta
    topics: list[str]  # catalog topics behind the learner's words


@dataclass(frozen=True)
class Mention:
    topic: str  # catalog spelling (for splits)
    phrase: str  # the learner's words


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def mention(rng: random.Random, topic: str, language: str) -> Mention:
    """How a learner names a catalog topic: as the catalog spells it, or a common paraphrase."""
    if language == "zh" and topic in P.ZH_TOPIC_NAMES and rng.random() < 0.6:
        return Mention(topic, P.ZH_TOPIC_NAMES[topic])
    roll = rng.random()
    if topic in _ALIASES and roll < 0.35:
        return Mention(topic, _ALIASES[topic])
    if roll < 0.25 and " " in topic and topic.isascii():
        return Mention(topic, topic.lower())
    return Mention(topic, topic)


def _spaced(phrase: str, language: str, rng: random.Random) -> str:
    """Chinese writers usually set Latin words apart with spaces."""
    if language == "zh" and phrase.isascii() and rng.random() < 0.7:
        return f" {phrase} "
    return phrase


class Composer:
    """Draws learner messages for one split and language, and knows the profile delta each one states."""

    def __init__(self, pool: SplitPool, rng: random.Random):
        self.pool = pool
        self.rng = rng
        zh_topics = pool.zh_topics()
        zh_named = [t for t in pool.topics if t in P.ZH_TOPIC_NAMES]
        # Known things are things people say they know: languages and tools, not ML concepts.
        self.concepts = set(pool.concept_titles)
        self.known_choices = [t for t in pool.topics if t not in self.concepts]
        # Concepts are half the topic list but a smaller part of what people ask for.
        self.topic_choices = {"en": self.known_choices * 2 + pool.concept_titles,
                              "zh": zh_topics * 2 + zh_named + pool.concept_titles[::3]}

    # -- fragments --------------------------------------------------------------------------------------------
    def pick_topic(self, language: str) -> Mention:
        return mention(self.rng, self.rng.choice(self.topic_choices[language]), language)

    def topic(self, language: str, mentions: list[Mention]) -> Fragment:
        words = P.TOPIC_JOIN[language].join(_spaced(m.phrase, language, self.rng).strip() for m in mentions)
        slots: dict = {"topics": [m.phrase for m in mentions]}
        # Goals like "build web apps with X" only make sense for tools and languages, not for ML concepts.
        if len(mentions) == 1 and mentions[0].topic not in self.concepts and self.rng.random() < 0.12:
            template, goal = self.rng.choice(P.TOPIC_GOAL[language])
            slots["goals"] = [goal.format(topic=mentions[0].phrase)]
            return Fragment(template.format(topic=_spaced(words, language, self.rng)), slots)
        return Fragment(self.rng.choice(P.TOPIC[language]).format(topic=_spaced(words, language, self.rng)), slots)

    def level(self, language: str, level: str, correction: bool = False) -> Fragment:
        bank = P.LEVEL_CORRECTION if correction else P.LEVEL
        return Fragment(self.rng.choice(bank[language][level]), {"level": level})

    def known(self, language: str, item: Mention, advanced: bool) -> Fragment:
        bank = P.KNOWN_ADVANCED if advanced else P.KNOWN
        slots: dict = {"known": [item.phrase]}
        if advanced:
            slots["level"] = "advanced"
        return Fragment(self.rng.choice(bank[language]).format(known=_spaced(item.phrase, language, self.rng)), slots)

    def gap(self, language: str, items: list[Mention]) -> Fragment:
        words = P.GAP_JOIN[language].join(m.phrase for m in items)
        text = self.rng.choice(P.GAP[language]).format(gap=_spaced(words, language, self.rng))
        return Fragment(text, {"gaps": [m.phrase for m in items]})

    def goal(self, language: str) -> Fragment:
        text, goal = self.rng.choice(P.GOALS[language])
        return Fragment(text, {"goals": [goal]})

    def formats(self, language: str, like: str | None, avoid: str | None, correction: bool = False) -> Fragment:
        plural = P.FORMAT_PLURAL[language]
        if correction and like:
            return Fragment(self.rng.choice(P.CORRECTION[language]).format(like=self.rng.choice(plural[like])),
                            {"formats": [like]})
        if like and avoid:
            like_word, avoid_word = self.rng.choice(plural[like]), self.rng.choice(plural[avoid])
            text = self.rng.choice(P.FORMAT_OVER[language]).format(like=like_word, Like=_cap(like_word), avoid=avoid_word)
            return Fragment(text, {"formats": [like], "avoid_formats": [avoid]})
        if avoid:
            text = self.rng.choice(P.FORMAT_AVOID[language]).format(avoid=self.rng.choice(plural[avoid]))
            return Fragment(text, {"avoid_formats": [avoid]})
        return Fragment(self.rng.choice(P.FORMAT_LIKE[language][like]), {"formats": [like]})

    def time(self, language: str, minutes: int, device: str | None) -> Fragment:
        words = self.rng.choice(P.TIME_WORDS[language][minutes])
        if device:
            device_word = self.rng.choice(P.DEVICE_WORDS[language][device])
            text = self.rng.choice(P.TIME_DEVICE[language]).format(time=words, device=device_word)
            return Fragment(text, {"time_budget_minutes": minutes, "device": device})
        text = self.rng.choice(P.TIME[language]).format(time=words, Time=_cap(words))
        return Fragment(text, {"time_budget_minutes": minutes})

    def device(self, language: str, device: str) -> Fragment:
        word = self.rng.choice(P.DEVICE_WORDS[language][device])
        return Fragment(self.rng.choice(P.DEVICE[language]).format(device=word), {"device": device})

    def language_request(self, language: str, wanted: str) -> Fragment:
        return Fragment(self.rng.choice(P.LANGUAGE_REQUEST[language][wanted]), {"language": wanted})

    def free(self, language: str) -> Fragment:
        return Fragment(self.rng.choice(P.FREE[language]), {"free_only": True})

    def nothing(self, language: str) -> Fragment:
        return Fragment(self.rng.choice(P.NOTHING[language]))

    # -- whole messages ---------------------------------------------------------------------------------------
    def assemble(self, language: str, fragments: list[Fragment], topics: list[str], shuffle: bool = True) -> Message:
        """Fragments in a natural order (the topic usually first), slots merged into one delta."""
        if shuffle and len(fragments) > 1:
            head, rest = fragments[0], fragments[1:]
            self.rng.shuffle(rest)
            fragments = [head, *rest] if self.rng.random() < 0.7 else self.rng.sample(fragments, len(fragments))
        joiner = "" if language == "zh" else " "
        text = self.rng.choice(P.GREETINGS[language]) + joiner.join(f.text for f in fragments)
        text = _ZH_PUNCT_SPACE.sub(r"\1", " ".join(text.split()))
        slots: dict = {}
        for fragment in fragments:
            for key, value in fragment.slots.items():
                slots[key] = slots.get(key, []) + value if isinstance(value, list) else value
        slots.setdefault("language", detect_language(text))
        return Message(text, ProfileDelta(**slots), topics)

    def random_message(self, language: str, wants: dict | None = None) -> Message:
        """A message stating a random mix of slots; `wants` forces some (topic Mention, level, format, language...)."""
        rng, wants = self.rng, dict(wants or {})
        fragments: list[Fragment] = []
        topics: list[str] = []
        mentions = wants.pop("mentions", None)
        if mentions is None and rng.random() < 0.8:
            mentions = [self.pick_topic(language) for _ in range(2 if rng.random() < 0.12 else 1)]
            mentions = list({m.phrase.lower(): m for m in mentions}.values())
        if mentions:
            fragments.append(self.topic(language, mentions))
            topics += [m.topic for m in mentions]
        level = wants.pop("level", None) or (rng.choice(LEVEL_ORDER) if rng.random() < 0.3 else None)
        if rng.random() < 0.15 and self.known_choices:
            item = mention(rng, rng.choice(self.known_choices), language)
            if item.topic not in topics:
                advanced = level in (None, "advanced") and rng.random() < 0.35
                fragments.append(self.known(language, item, advanced))
                topics.append(item.topic)
                level = None if advanced else level
        if level:
            fragments.append(self.level(language, level))
        gaps = self._gaps(topics, wants.pop("gap", rng.random() < 0.12))
        if gaps:
            fragments.append(self.gap(language, [mention(rng, g, language) for g in gaps]))
            topics += gaps
        if rng.random() < 0.12:
            fragments.append(self.goal(language))
        like = wants.pop("format", None)
        avoid = None
        if like is None and rng.random() < 0.4:
            like, avoid = self._format_choice()
        if like or avoid:
            fragments.append(self.formats(language, like, avoid))
        device = rng.choice(["phone", "phone", "tablet", "desktop"]) if rng.random() < 0.2 else None
        if rng.random() < 0.3:
            fragments.append(self.time(language, rng.choice(_TIME_VALUES), device if rng.random() < 0.6 else None))
            device = None if fragments[-1].slots.get("device") else device
        if device:
            fragments.append(self.device(language, device))
        wanted_language = wants.pop("language", None)
        if wanted_language is None and rng.random() < 0.12:
            wanted_language = ("en" if language == "zh" else "zh") if rng.random() < 0.6 else language
        if wanted_language:
            fragments.append(self.language_request(language, wanted_language))
        if rng.random() < 0.1:
            fragments.append(self.free(language))
        if not fragments:
            fragments.append(self.nothing(language))
        return self.assemble(language, fragments, topics)

    def request(self, language: str, item: Mention, level: str | None, like: str | None, wanted_language: str | None) -> Message:
        """A request stating exactly the given topic, level, format and language, plus slots relevance ignores."""
        fragments = [self.topic(language, [item])]
        if level:
            fragments.append(self.level(language, level))
        if like:
            fragments.append(self.formats(language, like, None))
        if wanted_language:
            fragments.append(self.language_request(language, wanted_language))
        if self.rng.random() < 0.2:
            fragments.append(self.time(language, self.rng.choice(_TIME_VALUES), None))
        if self.rng.random() < 0.1:
            fragments.append(self.goal(language))
        return self.assemble(language, fragments, [item.topic])

    def _format_choice(self) -> tuple[str | None, str | None]:
        roll = self.rng.random()
        like = self.rng.choice([f for f in FORMATS if f != "paper"] + ["paper"] * (roll < 0.05))
        if roll < 0.6:
            return like, None
        avoid = self.rng.choice([f for f in FORMATS if f not in (like, "paper")])
        return (None, avoid) if roll < 0.75 else (like, avoid)

    def _gaps(self, topics: list[str], wanted: bool) -> list[str]:
        """What the learner says they lack: a real prerequisite of the concept they asked for, when there is one."""
        if not wanted:
            return []
        for topic in topics:
            prerequisites = [p for p in self.pool.prerequisites.get(topic, []) if p not in topics]
            if prerequisites:
                return self.rng.sample(prerequisites, min(len(prerequisites), 1 + (self.rng.random() < 0.3)))
        return [self.rng.choice(self.pool.concept_titles)] if self.pool.concept_titles else []
