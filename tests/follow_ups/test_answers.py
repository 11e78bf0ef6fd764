"""Follow-ups: "why number 2?" and "why not X?" are answered from the last reply's facts, nothing re-ranked."""

RUST = "I'm new to programming and want to learn Rust. Books please."


def ids(reply) -> list[str]:
    return [r.resource.id for r in reply.recommendations]


def test_why_and_why_not_are_answered_from_the_facts(fake_engine):
    reply = fake_engine.turns.turn("why", RUST)
    answer = fake_engine.turns.turn("why", "why number 2?")
    assert reply.recommendations[1].resource.title in answer.text and "rests on" in answer.text
    assert ids(answer) == ids(reply)  # nothing was re-ranked
    other = fake_engine.turns.turn("why", "why not Learn Git Branching?")
    assert "not on the list" in other.text or "could not find" in other.text
