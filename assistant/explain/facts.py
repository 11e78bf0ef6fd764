"""Facts in words: each Fact kind rendered in the learner's language (its locale table) from its values only."""

from __future__ import annotations

import re

from assistant.catalog.schema import Resource
from assistant.locale import ENGLISH, Locale, locale
from assistant.reply import Fact

# Author strings that read as names; anything longer or odder (a sentence, a link) is not told to the learner.
_AUTHORS = re.compile(r"[^\W\d_][\w .,'&()\-]{1,58}[\w.)]")
# A web address among the authors ("freeCodeCamp.org") would read as a link in the reason: that part is left out.
_LINKLIKE = re.compile(r"https?:|www\.|\.(?:com|org|net|io|dev|edu|cn)\b", re.I)


def record_facts(resource: Resource, told: list[Fact]) -> list[Fact]:
    """Facts from the item's own record (author, length, level) that the ranking's facts do not already tell."""
    kinds = {f.kind for f in told}
    facts = []
    names = [a.strip() for a in (resource.authors or "").split(",") if a.strip() and not _LINKLIKE.search(a)]
    authors = ", ".join(names[:2])
    if authors and _AUTHORS.fullmatch(authors):
        facts.append(Fact(kind="author", values={"authors": authors}, learner_specific=False))
    if resource.duration_minutes and "length" not in kinds:
        facts.append(Fact(kind="duration", values={"minutes": resource.duration_minutes}, learner_specific=False))
    if resource.level in ENGLISH.level_words and "level" not in kinds:
        facts.append(Fact(kind="marked_level", values={"level": resource.level}, learner_specific=False))
    return facts


# Values that have a name in the learner's language: the template sees the name under the second key.
_NAMED = (("language", "language_name", "language_names"), ("format", "format_noun", "format_nouns"),
          ("level", "level_word", "level_words"), ("learner_level", "learner_level_word", "level_words"),
          ("modality", "modality_word", "modality_words"), ("device", "device_word", "device_words"),
          ("mark", "mark_word", "mark_words"))


def _variant(fact: Fact) -> str:
    if fact.kind == "topic":
        return str(fact.values.get("how", "asked" if fact.supports else ""))
    if fact.kind == "prerequisite":
        return "why" if fact.values.get("why") else "target" if fact.values.get("target") else "gap"
    return ""


def fact_words(fact: Fact, language: str = "en") -> dict:
    """The fact's values plus the learner-facing words for them (format noun, level word...) in the language."""
    table = locale(language)
    names = dict(fact.values)
    for key, target, words in _NAMED:
        if fact.values.get(key):
            names[target] = table.name_of(words, fact.values[key])
    return names


def _template(fact: Fact, table: Locale) -> str:
    key = (fact.kind, fact.supports, _variant(fact))
    template = table.facts.get(key) or ENGLISH.facts.get(key)
    if template is None:
        raise KeyError(f"no wording for fact kind {fact.kind!r} (supports={fact.supports}, {_variant(fact)!r})")
    return template


def render(fact: Fact, language: str = "en") -> str:
    """The fact as a clause in the learner's language (English for any language without a table)."""
    return _template(fact, locale(language)).format(**fact_words(fact, language))


def render_all(facts: list[Fact], language: str = "en") -> list[str]:
    return [render(f, language) for f in facts]
