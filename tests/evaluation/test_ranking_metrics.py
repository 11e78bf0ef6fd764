"""Ranking metrics on hand-computed lists; a resource counts as relevant through its id or any of its aliases."""

import math

import numpy as np
import pytest

from assistant.evaluation.cases import CaseFileError, load_cases
from assistant.evaluation.metrics import (hit_at_k, intra_list_diversity, ndcg_at_k, precision_at_k, recall_at_k,
                                          reciprocal_rank, slot_matches)

LIST = [{"a"}, {"b", "b-alias"}, {"c"}, {"d"}]


def test_ndcg_rewards_relevant_items_near_the_top():
    assert ndcg_at_k(LIST, {"a"}, 3) == 1.0
    assert ndcg_at_k(LIST, {"c"}, 3) == pytest.approx(1 / math.log2(4))
    assert ndcg_at_k(LIST, {"z"}, 3) == 0.0 and ndcg_at_k(LIST, set(), 3) == 0.0


def test_an_alias_counts_as_the_resource_itself():
    assert recall_at_k(LIST, {"b-alias"}, 2) == 1.0
    assert reciprocal_rank(LIST, {"b-alias"}) == 0.5


def test_recall_precision_and_hit_look_only_at_the_top_k():
    assert recall_at_k(LIST, {"a", "d"}, 2) == 0.5
    assert recall_at_k(LIST, {"a", "b", "c", "d", "e"}, 2) == 1.0  # capped at k relevant
    assert precision_at_k(LIST, {"a", "d"}, 4) == 0.5
    assert hit_at_k(LIST, {"d"}, 3) == 0.0 and hit_at_k(LIST, {"d"}, 4) == 1.0


def test_diversity_is_zero_for_copies_and_one_for_orthogonal_items():
    assert intra_list_diversity(np.array([[1.0, 0.0], [1.0, 0.0]])) == pytest.approx(0.0)
    assert intra_list_diversity(np.array([[1.0, 0.0], [0.0, 1.0]])) == pytest.approx(1.0)


def test_profile_slots_compare_formats_as_sets():
    got = {"formats": ["video", "book"], "level": "beginner", "language": "en"}
    assert slot_matches({"formats": ["book", "video"], "level": "advanced"}, got) == {"formats": True, "level": False}


def test_a_malformed_case_file_names_the_line(tmp_path):
    bad = tmp_path / "cases.jsonl"
    bad.write_text('{"id": "a", "turns": ["hi"]}\n{"id": "b", "turns": []}\n', encoding="utf-8")
    with pytest.raises(CaseFileError, match=r"cases.jsonl:2"):
        load_cases(bad)
