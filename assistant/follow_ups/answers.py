"""Answers to "why this one?" and "why not X?" from the last reply's facts: nothing is re-ranked, the profile stays."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from assistant.catalog.schema import Resource
from assistant.explain import why
from assistant.follow_ups.parse import FollowUp
from assistant.locale import locale
from assistant.profile.schema import LearnerProfile
from assistant.profile.store import LearnerStore
from assistant.ranking.recommenders import HybridRecommender, Recommender, Request
from assistant.ranking.types import Feedback
from assistant.reply import Recommendation, Reply, TurnContext, TurnReport
from assistant.vectorstore import ResourceIndex

_TITLE_WORDS = re.compile(r"[\w+#]+")


class FollowUpAnswers:
    def __init__(self, learners: LearnerStore, resources: Mapping[str, Resource], index: ResourceIndex,
                 recommender: Recommender, feedback: Callable[[LearnerProfile], Feedback], top_k: int,
                 history_turns: int):
        self.learners, self.resources, self.index = learners, resources, index
        self.recommender, self.feedback = recommender, feedback
        self.top_k, self.history_turns = top_k, history_turns

    def find_resource(self, title: str) -> Resource | None:
        """The catalog resource a learner names by (part of) its title, else the closest one by meaning."""
        wanted = set(_TITLE_WORDS.findall(title.lower()))
        if not wanted:
            return None

        def overlap(resource: Resource) -> float:
            words = set(_TITLE_WORDS.findall(resource.title.lower()))
            return len(wanted & words) / len(wanted | words)

        best = max({r.id: r for r in self.resources.values()}.values(), key=overlap)
        if overlap(best) >= 0.5:
            return best
        hits = self.index.search(title, None, 1)
        return hits[0].resource if hits and hits[0].similarity >= 0.75 else None

    def answer(self, learner_id: str, message: str, follow_up: FollowUp, last: Reply, context: TurnContext,
               session_id: str | None = None) -> Reply:
        """The last reply with this answer as its text; the question and the answer are stored as a turn of the
        conversation."""
        profile = self.learners.get(learner_id) or LearnerProfile(learner_id=learner_id)
        table = locale(last.language)
        recs, rank = last.recommendations, follow_up.rank
        if rank == -1:
            rank = len(recs)
        if follow_up.kind == "why" or rank:
            if not rank or not 1 <= rank <= len(recs):
                text = table.phrase("no_such_rank", rank=rank)
            elif follow_up.kind == "why":
                text = why.why(recs[rank - 1], last.language)
            elif rank == 1:
                text = table.phrase("first_is_top")
            else:
                text = why.why_not_listed(recs[rank - 1], recs[0], last.language)
        else:
            text = self._why_not_other(profile, follow_up.title or "", recs, last.language, context, session_id)
        self.learners.record_turn(profile, message, session_id)
        # A fresh report: the curators' counts take the cards' request once, not again with every "why?".
        reply = last.model_copy(update={"text": text, "notes": [], "session_id": session_id,
                                        "report": TurnReport(kind="follow_up")})
        self.learners.record_reply(learner_id, text, reply.model_dump_json(), session_id=session_id)
        return reply

    def _why_not_other(self, profile: LearnerProfile, title: str, recs: list[Recommendation], language: str,
                       context: TurnContext, session_id: str | None = None) -> str:
        resource = self.find_resource(title)
        if resource is None:
            return why.not_found(title, language)
        listed = next((r for r in recs if r.resource.all_ids & resource.all_ids), None)
        if listed is not None:
            return why.why(listed, language)
        mark = "not for me" if resource.all_ids & set(profile.disliked) else \
            "completed" if resource.all_ids & set(profile.completed) else None
        judged, place = None, None
        if mark is None and isinstance(self.recommender, HybridRecommender):
            earlier = [text for role, text in self.learners.history(profile.learner_id, self.history_turns,
                                                                    session_id) if role == "learner"]
            request = Request(profile, earlier, context, self.feedback(profile), self.top_k)
            judged, place = self.recommender.judge(request, resource)
        return why.why_not_other(resource, judged, place, recs[0], mark, language)
