"""`assistant ask` through the real CLI process, on the test index."""

import json
import subprocess
import sys

import pytest


def test_ask_json_prints_structured_reply(cli_env):
    out = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "ask", "I'm new to programming and want to learn Rust. Books please.",
         "--json", "--learner", "cli-test"],
        env=cli_env, capture_output=True, text=True, timeout=600, check=True,
    )
    assert "+ LoRA adapter" in out.stderr  # the shipped adapter is merged by default
    reply = json.loads(out.stdout)
    recs = reply["recommendations"]
    assert len(recs) >= 3
    assert all(r["resource"]["id"].startswith("fpb-") and "Rust" in r["resource"]["topics"] for r in recs[:3])
    assert all(r["reason"]["text"] for r in recs)


def test_ask_refuses_an_empty_message(cli_env):
    out = subprocess.run([sys.executable, "-m", "assistant.cli", "ask", "  "], env=cli_env, capture_output=True, text=True,
                         timeout=600)
    assert out.returncode == 2 and "empty" in out.stderr


@pytest.mark.slow  # tests/llm/hf/test_adapter.py checks the same fallback in-process, in `make test`
def test_a_corrupt_adapter_is_reported_and_the_base_model_answers(cli_env, tmp_path):
    (tmp_path / "adapter_config.json").write_text("{not json", encoding="utf-8")
    env = {**cli_env, "ASSISTANT_LLM_ADAPTER": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "assistant.cli", "ask", "Git books please", "--json"], env=env,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    assert f"warning: LoRA adapter not used, serving the base model: {tmp_path}" in out.stderr
    assert json.loads(out.stdout)["recommendations"]
