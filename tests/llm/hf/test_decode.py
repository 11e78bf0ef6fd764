"""The hand-written greedy loop: same tokens as Hugging Face generate(), stop strings, time limit, streaming."""

import torch

from assistant.llm.base import GenerationLimits, GenerationRequest
from assistant.llm.hf.decode import REPETITION_PENALTY, cut_at_stop
from assistant.llm.hf.prefill import common_prefix

CONVERSATIONS = [
    [{"role": "user", "content": "What is the capital of France?"}],
    [{"role": "user", "content": "Explain in two sentences what a linked list is."}],
    [{"role": "system", "content": "You answer briefly."}, {"role": "user", "content": "Name three fruits."}],
]


def generate(llm, conversations, limits: GenerationLimits) -> list[str]:
    return llm.generate([GenerationRequest(c) for c in conversations], limits)


def hf_generate(llm, conversations, max_new_tokens: int) -> list[str]:
    inputs = llm.tokenizer.pad({"input_ids": llm._sequences(conversations)}, return_tensors="pt")
    with torch.inference_mode():
        out = llm.model.generate(**inputs, max_new_tokens=max_new_tokens, do_sample=False,
                                 repetition_penalty=REPETITION_PENALTY, pad_token_id=llm.tokenizer.pad_token_id)
    new = out[:, inputs["input_ids"].shape[1]:]
    return [t.strip() for t in llm.tokenizer.batch_decode(new, skip_special_tokens=True)]


def test_greedy_loop_writes_what_hf_generate_writes(llm):
    assert generate(llm, CONVERSATIONS, GenerationLimits(12, 600)) == hf_generate(llm, CONVERSATIONS, 12)
    assert generate(llm, CONVERSATIONS[1:2], GenerationLimits(12, 600)) == hf_generate(llm, CONVERSATIONS[1:2], 12)


def test_a_stop_string_ends_its_row_and_is_not_returned(llm):
    full = generate(llm, CONVERSATIONS, GenerationLimits(24, 600))
    stopped = generate(llm, CONVERSATIONS, GenerationLimits(24, 600, stop=(".",)))
    for whole, cut in zip(full, stopped):
        assert "." not in cut and whole.startswith(cut)


def test_the_time_limit_bounds_generation(llm):
    text = generate(llm, CONVERSATIONS[1:2], GenerationLimits(max_new_tokens=200, max_time_s=0.0))[0]
    assert len(llm.tokenizer(text, add_special_tokens=False)["input_ids"]) <= 2


def test_streamed_pieces_add_up_to_the_batch_answer(llm):
    limits = GenerationLimits(20, 600, stop=("\n",))
    pieces = list(llm.stream(CONVERSATIONS[1], limits))
    assert len(pieces) > 1 and "".join(pieces).strip() == generate(llm, CONVERSATIONS[1:2], limits)[0]


def test_stop_strings_count_only_after_some_text():
    assert cut_at_stop("\nParis.\nMore", ("\n",)) == ("\nParis.", True)
    assert cut_at_stop("Paris", ("\n",)) == ("Paris", False)


def test_common_prefix_leaves_every_row_a_token_of_its_own():
    assert common_prefix([[1, 2, 3], [1, 2, 3]]) == 2
    assert common_prefix([[1, 2, 3, 4], [1, 2, 5]]) == 2


REASON_LIKE = [
    [{"role": "user", "content": f"Repeat this sentence exactly: {text}"}]
    for text in ("It is a book about Rust, the topic you asked for, and it is free.",
                 "This course teaches SQL, it is in English, and it takes about 20 minutes.",
                 "这本书讲的是你想学的 Python，而且是免费的。")
]


def test_lookup_decoding_writes_what_one_token_per_step_writes(llm):
    limits = GenerationLimits(32, 600)
    saved = llm.draft_tokens
    try:
        llm.draft_tokens = 0
        plain = generate(llm, REASON_LIKE + CONVERSATIONS, limits)
        llm.draft_tokens = 4
        drafted = generate(llm, REASON_LIKE + CONVERSATIONS, limits)
        again = generate(llm, REASON_LIKE + CONVERSATIONS, limits)  # now with its earlier answers in memory as well
    finally:
        llm.draft_tokens = saved
    assert drafted == plain and again == plain


def test_a_row_the_caller_calls_done_ends_there_and_the_others_run_on(llm):
    limits = GenerationLimits(24, 600)
    full = generate(llm, CONVERSATIONS, limits)
    ended = llm.generate([GenerationRequest(c, done=(lambda text: len(text) >= 10) if i == 1 else None)
                          for i, c in enumerate(CONVERSATIONS)], limits)
    assert ended[0] == full[0] and ended[2] == full[2]
    assert full[1].startswith(ended[1]) and 10 <= len(ended[1]) < len(full[1])


def test_a_limited_vocabulary_allows_only_the_tokens_that_spell_its_words(llm):
    limits = GenerationLimits(16, 600)
    words = ["Paris", "is", "the", "capital", "of", "France", "."]
    text = llm.generate([GenerationRequest(CONVERSATIONS[0], vocabulary=words)], limits)[0]
    allowed = llm.tokens_of(words) | {llm.tokenizer.eos_token_id}
    assert text and set(llm.tokenizer(text, add_special_tokens=False)["input_ids"]) <= allowed


def test_a_vocabulary_holding_every_word_of_the_free_answer_changes_nothing(llm):
    limits = GenerationLimits(16, 600)
    free = generate(llm, CONVERSATIONS, limits)
    vocabulary = [text.split() + list(".,;:!?'\"()-") for text in free]
    assert llm.generate([GenerationRequest(c, vocabulary=v) for c, v in zip(CONVERSATIONS, vocabulary)], limits) == free


def test_a_prompt_prefix_read_before_is_reused_and_the_answers_stay_the_same(llm):
    limits = GenerationLimits(12, 600)
    system = {"role": "system", "content": "You answer in one short sentence, plainly, without lists or headings."}
    batch = [[system, {"role": "user", "content": q}] for q in ("Name a fruit.", "Name a colour.")]
    first = generate(llm, batch, limits)
    assert llm._prefixes.longest(llm._sequences(batch[:1])[0]) >= 16  # the system prompt was kept
    assert generate(llm, batch, limits) == first and generate(llm, batch[1:], limits) == first[1:]
    assert first == hf_generate(llm, batch, 12)


def test_hints_only_guess_they_never_change_the_answer(llm):
    limits = GenerationLimits(16, 600)
    free = generate(llm, CONVERSATIONS, limits)
    hinted = llm.generate([GenerationRequest(c, hints=[text]) for c, text in zip(CONVERSATIONS, free)], limits)
    misled = llm.generate([GenerationRequest(c, hints=["Bananas are purple, said nobody."]) for c in CONVERSATIONS],
                          limits)
    assert hinted == free and misled == free


def test_a_request_joining_a_running_batch_writes_what_it_writes_alone(llm):
    limits = GenerationLimits(16, 600)
    alone = [generate(llm, [c], limits)[0] for c in CONVERSATIONS]
    batch = llm._batch()
    first, later = llm._rows([GenerationRequest(c) for c in CONVERSATIONS[:2]], limits), \
        llm._rows([GenerationRequest(CONVERSATIONS[2])], limits)
    batch.admit([first])
    for _ in range(3):
        batch.step()
    batch.admit([later])  # joins rows that are already part-way through their answers
    while len(batch):
        batch.step()
    assert [batch.text(row).strip() for row in first + later] == alone


def test_groups_read_in_one_pass_score_as_they_score_alone(llm):
    relevance = [[{"role": "system", "content": "Answer yes or no."},
                  {"role": "user", "content": f"Learner wants {topic}. Is a book on {item} a fit?"}]
                 for topic, item in (("Rust", "Rust"), ("Rust", "knitting"), ("SQL", "databases"), ("SQL", "Haskell"))]
    groups = [llm._sequences(relevance[:2]), llm._sequences(relevance[2:])]
    together = llm._p_yes(groups)
    apart = [llm._p_yes([g])[0] for g in groups]
    assert all(abs(a - b) < 1e-3 for x, y in zip(together, apart) for a, b in zip(x, y))
