"""The evaluation's measures on hand-made cases."""

from assistant.profile.schema import LearnerProfile, ProfileDelta
from assistant.training.metrics import auc, dev_profile_accuracy, parse_delta, slot_accuracy


def test_only_a_whole_valid_json_delta_counts_as_valid():
    assert parse_delta('{"formats":["book"],"language":"en"}') == ProfileDelta(formats=["book"], language="en")
    assert parse_delta('Sure! {"language":"en"}') is None
    assert parse_delta('{"level":"guru"}') is None


def test_slot_accuracy_ignores_slots_neither_side_states():
    target = ProfileDelta(level="beginner", language="en")
    scores = slot_accuracy([(ProfileDelta(level="beginner", language="zh"), target), (None, target)])
    assert scores["level"] == 0.5 and scores["language"] == 0.0 and "device" not in scores
    assert scores["all"] == 0.25


def test_auc_is_the_chance_a_positive_outranks_a_negative():
    assert auc([0.9, 0.8, 0.1, 0.2], [True, True, False, False]) == 1.0
    assert auc([0.5, 0.5], [True, False]) == 0.5
    assert auc([0.1, 0.9, 0.4], [True, False, False]) == 0.0


def test_dev_accuracy_compares_only_the_slots_a_dialogue_states():
    profile = LearnerProfile(learner_id="x").merge(ProfileDelta(formats=["book"], avoid_formats=["video"], language="en"))
    scores = dev_profile_accuracy([profile], [{"formats": ["book"], "language": "zh"}])
    assert scores == {"formats": 1.0, "language": 0.0, "all": 0.5}
