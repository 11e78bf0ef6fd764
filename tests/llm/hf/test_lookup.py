"""Draft tokens for lookup decoding: from the text itself, the other rows, then the model's earlier answers."""

from assistant.llm.hf.lookup import PhraseMemory, draft


def test_a_repeated_phrase_is_continued_from_its_earlier_occurrence():
    context = [5, 6, 7, 8, 9, 1, 5, 6]  # "5 6" was followed by "7 8 9" before
    assert draft(context, [], [], 3) == [7, 8, 9]


def test_a_single_matching_token_is_not_enough_to_guess():
    assert draft([5, 6, 7, 1, 5], [], [], 3) == []


def test_a_single_matching_token_guesses_when_asked_to_fill_a_step_paid_for_anyway():
    assert draft([5, 6, 7, 1, 5], [], [], 3, min_ngram=1) == [6, 7, 1]
    memory = PhraseMemory()
    memory.learn([40, 41, 42])
    assert draft([9, 41], [], [memory], 1, min_ngram=1) == [42]


def test_other_rows_are_used_when_the_text_itself_has_no_match():
    assert draft([1, 2, 3], [[9, 2, 3, 4, 5]], [], 4) == [4, 5]


def test_earlier_answers_are_recalled_last_and_the_size_is_respected():
    memory = PhraseMemory()
    memory.learn([40, 41, 42, 43, 44, 45])
    assert draft([7, 40, 41], [], [memory], 2) == [42, 43]
    assert draft([7, 40, 41], [], [memory], 0) == []
    assert draft([7, 40, 99], [], [memory], 2) == []


def test_the_most_frequent_continuation_wins():
    memory = PhraseMemory()
    for tokens in ([1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 8, 9]):
        memory.learn(tokens)
    assert memory.recall([1, 2]) == [3, 4]


def test_expected_phrasings_are_consulted_before_earlier_answers():
    expected, earlier = PhraseMemory(), PhraseMemory()
    expected.learn([1, 2, 30, 31])
    earlier.learn([1, 2, 90, 91])
    assert draft([5, 1, 2], [], [expected, earlier], 2) == [30, 31]
    assert draft([5, 1, 2], [], [earlier, expected], 2) == [90, 91]
