"""`assistant index --catalog FILE` as a process: bad rows reported and skipped; an unusable file changes nothing."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.vectorstore import VectorStore

MIXED = (
    '{"id": "my-1", "title": "Intro to Go", "url": "https://go.dev/tour", "resource_type": "interactive"}\n'
    '{"id": "my-2", "title": "No url"}\n'
    "not json\n"
    '{"id": "my-3", "title": "Bad level", "url": "https://x.org", "level": "genius"}\n'
    '{"id": "my-4", "title": "Talk", "url": "https://z.org/v", "resource_type": "video", "duration_minutes": -3}\n'
    '{"id": "my-5", "title": "Git branching, visually", "url": "https://git.example/branching"}\n'
)


def index(folder: Path, *catalogs: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "ASSISTANT_SOURCES_DIR": str(folder / "no-sources"),
           "ASSISTANT_INDEX_DIR": str(folder / "index"), "ASSISTANT_STORE_DIR": str(folder / "data")}
    command = [sys.executable, "-m", "assistant.cli", "index", *[a for c in catalogs for a in ("--catalog", str(c))]]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path, subprocess.CompletedProcess]:
    folder = tmp_path_factory.mktemp("index-command")
    mixed = folder / "mixed.jsonl"
    mixed.write_text(MIXED, encoding="utf-8")
    return folder, mixed, index(folder, mixed)


def test_each_bad_row_is_reported_as_file_line_field_problem_and_the_good_rows_are_indexed(built):
    folder, mixed, run = built
    assert run.returncode == 0, run.stderr
    reported = re.findall(rf"^skipped {re.escape(str(mixed))}:(\d+): ([\w ]+): (.+)$", run.stderr, re.M)
    assert [(line, field) for line, field, _ in reported] == [
        ("2", "url"), ("3", "invalid JSON"), ("4", "level"), ("5", "duration_minutes")]
    assert "Indexed 2 resources (2 documents)" in run.stdout
    store = VectorStore(Settings(index={"dir": folder / "index"}).index)
    assert {m["resource_id"] for m in store.collection.get(include=["metadatas"])["metadatas"]} == {"my-1", "my-5"}
    store.close()


@pytest.mark.parametrize("name, content, problem", [
    ("latin1.jsonl", "caf\xe9 au lait\n".encode("latin-1"), "not UTF-8 text"),
    ("catalog.xlsx", b"PK\x03\x04", "unsupported catalog format '.xlsx'; use .jsonl or .csv"),
    ("no-header.csv", b"", "CSV has no header row"),
    ("missing.jsonl", None, "no such catalog file"),
])
def test_an_unusable_file_is_a_clear_error_and_leaves_the_index_as_it_was(built, name, content, problem):
    folder, mixed, _ = built
    before = VectorStore(Settings(index={"dir": folder / "index"}).index)
    fingerprint, count = before.stored_fingerprint(), before.count()
    before.close()
    path = folder / name
    if content is not None:
        path.write_bytes(content)
    run = index(folder, mixed, path)
    assert run.returncode == 2
    assert f"error: {path}: {problem}" in run.stderr and "Traceback" not in run.stderr
    after = VectorStore(Settings(index={"dir": folder / "index"}).index)
    assert (after.stored_fingerprint(), after.count(), after.damage()) == (fingerprint, count, None)
    after.close()
