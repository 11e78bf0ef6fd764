"""Answers to "why this one?" and "why not that one?", composed only from the facts behind the ranking."""

from __future__ import annotations

from assistant.catalog.schema import Resource
from assistant.explain.facts import render, render_all
from assistant.locale import locale
from assistant.ranking.fusion import Ranked
from assistant.reply import Fact, Recommendation


def why(rec: Recommendation, language: str) -> str:
    """The recommendation's reason and every supporting fact it rests on."""
    table = locale(language)
    facts = render_all([f for f in rec.facts if f.supports], language)
    reason = rec.reason.text if rec.reason else ""
    grounds = table.clause_separator.join(facts) or table.phrase("why_no_grounds")
    return table.phrase("why", rank=rec.rank, title=table.quote(rec.resource.title), reason=reason, grounds=grounds)


def _missing(item: list[Fact], best: list[Fact]) -> list[Fact]:
    """Supporting facts of the top item whose kind the other item lacks, turned into facts against it."""
    have = {f.kind for f in item if f.supports}
    missing = []
    for fact in best:
        if fact.supports and fact.kind not in have:
            if fact.kind == "topic":
                missing.append(Fact(kind="topic", values={"topic": fact.values["topic"], "how": "missing"},
                                    supports=False))
            elif fact.kind in ("format", "language", "level", "concept", "prerequisite"):
                missing.append(fact)
    return missing


def why_not_listed(rec: Recommendation, top: Recommendation, language: str) -> str:
    """Why an item on the list is below the first one."""
    table = locale(language)
    gaps = _missing(rec.facts, top.facts)
    against = [f for f in rec.facts if not f.supports]
    clauses = render_all(against, language) + [render(f, language) for f in gaps if not f.supports] + \
        [table.phrase("number_one_has", fact=render(f, language)) for f in gaps if f.supports]
    detail = table.clause_separator.join(clauses) or table.phrase("why_not_listed_even")
    return table.phrase("why_not_listed", rank=rec.rank, title=table.quote(rec.resource.title), detail=detail)


def why_not_other(resource: Resource, judged: Ranked | None, pool_rank: int | None, top: Recommendation | None,
                  mark: str | None, language: str) -> str:
    """Why a catalog resource the learner names is not on the list."""
    table = locale(language)
    title = table.quote(resource.title)
    if mark:
        fact = Fact(kind="excluded", values={"mark": mark}, supports=False)
        return table.phrase("why_not_marked", title=title, fact=render(fact, language))
    clauses = []
    if judged is not None:
        clauses = render_all([f for f in judged.facts if not f.supports], language)
        if top is not None:
            clauses += [render(f, language) for f in _missing(list(judged.facts), top.facts) if not f.supports]
    position = "" if pool_rank is None else table.phrase("why_not_other_position", rank=pool_rank)
    detail = table.clause_separator.join(clauses) or table.phrase("why_not_other_closer")
    return table.phrase("why_not_other", title=title, position=position, detail=detail)


def not_found(title: str, language: str) -> str:
    table = locale(language)
    return table.phrase("not_found", title=table.quote(title))
