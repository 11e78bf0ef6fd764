"""Imports run one way (UI -> engine -> turn services -> explain/ranking -> tasks -> components), and only the LLM's
own backend folder touches torch and transformers for the LLM."""

import ast
from pathlib import Path

from assistant.config import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "assistant"
# Higher layers may import lower ones, never the other way round. Components (0) are the building blocks.
LAYERS = {
    "config": 0, "errors": 0, "locale": 0, "validation": 0, "admission": 0, "catalog": 0, "profile": 0, "knowledge": 0, "llm": 0,
    "vectorstore": 0, "reply": 0, "indexing": 0, "lms": 0, "fair_use": 0,
    "tasks": 1,
    "ranking": 2,
    "explain": 3,
    "follow_ups": 4, "learner_data": 4, "analytics": 4,
    "turn": 5,
    "engine": 6,
    "app": 7, "cli": 7, "prompts_cli": 7, "evaluation": 7, "training": 7,
}
# Within the components, the LLM stands on its own: it knows prompts and messages, not learners or resources.
LLM_MAY_IMPORT = {"config", "errors", "llm"}
ML_LIBRARIES = {"torch", "transformers", "peft", "safetensors"}
MAY_IMPORT_ML = ("llm/hf/", "vectorstore.py")  # the in-process LLM backend, and the embedding model


def modules() -> list[tuple[str, Path]]:
    return [(str(p.relative_to(PACKAGE)), p) for p in sorted(PACKAGE.rglob("*.py")) if "evaluation/data" not in str(p)]


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def top(relative: str) -> str:
    return relative.split("/")[0].removesuffix(".py")


def test_every_part_of_the_package_has_a_layer():
    assert {top(r) for r, _ in modules()} - {"__init__"} <= set(LAYERS)


def test_no_import_runs_from_a_lower_layer_to_a_higher_one():
    upward = []
    for relative, path in modules():
        here = top(relative)
        if here == "__init__":
            continue
        for name in imported(path):
            parts = name.split(".")
            if parts[0] != "assistant" or len(parts) < 2:
                continue
            there = parts[1]
            if LAYERS[there] > LAYERS[here] or (here == "llm" and there not in LLM_MAY_IMPORT):
                upward.append(f"{relative} imports {name}")
    assert upward == []


def test_only_the_llm_backend_folder_imports_torch_or_transformers():
    outside = [f"{relative} imports {name}" for relative, path in modules() for name in imported(path)
               if name.split(".")[0] in ML_LIBRARIES and not relative.startswith(MAY_IMPORT_ML)]
    assert outside == []
