"""A learning platform's backend drives a whole learner session from its own process, with and without an API key."""

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from ports import free_port

from assistant.app import launch

SCRIPT = Path(__file__).with_name("lms_session.py")


def _run_session(engine, learner: str, key: str | None) -> dict:
    served = copy.copy(engine)  # shares the loaded index and model; only the settings differ
    served.settings = engine.settings.with_changes(serving={"api_key": key})
    app = launch(served, block=False, port=free_port())
    try:
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
        out = subprocess.run([sys.executable, str(SCRIPT), app.local_url, learner, *([key] if key else [])],
                             env=env, capture_output=True, text=True, timeout=600)
    finally:
        app.close()
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("key", [None, "lms-secret-key"], ids=["no-key", "with-key"])
def test_an_lms_runs_a_whole_learner_session(engine, key):
    learner = f"lms-session-{'keyed' if key else 'open'}"
    seen = _run_session(engine, learner, key)

    if key:
        assert "API key" in seen["without_key"]
    assert seen["chat_updates"] >= 2 and not seen["first_update_has_reasons"]  # cards first, reasons after
    assert len(seen["final_reasons"]) >= 3 and all(text.strip() for text in seen["final_reasons"])
    assert seen["chosen"] in seen["liked_after_feedback"]
    assert seen["profile"]["learner_id"] == learner and seen["profile"]["formats"].get("book", 0) > 0
    assert seen["edited"]["level"] == "intermediate" and seen["edited"]["time_budget_minutes"] == 45
    assert seen["edited"]["formats"] == seen["profile"]["formats"]  # fields not sent stay as they were
    assert "Unknown profile key(s) levle" in seen["bad_edit"]
    assert seen["export"] == {"turns": 2, "feedback": ["helpful"], "level": "intermediate"}
    assert seen["forget"]["learner_id"] == learner and seen["forget"]["deleted_records"] >= 4
    assert "No learner" in seen["profile_after_forget"]
