"""A damaged index is found when a command starts and rebuilt from the catalog sources; search works afterwards."""

import json
import os
import random
import re
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest

from assistant import vectorstore
from assistant.config import Settings
from assistant.indexing import ensure_index
from assistant.vectorstore import VectorStore

SUBJECTS = ["Rust", "Go", "SQL", "Git", "Haskell", "Kotlin", "Elixir", "Zig"]


class WordHashing:
    """Stands in for MiniLM in-process: the faults are in Chroma's files, and 2,000 real encodings cost a minute."""

    def encode(self, texts, **_) -> np.ndarray:
        # Dense vectors, one per word plus a little of the text's own: sparse word counts tie exactly across many
        # chunks, and HNSW then misses a fifth of documents even in a sound index.
        vectors = np.stack([sum((_direction(word) for word in re.findall(r"\w+", text.lower())), np.zeros(384))
                            + 0.3 * _direction(text) for text in texts]).astype(np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _direction(text: str) -> np.ndarray:
    return np.random.default_rng(zlib.crc32(text.encode())).standard_normal(384)


@pytest.fixture
def word_hashing(monkeypatch):
    monkeypatch.setattr(vectorstore, "_sentence_model", lambda path, dtype: WordHashing())


def write_catalog(path: Path, sentences_each: int = 0) -> Path:
    """One resource per subject; with sentences, a transcript that is chunked into that many documents."""
    rows = [{"id": f"r-{i}", "title": f"Learning {s}", "url": f"https://{s.lower()}.example", "topics": [s],
             "transcript": " ".join(f"{s} lesson {j}." for j in range(sentences_each)) or None}
            for i, s in enumerate(SUBJECTS)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def built_index(tmp_path: Path, sentences_each: int = 0) -> Settings:
    """A fresh index of the small catalog, built and closed as a finished `assistant index` leaves it."""
    (tmp_path / "sources").mkdir()
    settings = Settings(index={"dir": tmp_path / "index", "chunk_chars": 20, "chunk_overlap": 0},
                        sources_dir=tmp_path / "sources", store={"dir": tmp_path / "data"},
                        catalogs=[write_catalog(tmp_path / "mine.jsonl", sentences_each)])
    store = VectorStore(settings.index)
    assert ensure_index(settings, progress=False, store=store).rebuilt
    assert store.count() > (1000 if sentences_each else 0)
    store.close()  # as at the end of a process: the damage below is found by the next start, not by this client
    return settings


def overwrite_database(index_dir: Path) -> None:
    (index_dir / "chroma.sqlite3").write_bytes(random.Random(1).randbytes(64 * 1024))


def truncate_database(index_dir: Path) -> None:
    os.truncate(index_dir / "chroma.sqlite3", 8192)


def delete_segment_folder(index_dir: Path) -> None:
    (segment,) = [p for p in index_dir.iterdir() if p.is_dir()]
    shutil.rmtree(segment)


def searchable(settings: Settings) -> bool:
    """A new client finds the index sound and the Haskell resource among the best hits for a Haskell query."""
    store = VectorStore(settings.index)
    assert store.damage() is None, store.damage()
    hits = store.search("learning the Haskell language", limit=3)
    # Many near-identical chunks: the approximate index may order the top few differently from run to run.
    return "r-4" in [h.resource.id for h in hits]


@pytest.mark.parametrize("damage, sentences_each", [
    (truncate_database, 0),
    # Chroma keeps the first 1,000 documents in its SQLite log: only beyond that is a lost segment folder a loss.
    (delete_segment_folder, 140),
], ids=["truncated database", "deleted segment folder"])
def test_a_damaged_index_is_rebuilt_and_searchable(tmp_path, word_hashing, damage, sentences_each):
    settings = built_index(tmp_path, sentences_each)
    damage(settings.index.dir)
    report = ensure_index(settings, progress=False)
    assert report.rebuilt and "damaged" in report.reason
    assert searchable(settings)


def test_an_intact_index_is_left_alone(tmp_path, word_hashing):
    settings = built_index(tmp_path)
    report = ensure_index(settings, progress=False)
    assert not report.rebuilt and report.resources == len(SUBJECTS)


def test_eval_repairs_an_overwritten_index_before_it_starts(tmp_path):
    settings = built_index(tmp_path)
    overwrite_database(settings.index.dir)
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps({"id": "c1", "turns": ["I want to learn Haskell"], "relevant": ["r-4"]}) + "\n")
    env = {**os.environ, "ASSISTANT_INDEX_DIR": str(settings.index.dir),
           "ASSISTANT_SOURCES_DIR": str(settings.sources_dir), "ASSISTANT_STORE_DIR": str(settings.store.dir),
           "ASSISTANT_CATALOGS": json.dumps([str(settings.catalogs[0])]),
           "ASSISTANT_INDEX_CHUNK_CHARS": "20", "ASSISTANT_INDEX_CHUNK_OVERLAP": "0", "ASSISTANT_LLM_BACKEND": "fake"}
    run = subprocess.run([sys.executable, "-m", "assistant.cli", "eval", "--dialogues", str(cases), "--no-reasons",
                          "--out", str(tmp_path / "report")], env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert f"Building the index at {settings.index.dir}: the index is damaged (cannot be opened" in run.stderr
    assert "Indexing" in run.stderr  # the progress bar
    assert searchable(settings)
