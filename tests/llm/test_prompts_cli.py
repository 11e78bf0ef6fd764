"""`assistant prompts check|render` through the real CLI, and templates that reload when their file changes."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from assistant.config import PROJECT_ROOT
from assistant.llm.prompts import load_prompts
from assistant.tasks import REQUIRED_PROMPTS


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assistant.cli", "prompts", *args], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "HF_HUB_OFFLINE": "1"})


def _copy_of_shipped_prompts(tmp_path: Path) -> Path:
    folder = tmp_path / "prompts"
    shutil.copytree(PROJECT_ROOT / "prompts", folder)
    return folder


def test_check_names_the_file_and_the_typod_variable_then_passes_once_fixed(tmp_path):
    folder = _copy_of_shipped_prompts(tmp_path)
    reason = folder / "reason.yaml"
    good = reason.read_text(encoding="utf-8")
    reason.write_text(good.replace("{title}", "{titel}"), encoding="utf-8")

    broken = _cli("check", "--dir", str(folder))
    assert broken.returncode == 1
    assert f"{reason}: template uses undeclared variable(s) titel" in broken.stderr

    reason.write_text(good, encoding="utf-8")
    fixed = _cli("check", "--dir", str(folder))
    assert fixed.returncode == 0, fixed.stderr
    assert "valid" in fixed.stdout


def test_check_refuses_a_variable_the_code_does_not_pass(tmp_path):
    folder = _copy_of_shipped_prompts(tmp_path)
    profile = folder / "profile.yaml"
    profile.write_text(profile.read_text(encoding="utf-8").replace("[history, message]", "[history, message, mood]")
                       .replace("{message}", "{message} ({mood})"), encoding="utf-8")
    out = _cli("check", "--dir", str(folder))
    assert out.returncode == 1 and f"{profile}: variable(s) mood are not provided by the code" in out.stderr


def test_render_example_prints_the_filled_prompt_for_a_sample_learner():
    out = _cli("render", "reason", "--example")
    assert out.returncode == 0, out.stderr
    assert "--- system ---" in out.stdout and "--- user ---" in out.stdout
    assert "Resource: The Rust Programming Language" in out.stdout
    assert "- it is a book, the format you prefer" in out.stdout and "{" not in out.stdout

    chinese = _cli("render", "relevance", "--example", "--language", "zh", "--set", "resource=Title: X")
    assert chinese.returncode == 0 and "想学 Rust" in chinese.stdout and "Title: X" in chinese.stdout

    missing = _cli("render", "profile")
    assert missing.returncode == 1 and "missing history" in missing.stderr


def test_a_reloading_template_follows_its_file_and_keeps_the_last_good_version(tmp_path):
    folder = _copy_of_shipped_prompts(tmp_path)
    prompts = load_prompts(folder, REQUIRED_PROMPTS, reload=True)
    values = {"facts": "- it is a book", "title": "T", "language_name": "English"}
    reason = folder / "reason.yaml"
    good = reason.read_text(encoding="utf-8")
    assert "one short sentence" in prompts["reason"].render(**values)[0]["content"]

    reason.write_text(good.replace("one short sentence", "one warm sentence"), encoding="utf-8")
    os.utime(reason, ns=(0, reason.stat().st_mtime_ns + 1_000_000))  # a distinct mtime even on coarse clocks
    assert "one warm sentence" in prompts["reason"].render(**values)[0]["content"]

    reason.write_text(good.replace("{title}", "{titel}"), encoding="utf-8")
    os.utime(reason, ns=(0, reason.stat().st_mtime_ns + 2_000_000))
    assert "one warm sentence" in prompts["reason"].render(**values)[0]["content"]
