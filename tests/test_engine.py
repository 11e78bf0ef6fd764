"""The whole product on the real model: one turn from message to checked reasons, and the LLM's relevance judgement
inside the ranking. Everything else about a turn is specified on the fake LLM (tests/test_turn.py)."""

from assistant.llm.base import Capability


def test_rust_books_for_a_beginner(engine, store):
    reply = engine.turns.turn("learner-rust", "I'm new to programming and want to learn Rust. Books please.")
    recs = reply.recommendations
    assert len(recs) >= 3
    assert [r.rank for r in recs] == list(range(1, len(recs) + 1))
    assert all("Rust" in r.resource.topics for r in recs[:3])
    assert all("book" in r.resource.formats for r in recs[:3])
    assert all(r.reason and r.reason.text.strip() for r in recs)
    assert any(r.reason.written_by == "model" for r in recs)  # the tuned model writes reasons the check accepts
    assert all(r.contributions and "semantic" in r.contributions for r in recs)
    assert reply.profile.level == "beginner" and reply.profile.liked_formats == ["book"]
    assert reply.reasons_ready and reply.language == "en"
    indexed = store.collection.get(ids=[f"{r.resource.id}#0" for r in recs])["ids"]
    assert len(indexed) == len(recs)  # every id is a catalog id from the index


def test_the_in_process_model_offers_every_capability(engine):
    assert engine.llm.capabilities == frozenset(Capability)
    info = engine.llm.describe()
    assert info.backend == "hf" and info.adapter and info.adapter_error is None


def test_the_llm_judges_twice_as_many_as_shown_against_the_matched_catalog_topics(engine, settings, monkeypatch):
    judged: list[list[dict]] = []
    real = engine.llm.yes_probability

    def spy(conversations, wait_s=None):
        judged.extend(conversations)
        return real(conversations, wait_s)

    monkeypatch.setattr(engine.llm, "yes_probability", spy)
    reply = engine.turns.turn("learner-judged", "I'm new to programming and want to learn Rust. Books please.")
    assert len(judged) == 2 * settings.ranking.top_k
    assert all(c[-1]["content"].startswith("Learner:\nWants to learn: Rust") for c in judged)
    weight = settings.ranking.weights["llm"]
    assert weight > 0  # on by default
    # Every card was among those judged (the rest get exactly 0); P(yes) is centred, so its share is within ±weight.
    assert all(0 < abs(r.contributions["llm"]) <= weight for r in reply.recommendations)
    assert reply.report.llm_relevance == "used"
