"""Topic names in learner messages: catalog headings and the everyday names in aliases.yaml."""

from assistant.knowledge.topics import TopicMatcher, load_aliases


def test_chinese_names_of_english_catalog_headings_are_understood():
    matcher = TopicMatcher(["Machine Learning", "Algorithms & Data Structures", "操作系统", "Android"], load_aliases())
    assert matcher("我想学机器学习，有没有中文课程？") == ["Machine Learning"]
    assert matcher("有没有讲数据结构的免费课程？") == ["Algorithms & Data Structures"]
    assert matcher("推荐操作系统的书") == ["操作系统"]
    assert matcher("想学安卓开发，求几本中文的书") == ["Android"]


def test_a_language_covers_the_topics_its_resources_are_filed_under_or_name_in_their_title():
    from assistant.catalog.schema import Resource
    from assistant.knowledge.topics import LanguageCoverage

    def res(rid, title, topics, language):
        return Resource(id=rid, title=title, url=f"https://x.example/{rid}", topics=topics, language=language)

    catalog = [res("a", "Docker 入门实战", ["运维"], "zh"), res("b", "Docker — 从入门到实践", ["Web"], "zh"),
               res("c", "Git 教程", ["版本控制"], "zh"), res("d", "Docker Deep Dive", ["Docker"], "en")]
    coverage = LanguageCoverage(catalog, TopicMatcher(["Docker", "Git", "Kubernetes", "运维", "版本控制", "Web"]))
    assert coverage.count("zh", ["Docker"], enough=5) == 2  # named in the titles, filed elsewhere
    assert coverage.count("zh", ["版本控制", "Kubernetes"], enough=5) == 1
    assert coverage.count("zh", ["Kubernetes"], enough=5) == 0
    assert coverage.count("en", ["Docker"], enough=1) == 1
    assert coverage.languages == ["en", "zh"]


def test_a_plural_in_the_text_names_the_topic():
    matcher = TopicMatcher(["determinant", "hash table", "C++"])
    assert matcher("determinants are next, then hash tables in C++") == ["determinant", "hash table", "C++"]


def test_one_part_of_a_composite_heading_names_it_unless_it_is_a_heading_of_its_own():
    matcher = TopicMatcher(["Delphi / Pascal", "Pascal", "Isabelle/HOL", "xBase (dBase / Clipper / Harbour)",
                            "PCA (proof)"])
    assert matcher("an old inventory program written in Delphi") == ["Delphi / Pascal"]
    assert matcher("I learnt Pascal at school") == ["Pascal"]
    assert matcher("proofs in Isabelle") == ["Isabelle/HOL"]
    assert matcher("a dBase app") == ["xBase (dBase / Clipper / Harbour)"]
    assert matcher("we sailed into the harbour") == [] and matcher("the proof of it") == []
