"""`LearnerProfile.merge` on arbitrary deltas: it invents nothing, the later statement wins, an empty delta is a no-op.

Profiles are the ones the assistant can hold: an empty profile with any sequence of deltas merged into it.
"""

from functools import reduce

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.profile.schema import FORMATS, LEVEL_ORDER, LearnerProfile, ProfileDelta

PROPERTY = settings(max_examples=150, deadline=None)

# A small vocabulary with case and spacing variants, so statements collide the way real ones do.
phrases = st.lists(st.sampled_from(["Rust", "rust", "  Rust ", "Go", "SQL", "sql", "machine learning", "Git"]),
                   max_size=4)
SCALARS = {
    "level": st.sampled_from(LEVEL_ORDER),
    "time_budget_minutes": st.integers(1, 24 * 60),
    "device": st.sampled_from(["phone", "tablet", "desktop"]),
    "language": st.sampled_from(["en", "zh", "de"]),
    "free_only": st.booleans(),
}
deltas = st.builds(
    ProfileDelta,
    topics=phrases, drop_topics=phrases, known=phrases, gaps=phrases, goals=phrases,
    formats=st.lists(st.sampled_from(FORMATS), max_size=3, unique=True),
    avoid_formats=st.lists(st.sampled_from(FORMATS), max_size=2, unique=True), narrows=st.booleans(),
    **{name: st.none() | values for name, values in SCALARS.items()},
)
profiles = st.lists(deltas, max_size=5).map(
    lambda history: reduce(LearnerProfile.merge, history, LearnerProfile(learner_id="learner")))

# The profile fields each delta slot may change; every other field must come through a merge untouched.
TOUCHES = {
    "topics": {"topics", "dropped_topics"}, "drop_topics": {"topics", "dropped_topics"}, "known": {"known_topics", "topics", "gaps"}, "gaps": {"gaps"},
    "goals": {"goals"}, "level": {"level"}, "formats": {"formats"}, "avoid_formats": {"formats"},
    "time_budget_minutes": {"time_budget_minutes"}, "device": {"device"}, "language": {"language"},
    "free_only": {"free_only"}, "narrows": {"topics"},  # narrowing changes how fast older topics fade
}


def stated(delta: ProfileDelta) -> set[str]:
    return {name for name, value in delta if value not in (None, [])}


def lowered(values) -> set[str]:
    return {" ".join(v.split()).lower() for v in values}


@PROPERTY
@given(profiles, deltas)
def test_merge_changes_only_the_slots_the_delta_states(profile, delta):
    merged = profile.merge(delta)
    touched = {field for slot in stated(delta) for field in TOUCHES[slot]} | {"updated_at"}
    for field in LearnerProfile.model_fields.keys() - touched:
        assert getattr(merged, field) == getattr(profile, field), field


@PROPERTY
@given(profiles, deltas)
def test_merge_never_invents_a_value_neither_side_holds(profile, delta):
    merged = profile.merge(delta)
    assert set(merged.topics) <= set(profile.topics) | set(delta.topics)
    assert lowered(merged.known_topics) <= lowered(profile.known_topics) | lowered(delta.known)
    assert lowered(merged.gaps) <= lowered(profile.gaps) | lowered(delta.gaps)
    assert lowered(merged.goals) <= lowered(profile.goals) | lowered(delta.goals)
    assert set(merged.formats) <= set(profile.formats) | set(delta.formats) | set(delta.avoid_formats)


@PROPERTY
@given(profiles, deltas, deltas)
def test_a_later_stated_value_wins(profile, earlier, later):
    merged = profile.merge(earlier).merge(later)
    for slot in stated(later) & SCALARS.keys():
        assert getattr(merged, slot) == getattr(later, slot), slot
    for fmt in later.avoid_formats:
        assert merged.formats[fmt] == -1.0
    for fmt in set(later.formats) - set(later.avoid_formats):
        assert merged.formats[fmt] == 1.0
    taken_back = lowered(later.known) | lowered(later.drop_topics)
    assert all(merged.topics[t] == 1.0 for t in later.topics if t.lower() not in taken_back)
    assert not taken_back & lowered(merged.topics)
    named_again = lowered(later.topics)
    assert lowered(later.drop_topics) - named_again <= lowered(merged.dropped_topics)
    assert not named_again & lowered(merged.dropped_topics)
    assert not (lowered(later.known) - lowered(later.gaps)) & lowered(merged.gaps)


@PROPERTY
@given(profiles)
def test_merging_an_empty_delta_changes_nothing_but_updated_at(profile):
    merged = profile.merge(ProfileDelta())
    assert merged.updated_at >= profile.updated_at
    assert merged.model_dump(exclude={"updated_at"}) == profile.model_dump(exclude={"updated_at"})


def test_older_topics_fade_as_new_ones_come_and_leave_at_once_when_the_request_is_narrowed():
    profile = LearnerProfile(learner_id="a").merge(ProfileDelta(topics=["Lisp"]))
    assert profile.merge(ProfileDelta(topics=["Emacs"])).current_topics() == ["Emacs", "Lisp"]
    assert profile.merge(ProfileDelta(topics=["Emacs"], narrows=True)).current_topics() == ["Emacs"]
