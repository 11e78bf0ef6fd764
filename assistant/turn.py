"""One turn, end to end; the only place that knows the order:

message -> follow-up? (answered from the last reply) -> profile delta (rules + LLM) -> merged profile ->
recommender (query, retrieval, focus, scorers, fusion, diversity) -> cards (streamed) -> reasons (LLM, checked) ->
the final reply, stored.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from assistant.admission import Admission
from assistant.explain.reasons import ReasonWriter
from assistant.explain.reply_text import compose
from assistant.fair_use import Caller, FairUse
from assistant.follow_ups import parse as follow_up
from assistant.follow_ups.answers import FollowUpAnswers
from assistant.knowledge.graph import PrerequisiteGraph
from assistant.lms.statements import StatementMaker
from assistant.profile.schema import LearnerProfile
from assistant.profile.store import LearnerStore
from assistant.ranking.recommenders import Recommendations, Recommender, Request
from assistant.ranking.types import Feedback
from assistant.reply import MissingPrerequisite, PathStep, Recommendation, Reply, TurnContext, TurnReport
from assistant.tasks.profile_extraction import ProfileReader
from assistant.validation import check_learner_id, check_session_id, clean_message

SEEN_LIMIT = 200  # resource ids remembered as shown to a learner (the novelty scorer's memory)
ASKED_FOR = 0.6  # a topic the learner did not name counts as asked for from this focus confidence (as for targets)


def new_session_id() -> str:
    """A new conversation's id: 128 random bits in hex."""
    return uuid.uuid4().hex


@dataclass(frozen=True)
class TurnLimits:
    top_k: int
    max_message_chars: int
    history_turns: int
    reason_deadline_s: float | None = None  # reasons not written well by then are templates


def learning_path(found: Recommendations, graph: PrerequisiteGraph) -> list[PathStep]:
    """Missing prerequisites in the order to learn them, then the target, each with its best resource."""
    needs = [n for n in found.focus.needs if n.target is not None]
    if not needs:
        return []
    target = needs[0].target
    best = {}
    for r in found.ranked + found.pool:
        best.setdefault(r.candidate.resource.concept, r.candidate.resource)
    steps = []
    for concept in graph.learning_path(target, [n.concept for n in needs]):
        resource = best.get(concept.tag)
        before = next((n for n in needs if n.concept.tag == concept.tag), None)
        steps.append(PathStep(concept=concept.title, resource_id=resource.id if resource else None,
                              title=resource.title if resource else None, why=before.reason if before else ""))
    return steps


def report_of(found: Recommendations, llm_relevance: str, cards_s: float) -> TurnReport:
    """What the curators' aggregates need from a turn: the topics asked for, the filters relaxed, the missing
    prerequisites (catalog and graph names only, never the learner's words)."""
    topics = [t for t, e in sorted(found.focus.topics.items(), key=lambda kv: -kv[1].confidence)
              if e.named or e.confidence >= ASKED_FOR]
    missing = [MissingPrerequisite(concept=n.concept.title, needed_for=n.target.title if n.target else None)
               for n in found.focus.needs]
    return TurnReport(llm_relevance=llm_relevance, cards_s=cards_s, focus_topics=topics, relaxed=list(found.relaxed),
                      missing_prerequisites=missing)


class TurnService:
    def __init__(self, limits: TurnLimits, learners: LearnerStore, reader: ProfileReader, recommender: Recommender,
                 feedback: Callable[[LearnerProfile], Feedback], reasons: ReasonWriter, graph: PrerequisiteGraph,
                 answers: FollowUpAnswers, admission: Admission, statements: StatementMaker | None = None,
                 fair_use: FairUse | None = None):
        self.limits, self.learners, self.reader, self.recommender = limits, learners, reader, recommender
        self.feedback, self.reasons, self.graph, self.answers = feedback, reasons, graph, answers
        self.admission, self.statements, self.fair_use = admission, statements, fair_use

    def _learner_messages(self, learner_id: str, session_id: str | None = None) -> list[str]:
        return [text for role, text in self.learners.history(learner_id, self.limits.history_turns, session_id)
                if role == "learner"]

    def understand(self, learner_id: str, message: str,
                   session_id: str | None = None) -> tuple[LearnerProfile, list[str]]:
        """The profile updated by this message (not yet stored), and the learner's messages (of this conversation,
        when named) ending with it."""
        check_learner_id(learner_id)
        profile = self.learners.get(learner_id) or LearnerProfile(learner_id=learner_id)
        earlier = self._learner_messages(learner_id, session_id)
        return profile.merge(self.reader.delta(earlier, message)), earlier + [message]

    def session_for(self, learner_id: str, session_id: str | None) -> str:
        """The conversation a turn joins: the one named, else the learner's latest, else a new one."""
        if session_id is not None:
            return check_session_id(session_id)
        return self.learners.latest_session(learner_id) or new_session_id()

    def recommend(self, profile: LearnerProfile, messages: list[str], context: TurnContext,
                  k: int | None = None) -> Recommendations:
        request = Request(profile, messages, context, self.feedback(profile), k or self.limits.top_k)
        return self.recommender.recommend(request)

    def last_reply(self, learner_id: str, session_id: str | None = None) -> Reply | None:
        stored = self.learners.last_reply(learner_id, session_id)
        return Reply.model_validate_json(stored) if stored else None

    def stream(self, learner_id: str, message: str, context: TurnContext | None = None, with_reasons: bool = True,
               session_id: str | None = None, caller: Caller | None = None) -> Iterator[Reply]:
        """First the ranked cards (reasons pending), then the same cards with their reasons. A served turn names its
        `caller` and is counted for fair use (SlowDown past a limit); Busy when too many turns are running and
        waiting."""
        check_learner_id(learner_id)
        message = clean_message(message, self.limits.max_message_chars)
        session = self.session_for(learner_id, session_id)
        if caller is not None and self.fair_use is not None:
            self.fair_use.admit(learner_id, caller)
        with self.admission.turn():
            yield from self._stream(learner_id, message, context or TurnContext(), with_reasons, session)

    def _stream(self, learner_id: str, message: str, context: TurnContext, with_reasons: bool,
                session: str) -> Iterator[Reply]:
        started = time.perf_counter()
        asked = follow_up.parse(message)
        last = self.last_reply(learner_id, session)
        if asked and asked.kind in ("why", "why_not") and last is not None and last.recommendations:
            yield self.answers.answer(learner_id, message, asked, last, context, session)
            return
        profile, messages = self.understand(learner_id, message, session)
        if asked and last is not None:  # "shorter", "more advanced": relative to what was just shown
            profile = profile.merge(follow_up.adjustment(asked, profile, [r.resource for r in last.recommendations]))
        found = self.recommend(profile, messages, context)
        shown = [r.candidate.resource.id for r in found.ranked]
        profile.seen = (profile.seen + [i for i in shown if i not in profile.seen])[-SEEN_LIMIT:]
        self.learners.record_turn(profile, message, session)
        language = profile.language or "en"
        recommendations = [
            Recommendation(resource=r.candidate.resource, rank=i + 1, score=r.score, contributions=r.contributions,
                           facts=list(r.facts))
            for i, r in enumerate(found.ranked)
        ]
        path = learning_path(found, self.graph)
        reply = Reply(
            learner_id=learner_id, session_id=session, language=language, recommendations=recommendations,
            profile=profile, text=compose(profile, len(recommendations), language, found.relaxed, path),
            notes=found.relaxed, learning_path=path,
            report=report_of(found, found.llm_relevance, round(time.perf_counter() - started, 3)),
        )
        yield reply
        final = reply.model_copy(deep=True)
        if with_reasons:
            shown = time.perf_counter()
            reasons = self.reasons.write(final.recommendations, language, learner_id, self.limits.reason_deadline_s)
            for rec, reason in zip(final.recommendations, reasons):
                rec.reason = reason
            final.reasons_ready = True
            final.report.reasons_s = round(time.perf_counter() - shown, 3)
            final.report.late_reasons = sum(r.late for r in reasons)
        statements = self.statements.for_reply(final, self.learners.lms_account(learner_id)) \
            if self.statements is not None and self.statements.on else []
        self.learners.record_reply(learner_id, final.text, final.model_dump_json(), statements, session)
        yield final

    def turn(self, learner_id: str, message: str, context: TurnContext | None = None, with_reasons: bool = True,
             session_id: str | None = None, caller: Caller | None = None) -> Reply:
        *_, final = self.stream(learner_id, message, context, with_reasons, session_id, caller)
        return final
