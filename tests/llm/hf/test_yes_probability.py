"""yes_probability: a probability per conversation, from one batched pass, that separates an obvious yes from a no."""

import pytest

SHOTS = [("Is the sky blue?", "Yes"), ("Is a cat a vegetable?", "No"), ("Is water wet?", "Yes"),
         ("Is fire cold?", "No"), ("Do birds have feathers?", "Yes"), ("Can a fish ride a bicycle?", "No")]


def few_shot(question: str) -> list[dict[str, str]]:
    """The base model is only reliably right with examples; they also give the batch a long shared prefix."""
    conversation = [{"role": "system", "content": "Answer each question with Yes or No."}]
    for asked, answer in SHOTS:
        conversation += [{"role": "user", "content": asked}, {"role": "assistant", "content": answer}]
    return conversation + [{"role": "user", "content": question}]


def test_an_obvious_yes_scores_higher_than_an_obvious_no(llm):
    yes, no = llm.yes_probability([few_shot("Is Python a programming language?"), few_shot("Is Python a kind of cheese?")])
    assert 0.0 <= no < yes <= 1.0


def test_batching_and_the_shared_prefix_do_not_change_the_scores(llm):
    questions = ["Do dogs bark?", "Do dogs fly?", "Is Paris a city in France, the country in Europe?"]
    batched = llm.yes_probability([few_shot(q) for q in questions])
    alone = [llm.yes_probability([few_shot(q)])[0] for q in questions]
    assert batched == pytest.approx(alone, abs=1e-2)  # fp16 vs fp32 output weights differ by batch size, slightly


def test_yes_and_no_are_counted_in_every_spelling_the_tokenizer_has(llm):
    spelled = {llm.tokenizer.decode([i]) for i in llm._yes_ids}
    assert {"yes", "Yes"} <= {s.strip() for s in spelled}
    assert llm.yes_probability([]) == []
