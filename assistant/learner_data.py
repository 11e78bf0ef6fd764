"""The learner's control over what is stored about them: feedback, their profile, corrections, their conversations,
export and forget."""

from __future__ import annotations

from collections.abc import Mapping

from assistant.catalog.schema import Resource
from assistant.knowledge.topics import TopicMatcher
from assistant.lms.statements import StatementMaker
from assistant.profile.edits import ProfileEdit
from assistant.profile.feedback import apply_feedback
from assistant.profile.schema import LearnerProfile, utcnow
from assistant.profile.store import FEEDBACK_KINDS, LearnerExport, LearnerStore, LMSAccount, SessionSummary, StoredTurn
from assistant.validation import InputError, check_learner_id, check_session_id

SEED_WEIGHT = 0.6  # course topics count as asked for, and fade once the learner names topics of their own
SEED_TOPICS = 5


class LearnerData:
    def __init__(self, learners: LearnerStore, resources: Mapping[str, Resource],
                 statements: StatementMaker | None = None, topics: TopicMatcher | None = None):
        self.learners, self.resources, self.statements, self.topics = learners, resources, statements, topics

    def _account(self, learner_id: str) -> LMSAccount | None:
        """The learner's LMS account, read only when their events become xAPI statements."""
        return self.learners.lms_account(learner_id) if self.statements and self.statements.on else None

    def resource(self, resource_id: object) -> Resource:
        if not isinstance(resource_id, str) or resource_id not in self.resources:
            raise InputError(f"No resource with id {resource_id!r} is in the catalog.")
        return self.resources[resource_id]

    def profile(self, learner_id: str) -> LearnerProfile:
        profile = self.learners.get(check_learner_id(learner_id))
        if profile is None:
            raise InputError(f"No learner with id {learner_id!r} is known here.")
        return profile

    def feedback(self, learner_id: str, resource_id: str, kind: str) -> LearnerProfile:
        """Record one feedback event; the learner's next turn already reflects it."""
        profile = self.profile(learner_id)
        if kind not in FEEDBACK_KINDS:
            raise InputError(f"Unknown feedback {kind!r}; use one of {', '.join(FEEDBACK_KINDS)}.")
        resource = self.resource(resource_id)
        updated = apply_feedback(profile, resource, kind)
        statements = self.statements.for_feedback(learner_id, self._account(learner_id), resource, kind) \
            if self.statements else []
        self.learners.record_feedback(updated, resource.id, kind, statements)
        return updated

    def arrive(self, account: LMSAccount) -> LearnerProfile:
        """An LTI launch: the learner's LMS account and roles are recorded, and a profile without topics gets the
        course's (catalog topics named in its title and label, else the title itself)."""
        profile = self.learners.get(account.learner_id) or LearnerProfile(learner_id=account.learner_id)
        course = " ".join(p for p in (account.context_title, account.context_label) if p)
        if not profile.topics and course:
            found = self.topics(course) if self.topics is not None else []
            seeds = found[:SEED_TOPICS] or [(account.context_title or course)[:80]]
            profile = profile.model_copy(update={"topics": {t: SEED_WEIGHT for t in seeds}, "updated_at": utcnow()})
        self.learners.record_launch(account, profile)
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

    def sessions(self, learner_id: str) -> list[SessionSummary]:
        """The learner's conversations, latest first (none for a learner not seen yet)."""
        return self.learners.sessions(check_learner_id(learner_id))

    def session(self, learner_id: str, session_id: str) -> list[StoredTurn]:
        """One conversation's turns, each reply with its cards; refused when the learner has no such session."""
        turns = self.learners.session_turns(check_learner_id(learner_id), check_session_id(session_id))
        if turns is None:
            raise InputError(f"No conversation {session_id!r} is stored for this learner.")
        return turns

    def delete_session(self, learner_id: str, session_id: str) -> int:
        """Delete one conversation; returns how many records went. The profile and feedback stay."""
        removed = self.learners.delete_session(check_learner_id(learner_id), check_session_id(session_id))
        if not removed:
            raise InputError(f"No conversation {session_id!r} is stored for this learner.")
        return removed

    def feedback_given(self, learner_id: str) -> dict[str, str]:
        """Resource id -> the learner's latest reaction, so cards shown again keep it."""
        return self.learners.feedback_given(check_learner_id(learner_id))

    def export(self, learner_id: str) -> LearnerExport:
        self.profile(learner_id)
        return self.learners.export(learner_id)

    def forget(self, learner_id: str) -> int:
        """Delete every row stored about this learner; returns how many rows were removed. Their statements the LRS
        has are voided, and one says they erased their profile (both queued in the same transaction)."""
        self.profile(learner_id)
        account, statements = self._account(learner_id), self.statements
        if statements is None or not statements.wanted(learner_id, account):
            return self.learners.forget(learner_id)
        return self.learners.forget(learner_id, lambda sent: statements.for_forget(learner_id, account, sent))
