"""One turn, end to end, and the learner's control over their data. The only place that knows the order:

message -> profile delta (rules + LLM) -> merged profile -> recommender (query, retrieval, focus, scorers, fusion,
diversity) -> cards -> reasons (LLM, checked) -> reply. Feedback events change the profile at once.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass

from assistant.catalog import load_catalog
from assistant.catalog.schema import Resource
from assistant.config import Settings
from assistant.explain import followups, why
from assistant.explain.reasons import ReasonWriter
from assistant.explain.reply_text import compose
from assistant.knowledge.graph import PrerequisiteGraph
from assistant.knowledge.topics import LanguageCoverage, TopicMatcher, load_aliases
from assistant.llm.inputs import learner_summary, resource_summary
from assistant.llm.model import GenerationLimits, LocalLLM
from assistant.llm.prompts import REQUIRED_PROMPTS, PromptTemplate, load_prompts
from assistant.profile.edits import ProfileEdit
from assistant.profile.feedback import apply_feedback
from assistant.profile.schema import LearnerProfile
from assistant.profile.store import FEEDBACK_KINDS, LearnerExport, LearnerStore, ProfileStore
from assistant.profile.updater import ProfileUpdater
from assistant.ranking.collaborative import Interaction, ItemItemModel
from assistant.ranking.focus import FocusFinder
from assistant.ranking.recommenders import (
    BM25Recommender, DenseRecommender, HybridRecommender, HybridSettings, PopularityRecommender, Recommendations,
    Recommender, Request,
)
from assistant.ranking.scorers import ALL_SCORERS
from assistant.ranking.types import Feedback
from assistant.reply import PathStep, Recommendation, Reply, TurnContext
from assistant.vectorstore import VectorStore

log = logging.getLogger(__name__)

_LEARNER_ID = re.compile(r"^[A-Za-z0-9_.:@\-]{1,128}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|<\|im_(?:start|end)\|>|<\|endoftext\|>|<\|[a-z_]+\|>")
SEEN_LIMIT = 200


class InputError(ValueError):
    """Bad input from a learner or an API caller; the message is safe to show them."""


def check_learner_id(learner_id: object) -> str:
    if not isinstance(learner_id, str) or not _LEARNER_ID.match(learner_id):
        raise InputError("learner_id must be 1-128 characters: letters, digits and . _ - : @")
    return learner_id


@dataclass
class Crowd:
    """Every learner's positive feedback, refitted only when new events arrived."""

    events: int = -1
    model: ItemItemModel | None = None


class Engine:
    """Holds the loaded components; the UI and API call only its public methods."""

    def __init__(self, settings: Settings, store: VectorStore, llm: LocalLLM | None, learners: LearnerStore,
                 catalog: list[Resource], graph: PrerequisiteGraph, prompts: dict[str, PromptTemplate] | None = None):
        self.settings = settings
        self.store = store
        self.llm = llm
        self.learners = learners
        self.graph = graph
        self.resources = {rid: r for r in catalog for rid in r.all_ids}
        self.topics = TopicMatcher.from_resources(catalog, {**graph.aliases, **load_aliases()})
        self.prompts = prompts or load_prompts(settings.prompts_dir, REQUIRED_PROMPTS, settings.dev_reload_prompts)
        limits = GenerationLimits(settings.max_new_tokens, settings.generation_timeout_s)
        self.reasons = ReasonWriter(llm, self.prompts["reason"], self.prompts["reason_retry"], limits, self.topics,
                                    settings.reason_stop_early, settings.reason_vocabulary)
        self.updater = ProfileUpdater(self.topics, llm if settings.llm_profile else None, self.prompts["profile"])
        self.recommender = self._recommender()
        self._crowd = Crowd()

    @classmethod
    def from_settings(cls, settings: Settings, llm: LocalLLM | None = None) -> Engine:
        """Open the index (it must be built: `assistant index`), load the LLM and the learner store."""
        store = VectorStore(settings)
        if store.count() == 0:
            raise RuntimeError(f"The index at {settings.index_dir} is empty: run `assistant index` first.")
        catalog = load_catalog(settings.sources_dir, settings.catalogs)
        return cls(settings, store, llm or LocalLLM.from_settings(settings),
                   ProfileStore(settings.data_dir / "learners.sqlite3"), catalog.resources,
                   PrerequisiteGraph.from_metacademy(settings.sources_dir / "metacademy"))

    def _relevance(self, profile: LearnerProfile, request: str, topics: list[str],
                   resources: list[Resource]) -> list[float]:
        """The LLM's P(yes) that each resource fits this learner: one batched forward pass, no generation."""
        learner = learner_summary(profile, request, topics)
        prompt = self.prompts["relevance"]
        return self.llm.yes_probability([prompt.render(learner=learner, resource=resource_summary(r))
                                         for r in resources])

    def _recommender(self) -> Recommender:
        s = self.settings
        match s.ranker:
            case "hybrid":
                judge = self._relevance if self.llm is not None and hasattr(self.llm, "yes_probability") else None
                return HybridRecommender(
                    self.store, FocusFinder(self.graph), ALL_SCORERS,
                    HybridSettings(dict(s.ranking_weights), s.candidate_pool, s.topic_pool, s.concept_pool,
                                   s.diversity, s.llm_judged_per_shown),
                    judge,
                    LanguageCoverage({r.id: r for r in self.resources.values()}.values(), self.topics),
                )
            case "dense":
                return DenseRecommender(self.store)
            case "bm25":
                return BM25Recommender(self.store)
            case "popularity":
                return PopularityRecommender(self.store)
        raise ValueError(f"unknown ranker {s.ranker!r}")

    # -- input checks ---------------------------------------------------------------------------------------
    def _clean_message(self, message: object) -> str:
        if not isinstance(message, str) or not message.strip():
            raise InputError("The message is empty: tell me what you would like to learn.")
        if len(message) > self.settings.max_message_chars:
            raise InputError(
                f"The message is {len(message)} characters long; the limit is {self.settings.max_message_chars}."
            )
        # Lone surrogates (invalid UTF-8 sent as JSON escapes) cannot be stored; chat-template control tokens in
        # learner text could end the learner's turn early. Neither is ever meaningful here.
        message = message.encode("utf-8", "replace").decode("utf-8")
        message = _CONTROL.sub(" ", message).strip()
        if not message:
            raise InputError("The message is empty: tell me what you would like to learn.")
        return message

    # -- feedback as the ranker sees it -----------------------------------------------------------------------
    def _feedback(self, profile: LearnerProfile) -> Feedback:
        events = self.learners.feedback_count()
        if events != self._crowd.events:
            interactions = [Interaction(u, i, w) for u, i, w in self.learners.positive_events()]
            self._crowd = Crowd(events, ItemItemModel.fit(interactions) if interactions else None)
        model = self._crowd.model
        history = {rid: 1.0 for rid in profile.liked + profile.completed}
        liked_resources, embeddings = self.store.summaries(profile.liked[-20:]) if profile.liked else ([], [])
        return Feedback(
            liked=list(zip(liked_resources, embeddings)),
            history=history,
            collaborative=model,
            popularity=model.popularity() if model else {},
            titles={rid: self.resources[rid].title for rid in history if rid in self.resources},
        )

    # -- the turn -------------------------------------------------------------------------------------------
    def _learner_messages(self, learner_id: str) -> list[str]:
        return [text for role, text in self.learners.history(learner_id, self.settings.history_turns) if role == "learner"]

    def understand(self, learner_id: str, message: str) -> tuple[LearnerProfile, list[str]]:
        """The profile updated by this message (not yet stored), and the learner's messages ending with it."""
        check_learner_id(learner_id)
        profile = self.learners.get(learner_id) or LearnerProfile(learner_id=learner_id)
        earlier = self._learner_messages(learner_id)
        return profile.merge(self.updater.delta(earlier, message)), earlier + [message]

    def recommend(self, profile: LearnerProfile, messages: list[str], context: TurnContext,
                  k: int | None = None) -> Recommendations:
        request = Request(profile, messages, context, self._feedback(profile), k or self.settings.top_k)
        return self.recommender.recommend(request)

    def _learning_path(self, found: Recommendations) -> list[PathStep]:
        """Missing prerequisites in the order to learn them, then the target, each with its best resource."""
        needs = [n for n in found.focus.needs if n.target is not None]
        if not needs:
            return []
        target = needs[0].target
        best = {}
        for r in found.ranked + found.pool:
            best.setdefault(r.candidate.resource.concept, r.candidate.resource)
        steps = []
        for concept in self.graph.learning_path(target, [n.concept for n in needs]):
            resource = best.get(concept.tag)
            before = next((n for n in needs if n.concept.tag == concept.tag), None)
            steps.append(PathStep(concept=concept.title, resource_id=resource.id if resource else None,
                                  title=resource.title if resource else None,
                                  why=before.reason if before else ""))
        return steps

    def stream_turn(self, learner_id: str, message: str, context: TurnContext | None = None,
                    with_reasons: bool = True) -> Iterator[Reply]:
        """First the ranked cards (reasons pending), then the same cards with their reasons."""
        check_learner_id(learner_id)
        message = self._clean_message(message)
        context = context or TurnContext()
        follow_up = followups.parse(message)
        last = self.last_reply(learner_id)
        if follow_up and follow_up.kind in ("why", "why_not") and last is not None and last.recommendations:
            yield self._explain(learner_id, message, follow_up, last, context)
            return
        profile, messages = self.understand(learner_id, message)
        if follow_up and last is not None:  # "shorter", "more advanced": relative to what was just shown
            shown = [r.resource for r in last.recommendations]
            profile = profile.merge(followups.adjustment(follow_up, profile, shown))
        found = self.recommend(profile, messages, context)
        shown = [r.candidate.resource.id for r in found.ranked]
        profile.seen = (profile.seen + [i for i in shown if i not in profile.seen])[-SEEN_LIMIT:]
        self.learners.record_turn(profile, message)
        language = profile.language or "en"
        recommendations = [
            Recommendation(resource=r.candidate.resource, rank=i + 1, score=r.score, contributions=r.contributions,
                           facts=list(r.facts))
            for i, r in enumerate(found.ranked)
        ]
        path = self._learning_path(found)
        reply = Reply(
            learner_id=learner_id, language=language, recommendations=recommendations, profile=profile,
            text=compose(profile, len(recommendations), language, found.relaxed, path),
            notes=found.relaxed, learning_path=path,
        )
        yield reply
        final = reply.model_copy(deep=True)
        if with_reasons:
            for rec, reason in zip(final.recommendations, self.reasons.write(final.recommendations, language)):
                rec.reason = reason
            final.reasons_ready = True
        self.learners.record_reply(learner_id, final.text, final.model_dump_json())
        yield final

    def last_reply(self, learner_id: str) -> Reply | None:
        stored = self.learners.last_reply(learner_id)
        return Reply.model_validate_json(stored) if stored else None

    def find_resource(self, title: str) -> Resource | None:
        """The catalog resource a learner names by (part of) its title, else the closest one by meaning."""
        wanted = set(re.findall(r"[\w+#]+", title.lower()))
        if not wanted:
            return None

        def overlap(resource: Resource) -> float:
            words = set(re.findall(r"[\w+#]+", resource.title.lower()))
            return len(wanted & words) / len(wanted | words)

        best = max({r.id: r for r in self.resources.values()}.values(), key=overlap)
        if overlap(best) >= 0.5:
            return best
        hits = self.store.search(title, None, 1)
        return hits[0].resource if hits and hits[0].similarity >= 0.75 else None

    def _explain(self, learner_id: str, message: str, follow_up: followups.FollowUp, last: Reply,
                 context: TurnContext) -> Reply:
        """Answer "why?" / "why not?" from the last reply's facts; nothing is re-ranked and the profile stays."""
        profile = self.learners.get(learner_id) or LearnerProfile(learner_id=learner_id)
        language, recs = last.language, last.recommendations
        rank = follow_up.rank
        if rank == -1:
            rank = len(recs)
        if follow_up.kind == "why" or rank:
            if not rank or not 1 <= rank <= len(recs):
                text = (f"我上次的列表里没有第 {rank} 个。" if language == "zh"
                        else f"There is no number {rank} in my last list.")
            elif follow_up.kind == "why":
                text = why.why(recs[rank - 1], language)
            elif rank == 1:
                text = "第一个已经排在最前面了。" if language == "zh" else "Number 1 is already at the top."
            else:
                text = why.why_not_listed(recs[rank - 1], recs[0], language)
        else:
            text = self._why_not_other(profile, follow_up.title or "", recs, language, context)
        self.learners.record_turn(profile, message)
        reply = last.model_copy(update={"text": text, "notes": []})
        self.learners.record_reply(learner_id, text, reply.model_dump_json())
        return reply

    def _why_not_other(self, profile: LearnerProfile, title: str, recs: list[Recommendation], language: str,
                       context: TurnContext) -> str:
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
            earlier = self._learner_messages(profile.learner_id)
            request = Request(profile, earlier, context, self._feedback(profile), self.settings.top_k)
            judged, place = self.recommender.judge(request, resource)
        return why.why_not_other(resource, judged, place, recs[0], mark, language)

    def turn(self, learner_id: str, message: str, context: TurnContext | None = None,
             with_reasons: bool = True) -> Reply:
        *_, final = self.stream_turn(learner_id, message, context, with_reasons)
        return final

    # -- feedback and the learner's control over their profile ------------------------------------------------
    def resource(self, resource_id: object) -> Resource:
        if not isinstance(resource_id, str) or resource_id not in self.resources:
            raise InputError(f"No resource with id {resource_id!r} is in the catalog.")
        return self.resources[resource_id]

    def feedback(self, learner_id: str, resource_id: str, kind: str) -> LearnerProfile:
        """Record one feedback event; the learner's next turn already reflects it."""
        profile = self.profile(learner_id)
        if kind not in FEEDBACK_KINDS:
            raise InputError(f"Unknown feedback {kind!r}; use one of {', '.join(FEEDBACK_KINDS)}.")
        resource = self.resource(resource_id)
        updated = apply_feedback(profile, resource, kind)
        self.learners.record_feedback(updated, resource.id, kind)
        return updated

    def profile(self, learner_id: str) -> LearnerProfile:
        profile = self.learners.get(check_learner_id(learner_id))
        if profile is None:
            raise InputError(f"No learner with id {learner_id!r} is known here.")
        return profile

    def update_profile(self, learner_id: str, edit: ProfileEdit) -> LearnerProfile:
        """The learner's own corrections; only the fields they sent change."""
        profile = self.learners.get(check_learner_id(learner_id)) or LearnerProfile(learner_id=learner_id)
        updated = edit.apply(profile)
        self.learners.save(updated)
        return updated

    def reset_profile(self, learner_id: str) -> LearnerProfile:
        """A fresh profile; the conversation and feedback history stay until `forget`."""
        profile = LearnerProfile(learner_id=self.profile(learner_id).learner_id)
        self.learners.save(profile)
        return profile

    def export(self, learner_id: str) -> LearnerExport:
        self.profile(learner_id)
        return self.learners.export(learner_id)

    def forget(self, learner_id: str) -> int:
        """Delete every row stored about this learner; returns how many rows were removed."""
        self.profile(learner_id)
        return self.learners.forget(learner_id)
