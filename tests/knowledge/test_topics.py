"""Topic names in learner messages: catalog headings and the everyday names in aliases.yaml."""

from assistant.knowledge.topics import TopicMatcher, load_aliases


def test_chinese_names_of_english_catalog_headings_are_understood():
    matcher = TopicMatcher(["Machine Learning", "Algorithms & Data Structures", "操作系统"], load_aliases())
    assert matcher("我想学机器学习，有没有中文课程？") == ["Machine Learning"]
    assert matcher("有没有讲数据结构的免费课程？") == ["Algorithms & Data Structures"]
    assert matcher("推荐操作系统的书") == ["操作系统"]
