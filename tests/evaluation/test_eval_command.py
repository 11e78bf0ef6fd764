"""`assistant eval`: side-by-side rankers and report.json with the promised keys through the CLI (real index, fake LLM:
the command's wiring is the point), and reasons measured for every shown item on the real engine."""

import json
import subprocess
import sys

from assistant.catalog.filters import Equals, Has
from assistant.evaluation.cases import EvalCase
from assistant.evaluation.runner import evaluate, summarise


def _rust_books(store) -> list[str]:
    return [h.resource.id for h in store.search("Rust programming language book", Has("topics", "Rust"), 10)]


def _cases(store) -> list[dict]:
    return [
        {"id": "rust-book", "kind": "format", "turns": ["Hi!", "I'm new to Rust and I'd like a book, please."],
         "relevant": _rust_books(store), "expected_profile": {"formats": ["book"], "level": "beginner"}},
        {"id": "git-zh", "kind": "language", "turns": ["我想学习 Git 版本控制，推荐中文的资料。"],
         "relevant": [h.resource.id for h in store.search("Git 版本控制", Equals("language", "zh"), 10)],
         "expected_profile": {"language": "zh"}},
    ]


def test_eval_writes_a_report_per_ranker_with_metrics_kinds_cases_and_a_chart(cli_env, store, tmp_path):
    dialogues = tmp_path / "cases.jsonl"
    dialogues.write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in _cases(store)) + "\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "assistant.cli", "eval", "--dialogues", str(dialogues), "--k", "5",
                          "--ranker", "hybrid", "--ranker", "dense", "--no-reasons", "--out", str(tmp_path / "r")],
                         env={**cli_env, "ASSISTANT_LLM_BACKEND": "fake"}, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    assert (tmp_path / "r" / "report.png").stat().st_size > 0
    runs = json.loads((tmp_path / "r" / "report.json").read_text())["runs"]
    assert set(runs) == {"hybrid", "dense"}
    hybrid = json.loads((tmp_path / "r" / "hybrid" / "report.json").read_text())
    for key in ("ndcg@5", "recall@5", "precision@5", "mrr", "ild@5", "coverage", "slot_accuracy.formats"):
        assert key in hybrid["metrics"], key
    assert set(hybrid["by_kind"]) == {"format", "language"}
    case = next(c for c in hybrid["cases"] if c["id"] == "rust-book")
    assert len(case["recommended"]) == 5 and {"level", "formats", "language", "time_budget_minutes"} <= set(case["profile"])
    assert hybrid["metrics"]["ndcg@5"] > 0.5 and hybrid["metrics"]["slot_accuracy.language"] == 1.0


def test_reasons_are_measured_for_every_shown_item(engine, store):
    results = evaluate(engine, [EvalCase.model_validate(c) for c in _cases(store)[:1]], 5, progress=False)
    metrics = summarise(results, 100)
    assert len(results[0].reasons) == 5
    assert metrics["faithful_rate"] == 1.0  # a reason that fails the checker is never shown
    assert 0.0 <= metrics["model_written_rate"] <= 1.0 and metrics["reasons_with_learner_fact"] == 1.0
