"""Each scorer on small fixtures: the value it gives and the facts it names."""

import numpy as np

from assistant.catalog.schema import Resource
from assistant.knowledge.graph import Concept, PrerequisiteNeed
from assistant.profile.schema import LearnerProfile
from assistant.ranking.collaborative import Interaction, ItemItemModel
from assistant.ranking.scorers import (
    AffinityScorer, CollaborativeScorer, ContextScorer, LanguageScorer, LevelScorer, LLMRelevanceScorer,
    NoveltyScorer, PopularityScorer, PrerequisiteScorer, PriceScorer, SemanticScorer, TopicScorer,
)
from assistant.ranking.types import Candidate, Feedback, Focus, RankingInput, TopicEvidence
from assistant.reply import TurnContext


def res(rid: str = "r1", **fields) -> Resource:
    return Resource(id=rid, title=fields.pop("title", f"Resource {rid}"), url=f"https://x.example/{rid}", **fields)


def cand(resource: Resource, similarity: float = 0.5, vector=(1.0, 0.0)) -> Candidate:
    v = np.asarray(vector, dtype=np.float32)
    return Candidate(resource, similarity, v / np.linalg.norm(v))


def given(**profile_fields) -> RankingInput:
    return RankingInput(LearnerProfile(learner_id="t", **profile_fields))


def test_topic_combines_the_request_topics_and_counts_known_ones_against():
    focus = Focus(topics={"SQL": TopicEvidence(0.6, False), "Databases": TopicEvidence(0.9, True)})
    both = TopicScorer()(cand(res(topics=["Databases", "SQL"])), RankingInput(LearnerProfile(learner_id="t"), focus=focus))
    one = TopicScorer()(cand(res(topics=["Databases"])), RankingInput(LearnerProfile(learner_id="t"), focus=focus))
    assert both.value > one.value == 0.9 and both.facts[0].values == {"topic": "Databases", "how": "asked"}
    known = TopicScorer()(cand(res(topics=["Ruby"])), given(known_topics=["Ruby"]))
    assert known.value < 0 and not known.facts[0].supports


def test_language_level_and_price_follow_the_profile():
    assert LanguageScorer()(cand(res(language="zh")), given(language="zh")).value == 1.0
    assert LanguageScorer()(cand(res(language="en")), given(language="zh")).value == -1.0
    assert LanguageScorer()(cand(res()), given()).value == 0.0
    relaxed = RankingInput(LearnerProfile(learner_id="t", language="zh"), relaxed=frozenset({"language"}))
    assert LanguageScorer()(cand(res(language="en")), relaxed).value == 0.0  # let in on purpose: not held against it
    assert LanguageScorer()(cand(res(language="zh")), relaxed).value == 1.0  # the learner's own still comes first
    assert LevelScorer()(cand(res(level="beginner")), given(level="beginner")).value == 1.0
    assert LevelScorer()(cand(res(level="advanced")), given(level="beginner")).value == -1.0
    assert LevelScorer()(cand(res(level="unknown")), given(level="beginner")).value == 0.0  # unknown is not a guess
    assert PriceScorer()(cand(res(free=True)), given(free_only=True)).value == 1.0
    assert PriceScorer()(cand(res(free=False)), given(free_only=True)).value == -1.0


def test_context_fits_length_to_the_time_budget_and_media_to_a_phone():
    short = cand(res(duration_minutes=12, modality="video"))
    on_phone = RankingInput(LearnerProfile(learner_id="t", time_budget_minutes=15), TurnContext(device="phone"))
    signal = ContextScorer()(short, on_phone)
    assert signal.value == 1.0 and {f.kind for f in signal.facts} == {"length", "device"}
    long = ContextScorer()(cand(res(duration_minutes=300)), given(time_budget_minutes=15))
    assert long.value < 0 and not long.facts[0].supports
    assert ContextScorer()(cand(res()), given(time_budget_minutes=15)).value == 0.0  # unknown length: no opinion


def test_prerequisite_scores_missing_concepts_above_the_target():
    need = PrerequisiteNeed(Concept("bayes_rule", "Bayes' rule"), Concept("bn", "Bayesian networks"), "reason")
    focus = Focus(targets=[Concept("bn", "Bayesian networks")], needs=[need])
    inp = RankingInput(LearnerProfile(learner_id="t"), focus=focus)
    gap = PrerequisiteScorer()(cand(res(concept="bayes_rule")), inp)
    target = PrerequisiteScorer()(cand(res(concept="bn")), inp)
    assert gap.value > target.value > 0 and gap.facts[0].values["target"] == "Bayesian networks"


def test_novelty_popularity_and_llm_relevance():
    assert NoveltyScorer()(cand(res("seen")), given(seen=["seen"])).value == -1.0
    assert NoveltyScorer()(cand(res("new")), given(seen=["seen"])).value == 0.0
    crowd = RankingInput(LearnerProfile(learner_id="t"), feedback=Feedback(popularity={"r1": 0.8}))
    assert PopularityScorer()(cand(res("r1")), crowd).value == 0.8
    judged = RankingInput(LearnerProfile(learner_id="t"), relevance={"r1": 0.9})
    assert abs(LLMRelevanceScorer()(cand(res("r1")), judged).value - 0.8) < 1e-9
    assert LLMRelevanceScorer()(cand(res("r2")), judged).value == 0.0


def test_collaborative_names_the_liked_item_behind_it():
    model = ItemItemModel.fit([Interaction(u, i) for u in "abc" for i in ("x", "y")] + [Interaction("d", "z")])
    feedback = Feedback(history={"x": 1.0}, collaborative=model, titles={"x": "Item X"})
    signal = CollaborativeScorer()(cand(res("y")), RankingInput(LearnerProfile(learner_id="t"), feedback=feedback))
    assert signal.value > 0 and signal.facts[0].values == {"liked": "Item X"}
    assert CollaborativeScorer()(cand(res("z")), RankingInput(LearnerProfile(learner_id="t"), feedback=feedback)).value == 0


def test_collaborative_scores_computed_once_per_request_equal_the_per_item_ones():
    model = ItemItemModel.fit([Interaction(u, i) for u in "abc" for i in ("x", "y")] + [Interaction("c", "z")])
    alone = Feedback(history={"x": 1.0}, collaborative=model, titles={"x": "Item X"})
    batched = alone.for_items(["y", "z", "unknown"])
    assert set(batched.collaborative_scores) == {"y", "z", "unknown"}
    for rid in ("y", "z", "unknown", "x"):
        item = cand(res(rid))
        profile = LearnerProfile(learner_id="t")
        assert (CollaborativeScorer()(item, RankingInput(profile, feedback=batched))
                == CollaborativeScorer()(item, RankingInput(profile, feedback=alone)))


def test_affinity_rewards_closeness_to_what_the_learner_found_helpful():
    liked = res("liked", title="Liked book")
    feedback = Feedback(liked=[(liked, np.asarray([1.0, 0.0], dtype=np.float32))])
    inp = RankingInput(LearnerProfile(learner_id="t"), feedback=feedback)
    near = AffinityScorer()(cand(res("near"), vector=(1.0, 0.1)), inp)
    far = AffinityScorer()(cand(res("far"), vector=(0.0, 1.0)), inp)
    assert near.value > 0 and near.facts[0].values == {"liked": "Liked book"} and far.value == 0.0


def test_semantic_quotes_the_learners_own_words_when_the_resource_has_them():
    inp = RankingInput(LearnerProfile(learner_id="t"), request="Teach me shell scripting please")
    signal = SemanticScorer()(cand(res(title="Shell Scripting Tutorial"), similarity=0.7), inp)
    assert signal.value == 0.7 and signal.facts[0].values == {"phrase": "shell scripting"}


def test_late_at_night_a_short_session_is_assumed_when_none_was_stated():
    late = RankingInput(LearnerProfile(learner_id="t"), TurnContext(local_time="23:10"))
    assert ContextScorer()(cand(res(duration_minutes=20)), late).value == 1.0
    day = RankingInput(LearnerProfile(learner_id="t"), TurnContext(local_time="14:00"))
    assert ContextScorer()(cand(res(duration_minutes=20)), day).value == 0.0


def test_the_content_fact_quotes_a_phrase_of_the_learner_found_in_the_resource():
    from assistant.ranking.scorers.semantic import shared_phrase

    text = "A curious tour of quantum circuits and error correction."
    assert shared_phrase("I'm curious about quantum circuits", text, "Quantum Computing") == "quantum circuits"
    assert shared_phrase("I'm curious about it", text, "Quantum Computing") is None  # one plain word, description only
    assert shared_phrase("something on Kubernetes", "", "Kubernetes in Action") == "Kubernetes"
    assert shared_phrase("PHP PHP please", "PHP PHP manual", "PHP") is None  # too short alone, no repeated word pairs


def test_an_inferred_topic_is_not_called_what_the_learner_described_when_what_they_named_was_set_aside():
    focus = Focus(topics={"OS": TopicEvidence(0.9, False)})  # the learner's own topic had nothing near the request
    learner = LearnerProfile(learner_id="t", topics={"Algorithms & Data Structures": 1.0})
    signal = TopicScorer()(cand(res(topics=["OS"])), RankingInput(learner, focus=focus))
    assert signal.value == 0.9 and signal.facts == ()
    unnamed = TopicScorer()(cand(res(topics=["OS"])), RankingInput(LearnerProfile(learner_id="t"), focus=focus))
    assert unnamed.facts[0].values == {"topic": "OS", "how": "inferred"}
