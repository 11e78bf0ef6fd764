"""The curators' tables, counted from the stored replies (each turn's focus topics, relaxed filters and missing
prerequisites, its report) and the feedback events. Aggregates only: no learner id, no message text; topics are the
catalog's own names."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from assistant.catalog.schema import Resource
from assistant.profile.store import LearnerStore

REACTIONS = ("helpful", "not_for_me", "already_know", "completed")
NO_TOPIC = "(no catalog topic)"


@dataclass(frozen=True)
class Table:
    """One aggregate table: its file name, a title and a sentence for the page, the columns and the rows."""

    name: str
    title: str
    about: str
    columns: tuple[str, ...]
    rows: list[tuple]

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.columns)
        writer.writerows(self.rows)
        return out.getvalue()


@dataclass(frozen=True)
class Aggregates:
    tables: dict[str, Table]
    turns: int  # recommendation turns counted ("why?" answers are not requests)
    events: int  # feedback events counted
    first: datetime | None  # the oldest turn or event counted
    last: datetime | None


@dataclass(frozen=True)
class _Turn:
    day: str
    language: str
    topics: tuple[str, ...]
    relaxed: tuple[str, ...]
    missing: tuple[tuple[str, str], ...]
    shown: tuple[tuple[str, str, tuple[str, ...]], ...]  # (resource id, title, topics)


def _read(moment: datetime, reply_json: str) -> _Turn | None:
    """The parts of a stored reply the tables count; None for a "why?" answer or an unreadable row."""
    try:
        reply = json.loads(reply_json)
    except ValueError:
        return None
    report = reply.get("report") or {} if isinstance(reply, dict) else {}
    if not isinstance(reply, dict) or report.get("kind", "recommend") != "recommend":
        return None
    shown = tuple((r["resource"]["id"], r["resource"].get("title", ""), tuple(r["resource"].get("topics") or ()))
                  for r in reply.get("recommendations") or [])
    missing = tuple((m["concept"], m.get("needed_for") or "") for m in report.get("missing_prerequisites") or [])
    return _Turn(day=moment.date().isoformat(), language=reply.get("language") or "?",
                 topics=tuple(report.get("focus_topics") or ()), relaxed=tuple(report.get("relaxed") or ()),
                 missing=missing, shown=shown)


def _rate(count: int, shown: int) -> float | str:
    return round(count / shown, 3) if shown else ""


class Analytics:
    """Counts over the whole learner store; `resources` gives titles and topics of resources only feedback names."""

    def __init__(self, store: LearnerStore, resources: Mapping[str, Resource] | None = None):
        self.store, self.resources = store, resources or {}

    def compute(self, since: datetime | None = None) -> Aggregates:
        """Every table over the turns and events stored since `since` (all that are kept, by default)."""
        replies, events = self.store.reply_log(since), self.store.feedback_log(since)
        turns = [t for t in (_read(moment, reply) for moment, reply in replies) if t is not None]
        moments = [m for m, _ in replies] + [m for m, _, _ in events]
        tables = [self._demand(turns), self._unmet(turns), self._gaps(turns), *self._reception(turns, events)]
        return Aggregates({t.name: t for t in tables}, len(turns), len(events), min(moments, default=None),
                          max(moments, default=None))

    @staticmethod
    def _demand(turns: list[_Turn]) -> Table:
        counts = Counter((t.day, t.language, topic) for t in turns for topic in (t.topics or (NO_TOPIC,)))
        rows = sorted(((day, lang, topic, n) for (day, lang, topic), n in counts.items()),
                      key=lambda r: (r[0], -r[3], r[1], r[2]))
        return Table("demand", "Demand: topics asked for, by day and language",
                     "Turns whose request was about each catalog topic (a turn about two topics counts for both).",
                     ("day", "language", "topic", "turns"), rows)

    @staticmethod
    def _unmet(turns: list[_Turn]) -> Table:
        counts = Counter((topic, t.language, relaxed) for t in turns if t.relaxed
                         for topic in (t.topics or (NO_TOPIC,)) for relaxed in t.relaxed)
        rows = sorted(((topic, lang, relaxed, n) for (topic, lang, relaxed), n in counts.items()),
                      key=lambda r: (-r[3], r[0], r[1], r[2]))
        return Table("unmet_demand", "Unmet demand: catalog gaps",
                     "Turns where fewer resources than the list needs matched the learner's language, level, formats "
                     "or price, so that filter was relaxed: the topics and languages the catalog lacks.",
                     ("topic", "language", "relaxed_filter", "turns"), rows)

    @staticmethod
    def _gaps(turns: list[_Turn]) -> Table:
        counts = Counter(m for t in turns for m in t.missing)
        rows = sorted(((concept, target, n) for (concept, target), n in counts.items()),
                      key=lambda r: (-r[2], r[0], r[1]))
        return Table("learning_gaps", "Learning gaps: prerequisites learners lacked",
                     "Turns where the learner lacked a prerequisite (from the knowledge graph) of what they asked for.",
                     ("prerequisite", "needed_for", "turns"), rows)

    def _reception(self, turns: list[_Turn], events: list[tuple[datetime, str, str]]) -> list[Table]:
        shown: Counter[str] = Counter()
        titles: dict[str, str] = {}
        topics: dict[str, tuple[str, ...]] = {}
        for turn in turns:
            for rid, title, resource_topics in turn.shown:
                shown[rid] += 1
                titles.setdefault(rid, title)
                topics.setdefault(rid, resource_topics)
        reactions: Counter[tuple[str, str]] = Counter((rid, kind) for _, rid, kind in events if kind in REACTIONS)
        for rid, _ in reactions:
            known = self.resources.get(rid)
            titles.setdefault(rid, known.title if known else rid)
            topics.setdefault(rid, tuple(known.topics) if known else ())
        columns = ("shown", *REACTIONS, *(f"{k}_rate" for k in REACTIONS))

        def row(n: int, counts: list[int]) -> tuple:
            return (n, *counts, *(_rate(c, n) for c in counts))

        by_resource = sorted(
            ((rid, titles[rid], *row(shown[rid], [reactions[(rid, k)] for k in REACTIONS]))
             for rid in titles), key=lambda r: (-r[2], r[0]))
        topic_shown: Counter[str] = Counter()
        topic_reactions: Counter[tuple[str, str]] = Counter()
        for rid in titles:
            for topic in topics[rid] or (NO_TOPIC,):
                topic_shown[topic] += shown[rid]
                for kind in REACTIONS:
                    topic_reactions[(topic, kind)] += reactions[(rid, kind)]
        by_topic = sorted(((topic, *row(topic_shown[topic], [topic_reactions[(topic, k)] for k in REACTIONS]))
                           for topic in topic_shown), key=lambda r: (-r[1], r[0]))
        declined = sorted(((rid, titles[rid], reactions[(rid, "not_for_me")], shown[rid],
                            _rate(reactions[(rid, "not_for_me")], shown[rid]))
                           for rid in titles if reactions[(rid, "not_for_me")]), key=lambda r: (-r[2], r[0]))
        return [
            Table("reception_by_resource", "Reception by resource",
                  "Times each resource was recommended, the reactions to it, and each reaction per recommendation.",
                  ("resource_id", "title", *columns), by_resource),
            Table("reception_by_topic", "Reception by topic",
                  "The same counts over the resources filed under each catalog topic.", ("topic", *columns),
                  by_topic),
            Table("declined", "Most often declined", "Resources learners marked \"not for me\", most often first.",
                  ("resource_id", "title", "not_for_me", "shown", "not_for_me_rate"), declined),
        ]
