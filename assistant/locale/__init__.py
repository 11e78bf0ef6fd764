"""One table per language: names of levels, formats and languages, fact wordings, reason phrasings, reply phrases
and page words. Code asks `locale(code)` for the learner's table; a language without one is answered in English."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class Locale:
    code: str
    name: str  # the language's English name, as prompts name it ("Chinese")
    spaced: bool  # words are separated by spaces (False: a Chinese reason is checked character by character)
    # Names of things, keyed by their value in the data.
    language_names: Mapping[str, str]  # ISO 639-1 code -> the language's name in this language
    level_words: Mapping[str, str]
    format_words: Mapping[str, str]  # "book" (labels, lists)
    format_plurals: Mapping[str, str]  # "books" (the profile panel)
    format_nouns: Mapping[str, str]  # "a book" (inside a reason)
    type_labels: Mapping[str, str]  # resource types on a card ("Textbook section")
    modality_words: Mapping[str, str]
    device_words: Mapping[str, str]
    mark_words: Mapping[str, str]  # feedback marks as a fact names them ("not for me")
    # Joining words.
    list_separator: str  # between items of a list ("Rust, Go")
    clause_separator: str  # between clauses ("…; …")
    title_quote: str  # a title inside a sentence, "{}" is the title
    full_stop: str  # ends a sentence the code writes
    # (fact kind, supports, variant) -> the fact as a clause, over its values and the names above (explain/facts.py).
    facts: Mapping[tuple[str, bool, str], str]
    # How the tuned model words a reason: a subject, then one predicate per fact, facts joined by the joiners.
    reason_subjects: tuple[str, ...]
    reason_predicates: Mapping[str, tuple[str, ...]]
    reason_joiners: tuple[str, ...]
    template_joiner: str  # the fallback sentence joins its facts with this
    function_characters: str  # for unspaced languages: single characters any reason may use ("的", "是")
    phrases: Mapping[str, str]  # the assistant's own sentences, by key (reply text, why / why not)
    words: Mapping[str, str]  # text the server writes into the page, by key
    labels: Mapping[str, str]  # the page's fixed labels (translated in the browser)

    def phrase(self, key: str, **values: object) -> str:
        return self.phrases[key].format(**values)

    def quote(self, title: str) -> str:
        return self.title_quote.format(title)

    def name_of(self, table: str, value: object) -> str:
        """The name of `value` in one of the name tables (level_words, format_nouns...), else the value itself."""
        return getattr(self, table).get(str(value), str(value))


def _tables() -> dict[str, Locale]:
    from assistant.locale import en, zh

    return MappingProxyType({table.code: table for table in (en.TABLE, zh.TABLE)})


LOCALES: Mapping[str, Locale] = _tables()
ENGLISH = LOCALES["en"]


def locale(code: str | None) -> Locale:
    """The table for a language code ("zh", "zh-CN"); English for a language without one."""
    return LOCALES.get((code or "en").split("-")[0].lower(), ENGLISH)
