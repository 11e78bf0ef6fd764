"""One settings object, nested per component: env vars reach each component; ranking weights are checked and merged."""

import subprocess
import sys

import pytest
from pydantic import ValidationError

from assistant.config import DEFAULT_WEIGHTS, Settings
from assistant.ranking.scorers import SCORER_NAMES


def test_the_default_weights_name_every_scorer_and_nothing_else():
    assert set(DEFAULT_WEIGHTS) == set(SCORER_NAMES)


def test_a_partial_weight_override_changes_only_the_names_it_gives(monkeypatch):
    monkeypatch.setenv("ASSISTANT_RANKING_WEIGHTS", '{"semantic": 1, "topic": 0.6}')
    weights = Settings().ranking.weights
    assert weights["semantic"] == 1 and weights["topic"] == 0.6
    assert {k: v for k, v in weights.items() if k not in ("semantic", "topic")} == {
        k: v for k, v in DEFAULT_WEIGHTS.items() if k not in ("semantic", "topic")}
    assert Settings().with_changes(ranking={"weights": {"llm": 0}}).ranking.weights == {**DEFAULT_WEIGHTS, "llm": 0}


def test_an_unknown_weight_name_is_refused_with_the_known_names():
    with pytest.raises(ValidationError, match="unknown scorer name.*semantc.*the scorers are semantic"):
        Settings(ranking={"weights": {"semantc": 1.0}})


def test_a_bad_setting_stops_the_command_with_one_line_naming_it(tmp_path):
    run = subprocess.run([sys.executable, "-m", "assistant.cli", "prompts", "check"], capture_output=True, text=True,
                         env={"ASSISTANT_RANKING_WEIGHTS": '{"semantc": 1}', "PATH": ""}, cwd=tmp_path)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert run.stderr.startswith("error: setting ranking.weights: unknown scorer name(s) semantc")


def test_component_env_vars_reach_their_component(monkeypatch, tmp_path):
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("ASSISTANT_LLM_BACKEND", "fake")
    monkeypatch.setenv("ASSISTANT_RANKING_TOP_K", "7")
    monkeypatch.setenv("ASSISTANT_SERVING_API_KEY", "k")
    settings = Settings()
    assert settings.index.dir == tmp_path / "index" and settings.llm.backend == "fake"
    assert settings.ranking.top_k == 7 and settings.serving.api_key == "k"
