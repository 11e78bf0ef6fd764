"""Reason examples: real facts about a real resource -> one short sentence to "you" that says only those facts."""

from __future__ import annotations

import random

from assistant.catalog.schema import Resource
from assistant.explain.check import Evidence, problems
from assistant.explain.facts import fact_words, record_facts, render_all
from assistant.llm.prompts import PromptTemplate
from assistant.locale import ENGLISH, locale
from assistant.profile.schema import FORMATS
from assistant.reply import Fact
from assistant.tasks.reasons import NO_FACTS
from assistant.tasks.render import facts_block
from assistant.training.examples import Example
from assistant.training.pool import SplitPool

_BUDGETS = (15, 20, 30, 45, 60, 90, 120, 180, 240)


def write_reason(facts: list[Fact], language: str, rng: random.Random) -> str:
    """The target sentence: a subject, then one predicate per fact in the facts' order."""
    if not facts:
        return locale(language).phrase("reason_no_facts")
    bank = locale(language).reason_predicates
    predicates = [rng.choice(bank[f.kind]).format(**fact_words(f, language)) for f in facts]
    subject = rng.choice(locale(language).reason_subjects)
    if language == "zh":
        body = "，".join(predicates[:-1]) + ("，而且" if len(predicates) > 1 else "") + predicates[-1]
        return f"{subject}{body}。"
    if len(predicates) == 1:
        return f"{subject} {predicates[0]}."
    if len(predicates) == 2:
        return f"{subject} {predicates[0]}, and it {predicates[1]}."
    return f"{subject} {predicates[0]}; it " + "; it ".join(predicates[1:-1]) + f"; and it {predicates[-1]}."


class ReasonBuilder:
    def __init__(self, pool: SplitPool, prompt: PromptTemplate, rng: random.Random):
        self.pool = pool
        self.prompt = prompt
        self.rng = rng
        self.by_language = {lang: [r for r in pool.resources if r.language == lang] for lang in ("en", "zh")}
        self.needed_for: dict[str, list[str]] = {}  # prerequisite title -> concepts that need it
        for concept, prerequisites in pool.prerequisites.items():
            for prerequisite in prerequisites:
                self.needed_for.setdefault(prerequisite, []).append(concept)

    def _facts(self, resource: Resource, language: str) -> tuple[list[Fact], list[str]]:
        """Facts the scorers could state about this resource for some learner, the learner-specific one first."""
        rng, topics = self.rng, list(resource.topics)
        lead: list[Fact] = []
        if resource.source == "metacademy":
            concept = resource.topics[0]
            targets = self.needed_for.get(concept, [])
            if targets and rng.random() < 0.4:
                target = rng.choice(targets)
                lead.append(Fact(kind="prerequisite", values={"concept": concept, "target": target}))
                topics.append(target)
            else:
                lead.append(Fact(kind="concept", values={"concept": concept}))
        else:
            lead.append(Fact(kind="topic", values={"topic": rng.choice(resource.topics)}))
        rest: list[Fact] = []
        formats = sorted(resource.formats & set(FORMATS))
        if formats:
            rest.append(Fact(kind="format", values={"format": rng.choice(formats)}))
        if resource.language == language:
            rest.append(Fact(kind="language", values={"language": language}))
        if resource.level != "unknown":
            rest.append(Fact(kind="level", values={"level": resource.level}))
        if resource.duration_minutes and resource.duration_minutes <= _BUDGETS[-1]:
            budget = rng.choice([b for b in _BUDGETS if b >= resource.duration_minutes][:3])
            rest.append(Fact(kind="length", values={"minutes": resource.duration_minutes, "budget": budget}))
        if resource.modality in ("audio", "video"):
            rest.append(Fact(kind="device", values={"modality": resource.modality, "device": "phone"}))
        if resource.free:
            rest.append(Fact(kind="free"))
        if rng.random() < 0.12:
            liked = rng.choice(self.pool.resources)
            if liked.id != resource.id:
                rest.append(Fact(kind=rng.choice(["collaborative", "similar_liked"]), values={"liked": liked.title}))
                topics += liked.topics
        if rng.random() < 0.05:
            rest.append(Fact(kind="content", values={"phrase": rng.choice(resource.topics).lower()}))
        rng.shuffle(rest)
        facts = ((lead if rng.random() < 0.85 else []) + rest)[: rng.randint(1, 4)] or lead
        record = record_facts(resource, facts)
        if record and rng.random() < 0.5:  # serving tells one fact from the item's own record last
            facts = facts[:3] + [rng.choice(record)]
        return facts, topics

    def example(self, language: str) -> Example | None:
        """One example, or None in the rare case the target sentence would not pass the faithfulness check."""
        rng = self.rng
        resources = self.by_language[language] if language == "zh" and rng.random() < 0.6 else self.pool.resources
        resource = rng.choice(resources)
        facts, topics = self._facts(resource, language) if rng.random() > 0.03 else ([], list(resource.topics))
        rendered = render_all(facts, language) or [NO_FACTS]
        reason = write_reason(facts, language, rng)
        if problems(reason, Evidence(rendered, resource, language, facts)):
            return None
        return Example(
            task="reason", language=language, split=self.pool.name,
            messages=self.prompt.render(facts=facts_block(rendered), title=resource.title,
                                        language_name=ENGLISH.name_of("language_names", language)),
            answer=reason, topics=sorted(set(topics)),
            meta={"facts": rendered, "title": resource.title, "resource_id": resource.id, "language": language,
                  "resource": resource.model_dump(mode="json"), "fact_values": [f.model_dump() for f in facts]},
        )
