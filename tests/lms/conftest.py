"""The real things the LMS tests talk to: a Ralph LRS and an LTI platform, both on loopback, and engines (fake LLM,
same index and catalog) that send statements to that LRS."""

from __future__ import annotations

import pytest

from assistant.engine import Engine
from assistant.llm import build_llm


@pytest.fixture(scope="session")
def lrs():
    """A Ralph LRS (file-system backend) for the session; tests/lrs_server.py."""
    from lrs_server import RalphLRS

    try:
        server = RalphLRS()
    except FileNotFoundError as exc:
        pytest.fail(str(exc))
    yield server
    server.remove()


@pytest.fixture
def xapi_settings(settings, lrs, tmp_path):
    from lrs_server import KEY, SECRET

    return settings.with_changes(llm={"backend": "fake"},
                                 xapi={"url": lrs.url, "key": KEY, "secret": SECRET, "retry_min_s": 1.0},
                                 lti={"private_key_file": tmp_path / "tool-key.pem"})


@pytest.fixture
def engine_with(store, catalog, graph):
    """Makes the product on the fake LLM with given settings and learner store (the shared index and catalog)."""
    def make(settings, learners) -> Engine:
        return Engine(settings, store, build_llm(settings.llm, settings.cache_dir), learners, catalog, graph)
    return make


@pytest.fixture(params=["sqlite", "postgres"])
def learner_store(request, tmp_path):
    """A fresh learner store of each backend."""
    from assistant.profile.postgres_store import PostgresStore
    from assistant.profile.sqlite_store import SQLiteStore

    if request.param == "sqlite":
        learners = SQLiteStore(tmp_path / "learners.sqlite3")
    else:
        learners = PostgresStore(request.getfixturevalue("postgres_url"))
    yield learners
    learners.close()
