"""The learner's control over what is stored about them: feedback, their profile, corrections, export and forget."""

from __future__ import annotations

from collections.abc import Mapping

from assistant.catalog.schema import Resource
from assistant.profile.edits import ProfileEdit
from assistant.profile.feedback import apply_feedback
from assistant.profile.schema import LearnerProfile
from assistant.profile.store import FEEDBACK_KINDS, LearnerExport, LearnerStore
from assistant.validation import InputError, check_learner_id


class LearnerData:
    def __init__(self, learners: LearnerStore, resources: Mapping[str, Resource]):
        self.learners, self.resources = learners, resources

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
        self.learners.record_feedback(updated, resource.id, kind)
        return updated

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
