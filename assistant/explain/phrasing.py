"""How the tuned model words a reason: the subjects and per-fact predicates of the learner's locale table, which the
training sentences were built from (assistant/training/reason_data.py). Serving offers them, filled with each item's
facts, as guesses for lookup decoding, since the model's sentences mostly follow them."""

from __future__ import annotations

from assistant.explain.facts import fact_words
from assistant.locale import locale
from assistant.reply import Fact


def phrasings(facts: list[Fact], language: str) -> list[str]:
    """Every way the training sentences put these facts: each subject and joiner before each predicate."""
    table = locale(language)
    space = " " if table.spaced else ""
    texts = []
    for fact in facts:
        for predicate in table.reason_predicates.get(fact.kind, ()) if fact.supports else ():
            try:
                filled = predicate.format(**fact_words(fact, language))
            except (KeyError, IndexError):  # a fact without the value this wording needs
                continue
            texts += [f"{subject}{space}{filled}" for subject in table.reason_subjects] + \
                [f"{j}{filled}" for j in table.reason_joiners]
    return texts
