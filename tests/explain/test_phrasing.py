"""The wordings the tuned model was trained on, filled with an item's facts, offered as decoding guesses."""

from assistant.explain.phrasing import phrasings
from assistant.reply import Fact

FACTS = [Fact(kind="topic", values={"topic": "Docker", "how": "asked"}),
         Fact(kind="author", values={"authors": "TechWorld with Nana"}, learner_specific=False)]


def test_each_fact_is_worded_after_each_subject_and_joiner():
    texts = phrasings(FACTS, "en")
    assert "This teaches Docker, just what you asked about" in texts
    assert ", and it comes from TechWorld with Nana" in texts


def test_chinese_facts_get_the_chinese_wordings():
    texts = phrasings(FACTS, "zh")
    assert "这份资源正是关于你要学的 Docker" in texts and "，而且出自 TechWorld with Nana" in texts


def test_a_fact_without_a_wording_or_a_value_it_needs_is_skipped():
    assert phrasings([Fact(kind="excluded", values={"mark": "completed"}, supports=False),
                      Fact(kind="length", values={"minutes": 20})], "en") == []
