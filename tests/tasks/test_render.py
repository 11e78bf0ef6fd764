"""What the LLM is shown of a learner: the relevance summary names topics as the catalog does."""

from assistant.tasks.render import learner_summary
from assistant.profile.schema import LearnerProfile


def profile(**slots) -> LearnerProfile:
    return LearnerProfile(learner_id="t", **slots)


def test_the_ranker_topics_replace_the_learners_own_words_for_them():
    summary = learner_summary(profile(topics={"Shell": 1.0}, level="beginner"), "Teach me shell scripting.",
                              ["Bash", "Linux"])
    assert summary.splitlines()[0] == "Wants to learn: Bash, Linux"
    assert "Shell" not in summary.replace("shell scripting", "")
    assert "Level: beginner" in summary and summary.endswith("Request: Teach me shell scripting.")


def test_without_ranker_topics_the_profile_topics_are_used():
    summary = learner_summary(profile(topics={"Rust": 1.0}), "Rust books?")
    assert summary.splitlines()[0] == "Wants to learn: Rust"


def test_a_request_matched_to_no_topic_says_nothing_about_topics():
    assert "Wants to learn" not in learner_summary(profile(), "Any podcasts?")


def test_at_most_four_topics_are_named():
    summary = learner_summary(profile(), "x", ["A", "B", "C", "D", "E"])
    assert summary.splitlines()[0] == "Wants to learn: A, B, C, D"
