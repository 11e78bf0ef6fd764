"""A small training set built once per session from the shipped catalog and prompt files."""

from __future__ import annotations

import pytest

from assistant.config import PROJECT_ROOT
from assistant.training.build import DataSizes, build_data

SMALL = DataSizes(train={"profile": 80, "relevance": 60, "reason": 60}, heldout={"profile": 30, "relevance": 30, "reason": 30})


def build_small(out):
    return build_data(out, seed=3, sources_dir=PROJECT_ROOT / "vectorstore" / "sources",
                      prompts_dir=PROJECT_ROOT / "prompts", sizes=SMALL)


@pytest.fixture(scope="session")
def rebuild():
    """Builds the same small set again into another folder."""
    return build_small


@pytest.fixture(scope="session")
def small_data(tmp_path_factory):
    out = tmp_path_factory.mktemp("training-data")
    build_small(out)
    return out
