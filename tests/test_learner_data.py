"""Feedback changes the very next ranking; the learner's data is theirs to edit, export, delete (fake LLM)."""

import pytest

from assistant.profile.edits import ProfileEdit
from assistant.validation import InputError

RUST = "I'm new to programming and want to learn Rust. Books please."


def ids(reply) -> list[str]:
    return [r.resource.id for r in reply.recommendations]


def test_not_for_me_and_done_are_never_recommended_again(fake_engine):
    before = fake_engine.turns.turn("fb-exclude", RUST, with_reasons=False)
    first, second = ids(before)[:2]
    fake_engine.learner_data.feedback("fb-exclude", first, "not_for_me")
    fake_engine.learner_data.feedback("fb-exclude", second, "completed")
    after = fake_engine.turns.turn("fb-exclude", RUST, with_reasons=False)
    assert first not in ids(after) and second not in ids(after)


def test_helpful_raises_similar_items_on_the_next_turn(fake_engine):
    message = "Something about programming please."
    before = fake_engine.turns.turn("fb-helpful", message, with_reasons=False)
    liked = before.recommendations[-1]
    fake_engine.learner_data.feedback("fb-helpful", liked.resource.id, "helpful")
    after = fake_engine.turns.turn("fb-helpful", message, with_reasons=False)
    similar = [r for r in after.recommendations if "affinity" in r.contributions and r.contributions["affinity"] > 0]
    assert similar, "items close to the helpful one gain an affinity contribution"
    assert any(f.kind == "similar_liked" for r in similar for f in r.facts)
    assert ids(after) != ids(before)


def test_already_know_marks_the_topic_known_and_raises_the_level(fake_engine):
    reply = fake_engine.turns.turn("fb-know", RUST, with_reasons=False)
    beginner = next(r.resource for r in reply.recommendations if r.resource.level == "beginner")
    profile = fake_engine.learner_data.feedback("fb-know", beginner.id, "already_know")
    assert profile.level == "intermediate" and set(beginner.topics[:1]) <= set(profile.known_topics)
    assert beginner.id not in ids(fake_engine.turns.turn("fb-know", "More Rust books", with_reasons=False))


def test_feedback_needs_a_known_learner_resource_and_kind(fake_engine):
    fake_engine.turns.turn("fb-bad", RUST, with_reasons=False)
    with pytest.raises(InputError, match="No learner"):
        fake_engine.learner_data.feedback("nobody-here", "fpb-1", "helpful")
    with pytest.raises(InputError, match="No resource"):
        fake_engine.learner_data.feedback("fb-bad", "not-a-resource", "helpful")
    with pytest.raises(InputError, match="Unknown feedback"):
        fake_engine.learner_data.feedback("fb-bad", ids(fake_engine.turns.turn("fb-bad", RUST, with_reasons=False))[0], "love it")
    assert fake_engine.learner_data.export("fb-bad").feedback == []


def test_a_missing_prerequisite_comes_first_with_a_learning_path(fake_engine):
    reply = fake_engine.turns.turn("prereq", "I want to learn Bayesian networks, but I never understood Bayes' rule.",
                        with_reasons=False)
    first = reply.recommendations[0].resource
    assert first.concept == "bayes_rule"
    assert any(r.resource.concept == "bayesian_networks" for r in reply.recommendations)
    assert [s.concept for s in reply.learning_path][-1] == "Bayesian networks"
    fact = next(f for f in reply.recommendations[0].facts if f.kind == "prerequisite")
    assert fact.values["target"] == "Bayesian networks" and fact.values["why"]


def test_learner_edits_reset_export_and_forget(fake_engine):
    fake_engine.turns.turn("control", RUST, with_reasons=False)
    edited = fake_engine.learner_data.update_profile("control", ProfileEdit(level="advanced", formats=["video"]))
    assert edited.level == "advanced" and edited.liked_formats == ["video"]
    assert fake_engine.learner_data.profile("control").level == "advanced"
    exported = fake_engine.learner_data.export("control")
    assert exported.turns and exported.profile.level == "advanced"
    assert fake_engine.learner_data.reset_profile("control").level == "unknown"
    assert fake_engine.learner_data.forget("control") > 0
    assert fake_engine.learners.count_rows("control") == 0
    with pytest.raises(InputError, match="No learner"):
        fake_engine.learner_data.profile("control")
