"""One turn, end to end: message -> profile -> query -> retrieval -> ranking -> reasons -> reply."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass

from assistant.catalog import load_catalog
from assistant.config import Settings
from assistant.explain.reasons import ReasonWriter
from assistant.explain.reply_text import compose
from assistant.knowledge.topics import TopicMatcher
from assistant.llm.model import GenerationLimits, LocalLLM
from assistant.llm.prompts import load_prompts
from assistant.profile import rules
from assistant.profile.schema import LearnerProfile
from assistant.profile.store import ProfileStore
from assistant.ranking.fusion import rank
from assistant.ranking.query import Query, build_query
from assistant.ranking.scorers import ALL_SCORERS
from assistant.ranking.types import Candidate, RankingInput
from assistant.reply import Recommendation, Reply, TurnContext
from assistant.vectorstore import VectorStore

log = logging.getLogger(__name__)

_LEARNER_ID = re.compile(r"^[A-Za-z0-9_.:@\-]{1,128}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|<\|im_(?:start|end)\|>|<\|endoftext\|>")

# The prompts the code renders, with the variables it passes (checked at start).
REQUIRED_PROMPTS = {"reason": {"facts", "title", "language_name"}}

_RELAX_NOTES = {
    "language": {"en": "Few resources exist in your language, so I included some in other languages.",
                 "zh": "你所用语言的资源太少，所以也包含了其他语言的资源。"},
    "free": {"en": "Few free resources matched, so some paid ones are included.", "zh": "免费资源不足，也包含了部分付费资源。"},
}


class InputError(ValueError):
    """Bad input from a learner or an API caller; the message is safe to show them."""


@dataclass
class TurnState:
    profile: LearnerProfile
    query: Query
    recommendations: list[Recommendation]
    notes: list[str]


class Engine:
    """Holds the loaded components; `turn` and `stream_turn` are the only entry points the UI and API need."""

    def __init__(self, settings: Settings, store: VectorStore, llm: LocalLLM | None, profiles: ProfileStore,
                 topic_matcher: TopicMatcher):
        self.settings = settings
        self.store = store
        self.llm = llm
        self.profiles = profiles
        self.topics = topic_matcher
        prompts = load_prompts(settings.prompts_dir, REQUIRED_PROMPTS)
        self.reasons = ReasonWriter(
            llm, prompts["reason"], GenerationLimits(settings.max_new_tokens, settings.generation_timeout_s)
        )

    @classmethod
    def from_settings(cls, settings: Settings, llm: LocalLLM | None = None) -> Engine:
        """Open the index (it must be built: `assistant index`), load the LLM and the learner store."""
        store = VectorStore(settings)
        if store.count() == 0:
            raise RuntimeError(f"The index at {settings.index_dir} is empty: run `assistant index` first.")
        catalog = load_catalog(settings.sources_dir, settings.catalogs)
        return cls(
            settings, store, llm or LocalLLM.from_settings(settings),
            ProfileStore(settings.data_dir / "learners.sqlite3"), TopicMatcher.from_resources(catalog.resources),
        )

    # -- input checks ---------------------------------------------------------------------------------------
    def _validate(self, learner_id: str, message: str) -> str:
        if not isinstance(learner_id, str) or not _LEARNER_ID.match(learner_id):
            raise InputError("learner_id must be 1-128 characters: letters, digits and . _ - : @")
        if not isinstance(message, str) or not message.strip():
            raise InputError("The message is empty: tell me what you would like to learn.")
        if len(message) > self.settings.max_message_chars:
            raise InputError(
                f"The message is {len(message)} characters long; the limit is {self.settings.max_message_chars}."
            )
        # Chat-template control tokens in user text could end the user turn early; they are never meaningful here.
        return _CONTROL.sub(" ", message).strip()

    # -- the turn -------------------------------------------------------------------------------------------
    def _rank(self, learner_id: str, message: str, context: TurnContext) -> TurnState:
        profile = self.profiles.get_or_new(learner_id).merge(rules.extract(message, self.topics))
        if context.device and not profile.device:
            profile.device = context.device
        history = [text for role, text in self.profiles.history(learner_id, self.settings.history_turns) if role == "learner"]
        query = build_query(profile, history + [message])
        candidates, notes = self._retrieve(query, profile.language or "en")
        candidates = [c for c in candidates if not (c.resource.all_ids & profile.excluded)]
        ranked = rank(candidates, RankingInput(profile, context), ALL_SCORERS, self.settings.ranking_weights,
                      self.settings.top_k)
        recommendations = [
            Recommendation(resource=r.candidate.resource, rank=i + 1, score=r.score, contributions=r.contributions,
                           facts=list(r.facts))
            for i, r in enumerate(ranked)
        ]
        self.profiles.record_turn(profile, message)
        return TurnState(profile, query, recommendations, notes)

    def _retrieve(self, query: Query, language: str) -> tuple[list[Candidate], list[str]]:
        """Search with all filters; drop them one at a time in the stated order while too few candidates remain."""
        dropped: set[str] = set()
        notes: list[str] = []
        while True:
            hits = self.store.search(query.text, query.where(dropped), self.settings.candidate_pool)
            relaxable = [f for f in query.relax_order if f in query.filters and f not in dropped]
            if len(hits) >= self.settings.top_k or not relaxable:
                return [Candidate(h.resource, h.similarity) for h in hits], notes
            dropped.add(relaxable[0])
            notes.append(_RELAX_NOTES[relaxable[0]]["zh" if language == "zh" else "en"])

    def stream_turn(self, learner_id: str, message: str, context: TurnContext | None = None) -> Iterator[Reply]:
        """First the ranked cards (reasons pending), then the same cards with their reasons."""
        message = self._validate(learner_id, message)
        state = self._rank(learner_id, message, context or TurnContext())
        language = state.profile.language or "en"
        reply = Reply(
            learner_id=learner_id, text=compose(state.profile, len(state.recommendations), language, state.notes),
            language=language, recommendations=state.recommendations, profile=state.profile, notes=state.notes,
        )
        yield reply
        reasons = self.reasons.write(state.recommendations, language)
        final = reply.model_copy(deep=True)
        for rec, reason in zip(final.recommendations, reasons):
            rec.reason = reason
        final.reasons_ready = True
        self.profiles.record_reply(learner_id, final.text)
        yield final

    def turn(self, learner_id: str, message: str, context: TurnContext | None = None) -> Reply:
        *_, final = self.stream_turn(learner_id, message, context)
        return final

    def profile(self, learner_id: str) -> LearnerProfile:
        if not isinstance(learner_id, str) or not _LEARNER_ID.match(learner_id):
            raise InputError("learner_id must be 1-128 characters: letters, digits and . _ - : @")
        profile = self.profiles.get(learner_id)
        if profile is None:
            raise InputError(f"No learner with id {learner_id!r} is known here.")
        return profile
