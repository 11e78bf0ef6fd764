"""Query filters from the profile, and which topics and concepts a request is about."""


import pytest
import numpy as np

from assistant.catalog.filters import Equals, Lacks
from assistant.catalog.schema import Resource
from assistant.config import PROJECT_ROOT
from assistant.knowledge.graph import PrerequisiteGraph
from assistant.profile.schema import LearnerProfile
from assistant.ranking.focus import FocusFinder, topic_votes
from assistant.ranking.query import build_query
from assistant.ranking.types import Candidate
from assistant.vectorstore import to_chroma

GRAPH = PrerequisiteGraph.from_metacademy(PROJECT_ROOT / "vectorstore" / "sources" / "metacademy")


def hit(rid: str, topics: list[str], similarity: float, concept: str | None = None) -> Candidate:
    resource = Resource(id=rid, title=rid, url=f"https://x.example/{rid}", topics=topics, concept=concept)
    return Candidate(resource, similarity, np.ones(3) / np.sqrt(3))


def test_filters_follow_the_stated_slots_and_relax_language_last():
    profile = LearnerProfile(learner_id="a", language="zh", level="beginner", formats={"book": 1.0, "video": -1.0},
                             free_only=True)
    query = build_query(profile, ["想学 Python"])
    assert set(query.filters) == {"language", "formats", "level", "free"}
    assert query.relaxable == ["level", "free", "formats", "language"]
    assert query.where({"formats", "level", "free"}) == Equals("language", "zh")
    assert Lacks("formats", "video") in query.filters["formats"].clauses
    assert to_chroma(query.where({"formats", "level"})) == {
        "$and": [{"language": "zh"}, {"free": "yes"}]}  # the one place that speaks Chroma's filter syntax


def test_the_latest_message_weighs_most_in_the_query():
    query = build_query(LearnerProfile(learner_id="a"), ["first", "second", "latest"])
    assert query.parts[0] == ("latest", 1.0) and query.parts[1] == ("second", 0.5)


def test_hits_vote_for_their_topics_by_similarity():
    votes = topic_votes([hit("a", ["SQL"], 0.6), hit("b", ["SQL", "Databases"], 0.5), hit("c", ["Docker"], 0.3)])
    assert votes["SQL"] == 1.0 and 0.4 < votes["Databases"] < 0.5 and votes["Docker"] < votes["Databases"]


def test_a_named_topic_far_from_the_request_is_dropped():
    profile = LearnerProfile(learner_id="a", topics={"Android": 1.0, "Make": 1.0})
    hits = [hit("a", ["Android"], 0.7), hit("b", ["Android"], 0.65)]
    focus = FocusFinder(GRAPH).find(profile, hits, lambda topic: 0.2)
    assert focus.topics["Android"].named and "Make" not in focus.topics


def test_stated_gaps_become_needs_before_the_target():
    profile = LearnerProfile(learner_id="a", topics={"random forests": 1.0}, gaps=["decision trees"])
    hits = [hit("a", ["random forests"], 0.7, "random_forests"), hit("b", ["decision trees"], 0.6, "decision_trees")]
    focus = FocusFinder(GRAPH).find(profile, hits, lambda topic: 0.6)
    assert [t.tag for t in focus.targets] == ["random_forests"]
    assert focus.needs[0].concept.tag == "decision_trees" and focus.needs[0].target.tag == "random_forests"


def test_gaps_of_an_earlier_subject_do_not_follow_the_learner():
    profile = LearnerProfile(learner_id="a", topics={"SQL": 1.0}, gaps=["Bayes' rule"])
    focus = FocusFinder(GRAPH).find(profile, [hit("a", ["SQL"], 0.7)], lambda topic: 0.1)
    assert not focus.needs


def test_inferred_topics_count_less_when_the_closest_topics_are_all_about_as_close():
    profile = LearnerProfile(learner_id="a")
    hits = [hit("a", ["Compilers"], 0.7), hit("b", ["Compilers"], 0.6)]
    sharp = [("Compilers", 0.6), ("Lisp", 0.5), ("C", 0.45), ("Go", 0.44), ("Rust", 0.43)]
    flat = [("Compilers", 0.51), ("Lisp", 0.509), ("C", 0.508), ("Go", 0.507), ("Rust", 0.506)]
    finder = FocusFinder(GRAPH)
    clear = finder.find(profile, hits, lambda t: 0.6, sharp, dict(sharp)).topics["Compilers"].confidence
    guess = finder.find(profile, hits, lambda t: 0.6, flat, dict(flat)).topics["Compilers"].confidence
    assert guess == pytest.approx(clear / 2, abs=0.01)


def test_a_topic_taken_back_is_never_inferred_and_the_one_named_instead_stays():
    profile = LearnerProfile(learner_id="a", topics={"MySQL": 1.0}, dropped_topics=["PostgreSQL"])
    hits = [hit("p1", ["PostgreSQL"], 0.8), hit("p2", ["PostgreSQL"], 0.78), hit("m", ["MySQL"], 0.55)]
    linked = [("PostgreSQL", 0.78), ("MySQL", 0.58), ("Databases", 0.52), ("NoSQL", 0.5), ("SQL", 0.48)]
    focus = FocusFinder(GRAPH).find(profile, hits, lambda topic: 0.55, linked, dict(linked), "so mysql please")
    assert "PostgreSQL" not in focus.topics and focus.topics["MySQL"].named


def test_a_broad_heading_inferred_from_a_description_counts_less_than_a_narrow_one():
    profile = LearnerProfile(learner_id="a")
    hits = [hit("l", ["Linux"], 0.7), hit("a", ["Ansible"], 0.7)]
    focus = FocusFinder(GRAPH).find(profile, hits, lambda t: 0.7, sizes={"Linux": 160, "Ansible": 6})
    assert focus.topics["Linux"].confidence == pytest.approx(focus.topics["Ansible"].confidence / 4, abs=0.01)


def test_a_gap_told_in_words_links_to_the_targets_prerequisite_closest_to_them():
    target = GRAPH.find("Hamiltonian Monte Carlo")
    before = [c.title for c in GRAPH.prerequisites(target)]
    assert "Metropolis-Hastings algorithm" in before
    profile = LearnerProfile(learner_id="a", topics={"Hamiltonian Monte Carlo": 1.0},
                             gaps=["the basic propose / accept-or-reject random-walk sampler"])
    hits = [hit("a", ["Hamiltonian Monte Carlo"], 0.7, "hamiltonian_monte_carlo")]

    def described(phrase):  # what the linker says of the phrase: closest to the sampler it describes
        return {title: (0.6 if title == "Metropolis-Hastings algorithm" else 0.2) for title in before}

    focus = FocusFinder(GRAPH).find(profile, hits, lambda topic: 0.6, described=described)
    assert [n.concept.title for n in focus.needs] == ["Metropolis-Hastings algorithm"]
    assert not FocusFinder(GRAPH).find(profile, hits, lambda topic: 0.6).needs  # words alone name nothing
    far = FocusFinder(GRAPH).find(profile, hits, lambda topic: 0.6, described=lambda phrase: {t: 0.1 for t in before})
    assert not far.needs  # nothing close enough: no guess


def test_a_concept_named_on_the_way_to_a_closer_one_is_not_the_target():
    # "maximise subject to a constraint ... set the gradient to zero": the gradient is named, Lagrange is meant
    profile = LearnerProfile(learner_id="a", topics={"gradient": 1.0})
    hits = [hit("l", ["Lagrange multipliers"], 0.85, "lagrange_multipliers"),
            hit("m", ["Lagrange multipliers"], 0.84, "lagrange_multipliers"), hit("g", ["gradient"], 0.8, "gradient")]
    linked = [("Lagrange multipliers", 0.6), ("optimization problems", 0.59), ("gradient", 0.565)]
    focus = FocusFinder(GRAPH).find(profile, hits, lambda t: 0.8, linked, dict(linked), "set the gradient to zero")
    assert not focus.topics["gradient"].named and "gradient" not in [t.title for t in focus.targets]
    # named together with what it comes before, it is what the learner builds on or lacks: it stays named
    both = LearnerProfile(learner_id="a", topics={"gradient": 1.0, "Lagrange multipliers": 1.0})
    assert FocusFinder(GRAPH).find(both, hits, lambda t: 0.8, linked, dict(linked), "").topics["gradient"].named


def test_an_unnamed_concept_that_stands_out_is_a_target_even_beside_a_named_field():
    # "complete beginner in deep learning: how do image classifiers with sliding filters work?"
    profile = LearnerProfile(learner_id="a", topics={"Deep Learning": 1.0})
    hits = [hit("d", ["Deep Learning"], 0.9), hit("c", ["convolutional neural nets"], 0.9, "conv_nets")]
    linked = [("convolutional neural nets", 0.651), ("Deep Learning", 0.648), ("Machine Learning", 0.52)]
    focus = FocusFinder(GRAPH).find(profile, hits, lambda t: 0.9, linked, dict(linked), "deep learning")
    assert [t.title for t in focus.targets] == ["convolutional neural nets"]
    close = [("convolutional neural nets", 0.651), ("Deep Learning", 0.648), ("feed-forward neural nets", 0.63)]
    assert not FocusFinder(GRAPH).find(profile, hits, lambda t: 0.9, close, dict(close), "deep learning").targets


def test_a_named_topic_far_from_what_the_request_is_about_counts_less_in_english_only():
    profile = LearnerProfile(learner_id="a", topics={"Machine Learning": 1.0})
    hits = [hit("m", ["Machine Learning"], 0.8)]
    near = [("Machine Learning", 0.62), ("Deep Learning", 0.6)]
    far = [("Deep Learning", 0.63), ("convolutional neural nets", 0.615), ("Machine Learning", 0.48)]
    finder = FocusFinder(GRAPH)

    def confidence(linked, request):
        return finder.find(profile, hits, lambda t: 0.8, linked, dict(linked), request).topics["Machine Learning"]

    asked = "a radiologist dabbling in ML: why do image networks work"
    assert confidence(near, asked).confidence == pytest.approx(0.9)
    assert confidence(far, asked).confidence == pytest.approx(0.9 * 0.6) and confidence(far, asked).named
    assert confidence(far, "想学机器学习，有中文的书吗").confidence == pytest.approx(0.9)


def test_when_the_learner_says_what_they_lack_a_close_concept_it_leads_to_is_what_they_lack_it_for():
    # "homework wants an LU decomposition, but we skipped Gaussian elimination": only the gap is named by the
    # catalog's words; the concept it comes before, about as close by meaning, is the goal
    linked = [("Gaussian elimination", 0.854), ("LU factorization", 0.802), ("computing the nullspace", 0.7)]
    hits = [hit("g", ["Gaussian elimination"], 0.8, "gaussian_elimination"),
            hit("l", ["LU factorization"], 0.78, "lu_factorization")]
    lacking = LearnerProfile(learner_id="a", topics={"Gaussian elimination": 1.0}, gaps=["row reduction"])
    focus = FocusFinder(GRAPH).find(lacking, hits, lambda t: 0.8, linked, dict(linked), "LU decomposition")
    assert "LU factorization" in [t.title for t in focus.targets]
    # asking for Gaussian elimination itself, with no gap said, leaves the later concept out
    asking = LearnerProfile(learner_id="a", topics={"Gaussian elimination": 1.0})
    focus = FocusFinder(GRAPH).find(asking, hits, lambda t: 0.8, linked, dict(linked), "Gaussian elimination")
    assert [t.title for t in focus.targets] == ["Gaussian elimination"]


def test_what_the_meaning_points_to_counts_more_when_every_named_topic_is_far_from_it():
    # "our shop's search is a SQL LIKE query; I want to understand how real search ranks documents": SQL is the story
    profile = LearnerProfile(learner_id="a", topics={"SQL": 1.0})
    hits = [hit("i", ["Information Retrieval"], 0.8), hit("s", ["SQL"], 0.7)]

    def retrieval(sql_closeness: float) -> float:
        linked = sorted([("Information Retrieval", 0.649), ("Search Engines", 0.632), ("SQL", sql_closeness)],
                        key=lambda kv: -kv[1])
        focus = FocusFinder(GRAPH).find(profile, hits, lambda t: 0.8, linked, dict(linked), "how real search works")
        return focus.topics["Information Retrieval"].confidence

    assert retrieval(0.50) > retrieval(0.64)
