"""One real turn: profile, Chroma retrieval with filters, ranking, LLM reasons (checked), structured reply."""

import pytest

from assistant.engine import InputError


def test_rust_books_for_a_beginner(engine, store):
    reply = engine.turn("learner-rust", "I'm new to programming and want to learn Rust. Books please.")
    recs = reply.recommendations
    assert len(recs) >= 3
    assert [r.rank for r in recs] == list(range(1, len(recs) + 1))
    assert all("Rust" in r.resource.topics for r in recs[:3])
    assert all("book" in r.resource.formats for r in recs[:3])
    assert all(r.reason and r.reason.text.strip() for r in recs)
    assert all(r.contributions and "semantic" in r.contributions for r in recs)
    assert reply.profile.level == "beginner" and reply.profile.liked_formats == ["book"]
    assert reply.reasons_ready and reply.language == "en"
    indexed = store.collection.get(ids=[f"{r.resource.id}#0" for r in recs])["ids"]
    assert len(indexed) == len(recs)  # every id is a catalog id from the index


def test_cards_stream_before_their_reasons(engine):
    updates = list(engine.stream_turn("learner-stream", "Any podcasts about programming?"))
    assert len(updates) == 2
    assert updates[0].recommendations and all(r.reason is None for r in updates[0].recommendations)
    assert all(r.reason is not None for r in updates[1].recommendations)


def test_chinese_request_gets_chinese_resources_and_a_chinese_reply(engine):
    reply = engine.turn("learner-zh", "我们团队开始用 Git 做版本控制了，推荐一些中文书吧。")
    assert reply.language == "zh" and reply.recommendations
    assert all(r.resource.language == "zh" for r in reply.recommendations)
    assert "资源" in reply.text


def test_profile_is_remembered_across_turns(engine):
    engine.turn("learner-memory", "I only have 15 minutes a day.")
    reply = engine.turn("learner-memory", "Something on linear regression please.")
    assert reply.profile.time_budget_minutes == 15
    assert engine.profile("learner-memory").time_budget_minutes == 15


@pytest.mark.parametrize("message", ["", "   ", "x" * 100_000])
def test_bad_messages_are_refused_and_store_nothing(engine, message):
    with pytest.raises(InputError):
        engine.turn("learner-bad", message)
    with pytest.raises(InputError, match="No learner"):
        engine.profile("learner-bad")


def test_bad_learner_id_is_refused(engine):
    with pytest.raises(InputError, match="learner_id"):
        engine.turn("../../etc/passwd", "Python please")


def test_the_llm_judges_twice_as_many_as_shown_against_the_matched_catalog_topics(engine, settings, monkeypatch):
    judged: list[list[dict]] = []
    real = engine.llm.yes_probability

    def spy(conversations):
        judged.extend(conversations)
        return real(conversations)

    monkeypatch.setattr(engine.llm, "yes_probability", spy)
    reply = engine.turn("learner-judged", "I'm new to programming and want to learn Rust. Books please.")
    assert len(judged) == 2 * settings.top_k
    assert all(c[-1]["content"].startswith("Learner:\nWants to learn: Rust") for c in judged)
    weight = settings.ranking_weights["llm"]
    assert weight > 0  # on by default
    # Every card was among those judged (the rest get exactly 0); P(yes) is centred, so its share is within ±weight.
    assert all(0 < abs(r.contributions["llm"]) <= weight for r in reply.recommendations)


def test_a_chinese_learner_asking_a_topic_nothing_in_chinese_covers_gets_it_in_english(engine, settings):
    topic = "Kubernetes"
    assert engine.recommender.coverage.count("zh", [topic], settings.top_k) == 0
    reply = engine.turn("learner-zh-fallback", f"我想学 {topic}，有什么推荐？")
    assert reply.language == "zh" and reply.notes == ["language"] and "其他语言" in reply.text
    assert all(topic in r.resource.topics for r in reply.recommendations), [(r.resource.language, r.resource.topics, r.resource.title) for r in reply.recommendations]
    # Asked for Chinese in so many words: Chinese it is, whatever the topic.
    asked = engine.turn("learner-zh-asked", f"我想学 {topic}，请推荐中文资料。")
    assert asked.recommendations and all(r.resource.language == "zh" for r in asked.recommendations)
