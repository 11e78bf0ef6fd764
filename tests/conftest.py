"""Shared fixtures: a real (small) index of the shipped catalog; the real LLM and engine for the end-to-end checks,
and an engine on the fake LLM (same index, catalog and graph) where the model's own output is not the point."""

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
        index={"dir": root / "index"},
        store={"dir": root / "data"},
        cache_dir=PROJECT_ROOT / ".cache",  # the converted LLM is shared with `make run`: converted once per machine
    )


@pytest.fixture(scope="session")
def store(settings):
    from assistant.indexing import ensure_index
    from assistant.vectorstore import VectorStore

    store = VectorStore(settings.index)
    ensure_index(settings, progress=False, store=store)
    return store


@pytest.fixture(scope="session")
def cli_env(settings, store) -> dict[str, str]:
    """Environment for an `assistant` subprocess that uses the test index and data folders."""
    return {**os.environ, "ASSISTANT_SOURCES_DIR": str(settings.sources_dir),
            "ASSISTANT_INDEX_DIR": str(settings.index.dir), "ASSISTANT_STORE_DIR": str(settings.store.dir),
            "ASSISTANT_CACHE_DIR": str(settings.cache_dir)}


@pytest.fixture(scope="session")
def llm(settings):
    """The real model (SmolLM2 with the shipped adapter), loaded once."""
    from assistant.llm import build_llm

    return build_llm(settings.llm, settings.cache_dir)


@pytest.fixture(scope="session")
def catalog(settings):
    from assistant.catalog import load_catalog

    return load_catalog(settings.sources_dir).resources


@pytest.fixture(scope="session")
def graph(settings):
    from assistant.knowledge.graph import PrerequisiteGraph

    return PrerequisiteGraph.from_metacademy(settings.sources_dir / "metacademy")


@pytest.fixture(scope="session")
def engine(settings, store, llm, catalog, graph):
    """The whole product on the real model."""
    from assistant.engine import Engine
    from assistant.profile.sqlite_store import SQLiteStore

    return Engine(settings, store, llm, SQLiteStore(settings.store.dir / "learners.sqlite3"), catalog, graph)


@pytest.fixture(scope="session")
def fake_engine(settings, store, catalog, graph, tmp_path_factory):
    """The whole product on the fake LLM, chosen through settings as an operator would (ASSISTANT_LLM_BACKEND)."""
    from assistant.engine import Engine
    from assistant.llm import build_llm
    from assistant.profile.sqlite_store import SQLiteStore

    fake = settings.with_changes(llm={"backend": "fake"})
    learners = SQLiteStore(tmp_path_factory.mktemp("fake-engine") / "learners.sqlite3")
    return Engine(fake, store, build_llm(fake.llm, fake.cache_dir), learners, catalog, graph)


@pytest.fixture(scope="session")
def postgres(tmp_path_factory):
    """A real PostgreSQL server on a loopback port, for the whole session (see tests/pg_server.py)."""
    from pg_server import PostgresServer, binaries

    if binaries() is None:
        pytest.fail("PostgreSQL is not installed: `make test` installs Debian's postgresql package (needs root)")
    server = PostgresServer()
    yield server
    server.remove()


@pytest.fixture
def postgres_url(postgres, request):
    """A fresh, empty database on the test server for one test."""
    import psycopg

    name = "t_" + "".join(c if c.isalnum() else "_" for c in request.node.name.lower())[:50]
    with psycopg.connect(postgres.url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return postgres.url.rsplit("/", 1)[0] + f"/{name}"
