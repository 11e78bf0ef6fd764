"""One turn on the fake LLM (chosen through settings): profile, Chroma retrieval with filters, ranking, checked
reasons, the streamed reply, and what a turn refuses."""

import pytest

from assistant.llm.base import Capability
from assistant.llm.fake import FakeLLM
from assistant.reply import TurnContext
from assistant.validation import InputError


def test_a_whole_turn_runs_on_the_fake_llm_chosen_in_settings(fake_engine):
    assert isinstance(fake_engine.llm, FakeLLM) and fake_engine.settings.llm.backend == "fake"
    reply = fake_engine.turns.turn("fake-rust", "I'm new to programming and want to learn Rust. Books please.")
    recs = reply.recommendations
    assert len(recs) >= 3 and all("Rust" in r.resource.topics for r in recs[:3])
    assert reply.reasons_ready and all(r.reason and r.reason.text for r in recs)
    # The fake tells each item's first fact; the check accepts it, so the reasons count as the model's.
    assert any(r.reason.written_by == "model" and r.reason.text.rstrip(".").lower() == r.reason.facts[0].lower()
               for r in recs)
    assert ("yes_probability", 2 * fake_engine.settings.ranking.top_k) in fake_engine.llm.calls


def test_cards_stream_before_their_reasons(fake_engine):
    updates = list(fake_engine.turns.stream("learner-stream", "Any podcasts about programming?"))
    assert len(updates) == 2
    assert updates[0].recommendations and all(r.reason is None for r in updates[0].recommendations)
    assert all(r.reason is not None for r in updates[1].recommendations)


def test_chinese_request_gets_chinese_resources_and_a_chinese_reply(fake_engine):
    reply = fake_engine.turns.turn("learner-zh", "我们团队开始用 Git 做版本控制了，推荐一些中文书吧。")
    assert reply.language == "zh" and reply.recommendations
    assert all(r.resource.language == "zh" for r in reply.recommendations)
    assert "资源" in reply.text


def test_profile_is_remembered_across_turns(fake_engine):
    fake_engine.turns.turn("learner-memory", "I only have 15 minutes a day.")
    reply = fake_engine.turns.turn("learner-memory", "Something on linear regression please.")
    assert reply.profile.time_budget_minutes == 15
    assert fake_engine.learner_data.profile("learner-memory").time_budget_minutes == 15


@pytest.mark.parametrize("message", ["", "   ", "x" * 100_000])
def test_bad_messages_are_refused_and_store_nothing(fake_engine, message):
    with pytest.raises(InputError):
        fake_engine.turns.turn("learner-bad", message)
    with pytest.raises(InputError, match="No learner"):
        fake_engine.learner_data.profile("learner-bad")


def test_bad_learner_id_is_refused(fake_engine):
    with pytest.raises(InputError, match="learner_id"):
        fake_engine.turns.turn("../../etc/passwd", "Python please")


def test_a_chinese_learner_asking_a_topic_nothing_in_chinese_covers_gets_it_in_english(fake_engine, settings):
    topic = "Kubernetes"
    assert fake_engine.turns.recommender.coverage.count("zh", [topic], settings.ranking.top_k) == 0
    reply = fake_engine.turns.turn("learner-zh-fallback", f"我想学 {topic}，有什么推荐？")
    assert reply.language == "zh" and reply.notes == ["language"] and "其他语言" in reply.text
    assert all(topic in r.resource.topics for r in reply.recommendations)
    # Asked for Chinese in so many words: Chinese it is, whatever the topic.
    asked = fake_engine.turns.turn("learner-zh-asked", f"我想学 {topic}，请推荐中文资料。")
    assert asked.recommendations and all(r.resource.language == "zh" for r in asked.recommendations)


def test_a_topic_with_fewer_resources_than_the_list_still_gets_a_full_list_with_those_first(fake_engine):
    k, coverage = 10, fake_engine.turns.recommender.coverage
    english, anywhere = coverage.count("en", ["Flutter"], k), sum(
        "Flutter" in r.topics for r in fake_engine.catalog)
    assert 0 < english < anywhere < k // 2  # the topic filter takes the language filter's place, and finds few
    profile, messages = fake_engine.turns.understand("learner-flutter", "I want to learn Flutter", None)
    found = fake_engine.turns.recommend(profile, messages, TurnContext(), k=k)
    assert len(found.ranked) == k
    assert all("Flutter" in r.candidate.resource.topics for r in found.ranked[:english])


def test_a_format_the_learner_avoids_does_not_empty_a_topic_they_named_and_the_reply_says_so(fake_engine):
    kubernetes = [r for r in fake_engine.catalog if "Kubernetes" in r.topics and r.language == "en"]
    assert kubernetes and all("course" in r.formats for r in kubernetes)  # the catalog has only courses on it
    reply = fake_engine.turns.turn("learner-k8s", "I need Kubernetes for work, but no courses please, I cannot sit "
                                   "through lectures.", with_reasons=False)
    assert reply.profile.avoided_formats == ["course"]
    assert sum("Kubernetes" in r.resource.topics for r in reply.recommendations[:3]) >= 2
    assert "formats" in reply.notes and "other formats" in reply.text
    liked = fake_engine.turns.turn("learner-k8s-podcasts", "Kubernetes podcasts please", with_reasons=False)
    assert "formats" not in liked.notes  # a format asked for stays a filter: the learner chose it


def test_a_backend_without_a_feature_is_used_without_it_and_says_so_once(fake_engine, caplog):
    from assistant.engine import Engine

    plain = FakeLLM(capabilities=frozenset())  # no P(yes), no early stop, no vocabulary, no lookup hints
    engine = Engine(fake_engine.settings, fake_engine.index, plain, fake_engine.learners, fake_engine.catalog,
                    fake_engine.graph, fake_engine.prompts)
    with caplog.at_level("WARNING", logger="assistant.tasks.capabilities"):
        for i in range(2):
            reply = engine.turns.turn(f"plain-{i}", "I'm new to programming and want to learn Rust. Books please.")
            assert reply.recommendations and all(r.reason for r in reply.recommendations)
    assert not any(name == "yes_probability" for name, _ in plain.calls)
    assert all(r.contributions["llm"] == 0 for r in reply.recommendations)
    lost = [r.getMessage() for r in caplog.records]
    for capability in (Capability.YES_PROBABILITY, Capability.VOCABULARY, Capability.EARLY_STOP,
                       Capability.LOOKUP_HINTS):
        assert sum(capability.value in line for line in lost) == 1, lost


def _engine_with(fake_engine, llm, **changes):
    from assistant.engine import Engine

    settings = fake_engine.settings.with_changes(**changes) if changes else fake_engine.settings
    return Engine(settings, fake_engine.index, llm, fake_engine.learners, fake_engine.catalog, fake_engine.graph,
                  fake_engine.prompts)


def test_when_the_model_cannot_judge_in_time_the_cards_come_without_it_and_the_report_says_so(fake_engine):
    from assistant.llm.base import LLMBusy

    def busy(conversation):
        raise LLMBusy("the model is busy")

    engine = _engine_with(fake_engine, FakeLLM(judge=busy))
    reply = engine.turns.turn("busy-judge", "I'm new to programming and want to learn Rust. Books please.")
    assert reply.recommendations and reply.report.llm_relevance == "busy"
    assert all(r.contributions["llm"] == 0 for r in reply.recommendations)
    assert "busy" not in reply.text  # the learner is not told


def test_reasons_not_written_by_the_deadline_are_templates_marked_late(fake_engine):
    import time as clock

    def slow(messages):
        clock.sleep(0.4)
        return "Something the check refuses"

    engine = _engine_with(fake_engine, FakeLLM(answer=slow), reason={"deadline_s": 0.2})
    reply = engine.turns.turn("late-reasons", "I'm new to programming and want to learn Rust. Books please.")
    assert all(r.reason.written_by == "template" and r.reason.late for r in reply.recommendations)
    assert reply.report.late_reasons == len(reply.recommendations)
    assert ("generate", len(reply.recommendations)) == engine.llm.calls[-1]  # no retry once the deadline has passed
