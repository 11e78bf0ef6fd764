"""Answers to "why this one?" and "why not that one?", composed only from the facts behind the ranking."""

from __future__ import annotations

from assistant.catalog.schema import Resource
from assistant.explain.facts import render, render_all
from assistant.ranking.fusion import Ranked
from assistant.reply import Fact, Recommendation


def _join(clauses: list[str], language: str) -> str:
    return "；".join(clauses) if language == "zh" else "; ".join(clauses)


def _quote(title: str, language: str) -> str:
    return f"《{title}》" if language == "zh" else f"“{title}”"


def why(rec: Recommendation, language: str) -> str:
    """The recommendation's reason and every supporting fact it rests on."""
    facts = render_all([f for f in rec.facts if f.supports], language)
    reason = rec.reason.text if rec.reason else ""
    if language == "zh":
        return f"第 {rec.rank} 个{_quote(rec.resource.title, language)}：{reason} 依据：{_join(facts, language) or '它与你的请求内容相符'}。"
    grounds = _join(facts, language) or "it matches the words of your request"
    return f"Number {rec.rank}, {_quote(rec.resource.title, language)}: {reason} It rests on these facts: {grounds}."


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
    gaps = _missing(rec.facts, top.facts)
    against = [f for f in rec.facts if not f.supports]
    clauses = render_all(against, language) + [render(f, language) for f in gaps if not f.supports] + \
        [f"{'第一个' if language == 'zh' else 'number 1'}: {render(f, language)}" for f in gaps if f.supports]
    if language == "zh":
        detail = _join(clauses, language) or "两者与你的情况同样契合，第一个与你的描述在内容上更接近一些"
        return f"第 {rec.rank} 个{_quote(rec.resource.title, language)}排在第一个之后，因为：{detail}。"
    detail = _join(clauses, language) or "both fit what I know about you equally; number 1 matched your words a little more closely"
    return f"Number {rec.rank}, {_quote(rec.resource.title, language)}, is below number 1 because: {detail}."


def why_not_other(resource: Resource, judged: Ranked | None, pool_rank: int | None, top: Recommendation | None,
                  mark: str | None, language: str) -> str:
    """Why a catalog resource the learner names is not on the list."""
    title = _quote(resource.title, language)
    if mark:
        fact = Fact(kind="excluded", values={"mark": mark}, supports=False)
        return (f"{title}：{render(fact, language)}，所以不再推荐。" if language == "zh"
                else f"{title}: {render(fact, language)}, so I no longer recommend it.")
    clauses = []
    if judged is not None:
        clauses = render_all([f for f in judged.facts if not f.supports], language)
        if top is not None:
            clauses += [render(f, language) for f in _missing(list(judged.facts), top.facts) if not f.supports]
    position = ""
    if pool_rank is not None:
        position = (f"（在候选中排第 {pool_rank} 位）" if language == "zh" else f" (it ranked {pool_rank} among the candidates)")
    if language == "zh":
        detail = _join(clauses, language) or "按你目前的情况，其他资源与你的请求更契合"
        return f"{title}没有入选{position}，因为：{detail}。"
    detail = _join(clauses, language) or "other resources fit your request more closely on what I know about you"
    return f"{title} is not on the list{position} because: {detail}."


def not_found(title: str, language: str) -> str:
    return (f"目录里没有找到{_quote(title, language)}。" if language == "zh"
            else f"I could not find {_quote(title, language)} in the catalog.")
