"""The real engine: feedback changes the very next ranking; the learner's data is theirs to edit, export, delete."""

import pytest

from assistant.engine import InputError
from assistant.profile.edits import ProfileEdit

RUST = "I'm new to programming and want to learn Rust. Books please."


def ids(reply) -> list[str]:
    return [r.resource.id for r in reply.recommendations]


def test_not_for_me_and_done_are_never_recommended_again(engine):
    before = engine.turn("fb-exclude", RUST, with_reasons=False)
    first, second = ids(before)[:2]
    engine.feedback("fb-exclude", first, "not_for_me")
    engine.feedback("fb-exclude", second, "completed")
    after = engine.turn("fb-exclude", RUST, with_reasons=False)
    assert first not in ids(after) and second not in ids(after)


def test_helpful_raises_similar_items_on_the_next_turn(engine):
    message = "Something about programming please."
    before = engine.turn("fb-helpful", message, with_reasons=False)
    liked = before.recommendations[-1]
    engine.feedback("fb-helpful", liked.resource.id, "helpful")
    after = engine.turn("fb-helpful", message, with_reasons=False)
    similar = [r for r in after.recommendations if "affinity" in r.contributions and r.contributions["affinity"] > 0]
    assert similar, "items close to the helpful one gain an affinity contribution"
    assert any(f.kind == "similar_liked" for r in similar for f in r.facts)
    assert ids(after) != ids(before)


def test_already_know_marks_the_topic_known_and_raises_the_level(engine):
    reply = engine.turn("fb-know", RUST, with_reasons=False)
    beginner = next(r.resource for r in reply.recommendations if r.resource.level == "beginner")
    profile = engine.feedback("fb-know", beginner.id, "already_know")
    assert profile.level == "intermediate" and set(beginner.topics[:1]) <= set(profile.known_topics)
    assert beginner.id not in ids(engine.turn("fb-know", "More Rust books", with_reasons=False))


def test_feedback_needs_a_known_learner_resource_and_kind(engine):
    engine.turn("fb-bad", RUST, with_reasons=False)
    with pytest.raises(InputError, match="No learner"):
        engine.feedback("nobody-here", "fpb-1", "helpful")
    with pytest.raises(InputError, match="No resource"):
        engine.feedback("fb-bad", "not-a-resource", "helpful")
    with pytest.raises(InputError, match="Unknown feedback"):
        engine.feedback("fb-bad", ids(engine.turn("fb-bad", RUST, with_reasons=False))[0], "love it")
    assert engine.export("fb-bad").feedback == []


def test_a_missing_prerequisite_comes_first_with_a_learning_path(engine):
    reply = engine.turn("prereq", "I want to learn Bayesian networks, but I never understood Bayes' rule.",
                        with_reasons=False)
    first = reply.recommendations[0].resource
    assert first.concept == "bayes_rule"
    assert any(r.resource.concept == "bayesian_networks" for r in reply.recommendations)
    assert [s.concept for s in reply.learning_path][-1] == "Bayesian networks"
    fact = next(f for f in reply.recommendations[0].facts if f.kind == "prerequisite")
    assert fact.values["target"] == "Bayesian networks" and fact.values["why"]


def test_why_and_why_not_are_answered_from_the_facts(engine):
    reply = engine.turn("why", RUST)
    answer = engine.turn("why", "why number 2?")
    assert reply.recommendations[1].resource.title in answer.text and "rests on" in answer.text
    assert ids(answer) == ids(reply)  # nothing was re-ranked
    other = engine.turn("why", "why not Learn Git Branching?")
    assert "not on the list" in other.text or "could not find" in other.text


def test_learner_edits_reset_export_and_forget(engine):
    engine.turn("control", RUST, with_reasons=False)
    edited = engine.update_profile("control", ProfileEdit(level="advanced", formats=["video"]))
    assert edited.level == "advanced" and edited.liked_formats == ["video"]
    assert engine.profile("control").level == "advanced"
    exported = engine.export("control")
    assert exported.turns and exported.profile.level == "advanced"
    assert engine.reset_profile("control").level == "unknown"
    assert engine.forget("control") > 0
    assert engine.learners.count_rows("control") == 0
    with pytest.raises(InputError, match="No learner"):
        engine.profile("control")
