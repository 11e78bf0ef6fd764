"""The training data: deterministic, split by topic, rendered by the serving prompts, with targets that hold."""

from __future__ import annotations

import json
import re

import pytest

from assistant.catalog import load_catalog
from assistant.catalog.schema import Resource
from assistant.config import PROJECT_ROOT
from assistant.explain.check import Evidence
from assistant.explain.facts import render_all
from assistant.knowledge.topics import normalise
from assistant.llm.prompts import load_prompts
from assistant.locale import ENGLISH
from assistant.profile.schema import ProfileDelta
from assistant.reply import Fact
from assistant.tasks.render import dialogue_inputs
from assistant.training.examples import read_jsonl
from assistant.training.metrics import faithful
from assistant.training.relevance_data import Wants, fits


@pytest.fixture(scope="module")
def train(small_data):
    return read_jsonl(small_data / "train.jsonl")


@pytest.fixture(scope="module")
def heldout(small_data):
    return read_jsonl(small_data / "heldout.jsonl")


def test_the_same_seed_builds_byte_identical_data(small_data, rebuild, tmp_path):
    rebuild(tmp_path)
    for name in ("train.jsonl", "heldout.jsonl", "manifest.json"):
        assert (tmp_path / name).read_bytes() == (small_data / name).read_bytes()


def test_every_task_comes_in_english_and_chinese_in_both_splits(train, heldout):
    for examples in (train, heldout):
        assert {(e.task, e.language) for e in examples} == {
            (t, lang) for t in ("profile", "relevance", "reason") for lang in ("en", "zh")}


def test_held_out_topics_never_occur_in_train(small_data, train, heldout):
    held = set(json.loads((small_data / "manifest.json").read_text())["heldout_topics"])
    assert held
    assert not any(normalise(t) in held for e in train for t in e.topics)
    assert all(any(normalise(t) in held for t in e.topics) for e in heldout if e.task != "profile" or e.topics)


def test_profile_targets_are_valid_deltas_in_the_prompts_answer_format(train, heldout):
    for example in (e for e in train + heldout if e.task == "profile"):
        delta = ProfileDelta.model_validate_json(example.answer)
        assert example.answer == delta.to_json() and delta.language in ("en", "zh")


def test_messages_that_state_nothing_get_just_their_language(train):
    minimal = [e for e in train if e.task == "profile" and json.loads(e.answer).keys() == {"language"}]
    assert minimal


def test_prompts_are_rendered_exactly_as_serving_renders_them(train):
    prompt = load_prompts(PROJECT_ROOT / "prompts")["profile"]
    for example in (e for e in train if e.task == "profile"):
        assert example.messages == prompt.render(**dialogue_inputs(example.meta["history"], example.meta["message"]))


def test_every_reason_target_passes_the_faithfulness_check(train, heldout):
    reasons = [e for e in train + heldout if e.task == "reason"]
    assert reasons
    for example in reasons:
        assert faithful(example.answer, example.meta), example.answer


def test_chinese_learners_get_chinese_reasons(train):
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in e.answer) for e in train if e.task == "reason" and e.language == "zh")


def test_relevance_negatives_miss_exactly_the_dimension_they_are_labelled_with(train, heldout):
    resources = {r.id: r for r in load_catalog(PROJECT_ROOT / "vectorstore" / "sources").resources}
    examples = [e for e in train + heldout if e.task == "relevance"]
    assert {e.meta["differs"] for e in examples if e.answer == "no"} >= {"topic", "language"}
    for example in examples:
        wants = Wants(**{k: tuple(v) if isinstance(v, list) else v for k, v in example.meta["wants"].items()})
        verdict = fits(wants, resources[example.meta["resource_id"]])
        if example.answer == "yes":
            assert all(verdict.values())
        else:
            assert [d for d, ok in verdict.items() if not ok] == [example.meta["differs"]]


def test_the_checker_accepts_every_word_the_reason_targets_join_facts_with():
    record = Resource(id="x", title="X", url="https://x.example", resource_type="book", modality="text")
    for kind, ways in ENGLISH.reason_predicates.items():
        # A wording may lean on its own fact's words ("learners who found X helpful"), never on another fact's.
        facts = render_all([Fact(kind=kind, values={"liked": "X"})], "en") if kind == "collaborative" else []
        for text in ENGLISH.reason_subjects + ways:
            assert Evidence(facts, record, "en").ungrounded_words(re.sub(r"\{\w+\}", "", text)) == [], text
