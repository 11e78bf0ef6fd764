"""What a message states outright becomes profile slots; what it does not say stays unknown."""

from assistant.knowledge.topics import TopicMatcher
from assistant.profile.rules import extract
from assistant.profile.schema import LearnerProfile


def profile_after(*messages: str, matcher=None) -> LearnerProfile:
    profile = LearnerProfile(learner_id="t")
    for message in messages:
        profile = profile.merge(extract(message, matcher))
    return profile


def test_formats_levels_and_minutes_in_english():
    p = profile_after("I'm a total beginner with 20 minutes a day on my phone. Videos please.")
    assert p.level == "beginner" and p.time_budget_minutes == 20 and p.device == "phone"
    assert p.liked_formats == ["video"] and p.language == "en"


def test_negation_marks_a_format_as_avoided():
    p = profile_after("I prefer reading books over watching videos.")
    assert p.liked_formats == ["book"] and p.avoided_formats == ["video"]
    assert profile_after("No videos, please.").avoided_formats == ["video"]


def test_a_later_preference_replaces_an_earlier_one():
    p = profile_after("Videos would be great.", "Actually I'd rather have books, I read a lot.")
    assert p.liked_formats == ["book"]


def test_chinese_messages():
    p = profile_after("我是零基础，每天半小时，想看中文的书。")
    assert p.language == "zh" and p.level == "beginner" and p.time_budget_minutes == 30 and p.liked_formats == ["book"]


def test_hours_and_words_for_numbers():
    assert profile_after("I have an hour a day").time_budget_minutes == 60
    assert profile_after("about 1.5 hours per session").time_budget_minutes == 90


def test_nothing_stated_means_unknown():
    p = profile_after("Tell me about compilers.")
    assert p.level == "unknown" and p.formats == {} and p.time_budget_minutes is None and p.device is None


def test_topics_come_from_the_catalog_vocabulary_longest_first():
    matcher = TopicMatcher(["Machine Learning", "C++", "C", "Rust", "Misc"])
    assert matcher("I want machine learning in C++ and Rust, misc stuff") == ["Machine Learning", "C++", "Rust"]
    p = profile_after("Rust please", "now machine learning", matcher=matcher)
    assert p.topics["Machine Learning"] == 1.0 and p.topics["Rust"] < 1.0
