"""Shared fixtures: a real (small) index of the shipped catalog, the real LLM, the real engine."""

from __future__ import annotations

import json
import os
import random
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from assistant.config import PROJECT_ROOT, Settings  # noqa: E402

SHIPPED = PROJECT_ROOT / "vectorstore" / "sources"


def _subset_sources(target: Path) -> Path:
    """A few hundred real catalog rows: every Rust/Git/Chinese-Python item, every Kubernetes one (a topic nothing in
    Chinese covers), plus a seeded random sample."""
    fpb_rows = (SHIPPED / "free-programming-books" / "fpb_catalog.jsonl").read_text(encoding="utf-8").splitlines()
    rng = random.Random(7)
    keep = [r for r in fpb_rows if any(k in r for k in ('"Rust"', '"Git"', '"版本控制"', '"Python"]', '"Kubernetes"'))]
    keep += rng.sample([r for r in fpb_rows if r not in keep], 250)
    (target / "free-programming-books").mkdir(parents=True)
    (target / "free-programming-books" / "fpb_catalog.jsonl").write_text("\n".join(keep) + "\n", encoding="utf-8")
    shutil.copytree(SHIPPED / "metacademy", target / "metacademy")
    mc_path = target / "metacademy" / "metacademy_concept_resources.jsonl"
    mc_rows = [json.loads(line) for line in mc_path.read_text(encoding="utf-8").splitlines()]
    wanted = {"k_means", "linear_regression", "bayes_rule", "bayesian_networks", "decision_trees", "random_forests"}
    mc_keep = [r for r in mc_rows if r["concept_tag"] in wanted] + rng.sample(mc_rows, 40)
    mc_path.write_text("\n".join(json.dumps(r) for r in mc_keep) + "\n", encoding="utf-8")
    return target


@pytest.fixture(scope="session")
def settings(tmp_path_factory) -> Settings:
    root = tmp_path_factory.mktemp("assistant")
    return Settings(
        sources_dir=_subset_sources(root / "sources"),
        index_dir=root / "index",
        data_dir=root / "data",
        cache_dir=PROJECT_ROOT / ".cache",  # the converted LLM is shared with `make run`: converted once per machine
    )


@pytest.fixture(scope="session")
def store(settings):
    from assistant.indexing import ensure_index
    from assistant.vectorstore import VectorStore

    store = VectorStore(settings)
    ensure_index(settings, progress=False, store=store)
    return store


@pytest.fixture(scope="session")
def cli_env(settings, store) -> dict[str, str]:
    """Environment for an `assistant` subprocess that uses the test index and data folders."""
    return {**os.environ, "ASSISTANT_SOURCES_DIR": str(settings.sources_dir),
            "ASSISTANT_INDEX_DIR": str(settings.index_dir), "ASSISTANT_DATA_DIR": str(settings.data_dir),
            "ASSISTANT_CACHE_DIR": str(settings.cache_dir)}


@pytest.fixture(scope="session")
def llm(settings):
    from assistant.llm.model import LocalLLM

    return LocalLLM.from_settings(settings)


@pytest.fixture(scope="session")
def engine(settings, store, llm):
    from assistant.catalog import load_catalog
    from assistant.engine import Engine
    from assistant.knowledge.graph import PrerequisiteGraph
    from assistant.profile.store import ProfileStore

    catalog = load_catalog(settings.sources_dir)
    return Engine(settings, store, llm, ProfileStore(settings.data_dir / "learners.sqlite3"), catalog.resources,
                  PrerequisiteGraph.from_metacademy(settings.sources_dir / "metacademy"))
