"""The item-item model: learners who used X also used Y; on real logs it finds the next page better than popularity."""

from __future__ import annotations

import random

import pytest

from assistant.ranking.collaborative import Interaction, ItemItemModel
from bench.oulad_collaborative import (
    DATA_DIR, Variant, binary, by_popularity, fit, leave_last_out, load_visits, metrics, ranks,
)


def used(pairs: dict[str, str]) -> list[Interaction]:
    """Interactions from {user: "item item ..."}."""
    return [Interaction(user, item) for user, items in pairs.items() for item in items.split()]


@pytest.fixture
def model() -> ItemItemModel:
    # rust-book and rustlings go together; git-pro goes with rust-book for one learner; sql-zoo stands apart
    return ItemItemModel.fit(used({
        "ana": "rust-book rustlings",
        "ben": "rust-book rustlings",
        "cai": "rust-book rustlings git-pro",
        "dee": "git-pro",
        "eve": "sql-zoo",
    }))


def test_items_used_together_score_above_unrelated_ones(model):
    scores = model.scores({"rust-book": 1.0}, ["rustlings", "git-pro", "sql-zoo"])
    assert scores["rustlings"] > scores["git-pro"] > scores["sql-zoo"] == 0.0


def test_scores_are_within_zero_and_one_and_unknown_items_get_zero(model):
    scores = model.scores({"rust-book": 1.0, "git-pro": 1.0}, ["rustlings", "git-pro", "never-seen"])
    assert all(0.0 <= value <= 1.0 for value in scores.values())
    assert scores["never-seen"] == 0.0


def test_only_positively_rated_items_count_as_history(model):
    assert model.scores({"rust-book": -1.0, "git-pro": 0.0}, ["rustlings"]) == {"rustlings": 0.0}
    assert model.evidence({"rust-book": -1.0}, "rustlings") is None


def test_evidence_names_the_strongest_supporting_item(model):
    item, strength = model.evidence({"git-pro": 1.0, "rust-book": 1.0}, "rustlings")
    assert item == "rust-book"
    assert 0.0 < strength <= 1.0


def test_an_item_is_never_the_evidence_for_itself(model):
    assert model.evidence({"rust-book": 1.0, "rustlings": 1.0}, "rust-book")[0] == "rustlings"
    assert model.evidence({"rust-book": 1.0}, "rust-book") is None


def test_no_evidence_for_unrelated_or_unknown_items(model):
    assert model.evidence({"rust-book": 1.0}, "sql-zoo") is None
    assert model.evidence({"rust-book": 1.0}, "never-seen") is None


def test_a_new_deployment_without_events_scores_everything_zero():
    model = ItemItemModel.fit([])
    assert model.empty
    assert model.scores({"rust-book": 1.0}, ["rustlings"]) == {"rustlings": 0.0}
    assert model.evidence({"rust-book": 1.0}, "rustlings") is None
    assert model.popularity() == {}


def test_popularity_is_the_share_of_distinct_learners(model):
    repeated = ItemItemModel.fit(used({"ana": "rust-book rust-book", "ben": "rust-book git-pro"}))
    assert repeated.popularity() == {"rust-book": 1.0, "git-pro": 0.5}
    assert model.popularity()["rust-book"] == pytest.approx(3 / 5)


def test_negative_events_are_refused_at_fit_time():
    with pytest.raises(ValueError, match="positive"):
        ItemItemModel.fit([Interaction("ana", "rust-book", weight=-1.0)])


@pytest.mark.skipif(not (DATA_DIR / "vle.csv").exists(), reason=f"OULAD data not found in {DATA_DIR} (set OULAD_DIR)")
def test_on_real_oulad_logs_it_predicts_the_next_page_better_than_popularity():
    visits, catalog = load_visits(DATA_DIR, {"BBB-2013B"})
    learners = set(random.Random(0).sample(sorted(catalog), 400))
    split = leave_last_out([v for v in visits if v.learner in learners], catalog, seed=0)
    model = fit(split, Variant("default"))
    collaborative = metrics(ranks(split, model.scores, binary, seed=0))
    popular = metrics(ranks(split, by_popularity(model), binary, seed=0))
    assert collaborative["recall@10"] > popular["recall@10"] + 0.05
    assert collaborative["ndcg@10"] > popular["ndcg@10"]
