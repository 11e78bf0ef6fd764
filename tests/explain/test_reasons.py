"""Model drafts are trimmed to one or two sentences; a draft cut by the token limit is closed, not left dangling."""

from assistant.explain.reasons import clean_draft, template_reason


def test_a_draft_keeps_its_first_two_sentences():
    assert clean_draft(' "It is a Rust book. You asked for Rust. More text." ') == "It is a Rust book. You asked for Rust."


def test_a_draft_cut_after_a_clause_is_closed_in_its_language():
    assert clean_draft("It is a Rust book, the format you prefer,") == "It is a Rust book, the format you prefer."
    assert clean_draft("这个资源正是关于你要学的 Python，是中文资源，") == "这个资源正是关于你要学的 Python，是中文资源。"
    assert clean_draft("half a character \ufffd") == "half a character"


def test_the_template_sentence_uses_the_first_three_facts():
    facts = ["it is about Rust, which you asked for", "it is a book, the format you prefer", "it is in English", "x"]
    assert template_reason(facts, "en") == ("It is about Rust, which you asked for, and it is a book, the format you "
                                            "prefer, and it is in English.")
    assert template_reason(["它讲的是 Rust", "它是书"], "zh") == "它讲的是 Rust；它是书。"
