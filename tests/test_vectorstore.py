"""The real Chroma index over (a subset of) the shipped catalog with the shipped MiniLM model."""

from pathlib import Path

import numpy as np

from assistant.catalog.filters import Equals, Has
from assistant.catalog.schema import Resource
from assistant.config import Settings
from assistant.indexing import ensure_index
from assistant.vectorstore import VectorStore


def test_search_finds_the_topic_asked_for(store):
    hits = store.search("learn the Rust programming language", limit=10)
    assert sum("Rust" in h.resource.topics for h in hits[:5]) >= 3
    assert all(-1.0 <= h.similarity <= 1.0 for h in hits)


def test_language_filter_returns_only_that_language(store):
    hits = store.search("学习 Git 版本控制", where=Equals("language", "zh"), limit=10)
    assert hits and all(h.resource.language == "zh" for h in hits)


def test_index_is_current_after_build_and_survives_reopening(settings, store):
    report = ensure_index(settings, progress=False, store=store)
    assert report.rebuilt is False
    reopened = VectorStore(settings.index)  # a new client must rebuild the registered embedding function
    assert reopened.count() == store.count()
    assert reopened.search("k-means clustering", limit=3)


def test_a_resource_is_found_by_its_transcript_and_returned_once(tmp_path: Path, store):
    talk = Resource(
        id="talk-1", title="Conference talk 17", url="https://talks.example/17", resource_type="video", modality="video",
        transcript=("Welcome everyone. " * 80) + "Today we build a lock-free ring buffer for audio processing in Zig, "
        "using atomics and memory ordering. " + ("Thanks for listening. " * 80),
    )
    settings = Settings(index={"dir": tmp_path / "index", "chunk_chars": 300, "chunk_overlap": 50},
                        sources_dir=tmp_path / "none")
    small = VectorStore(settings.index, embedding=store.embedding)
    filler = [Resource(id=f"f-{i}", title=f"Cooking recipe {i}", url=f"https://food.example/{i}") for i in range(5)]
    written = small.upsert([talk, *filler], progress=False)
    assert written > 6  # the transcript became several chunks
    hits = small.search("lock-free ring buffer with atomics in Zig", limit=5)
    assert hits[0].resource.id == "talk-1" and hits[0].matched_part > 0
    assert [h.resource.id for h in hits].count("talk-1") == 1


def test_changed_sources_make_the_index_stale(tmp_path: Path, store):
    catalog = tmp_path / "extra.jsonl"
    catalog.write_text('{"id": "x-1", "title": "Elm in a weekend", "url": "https://elm.example"}\n', encoding="utf-8")
    settings = Settings(index={"dir": tmp_path / "index"}, sources_dir=tmp_path / "none", catalogs=[catalog])
    first = ensure_index(settings, progress=False, store=VectorStore(settings.index, embedding=store.embedding))
    assert first.rebuilt and first.resources == 1
    catalog.write_text(catalog.read_text() + '{"id": "x-2", "title": "Elm again", "url": "https://elm2.example"}\n')
    second = ensure_index(settings, progress=False, store=VectorStore(settings.index, embedding=store.embedding))
    assert second.rebuilt and second.resources == 2


def test_a_filter_that_matches_nothing_gives_no_hits(store):
    assert store.search("Rust", Has("topics", "No Such Topic Anywhere"), 10) == []


def test_embeddings_kept_in_a_folder_are_read_back_unchanged_and_a_partial_file_is_encoded_again(store, tmp_path):
    texts = ["how computers learn from examples", "版本控制", "a tiny JSON backend"]
    fresh = store.encode_each(texts)
    kept = store.encode_each(texts, tmp_path)
    (path,) = tmp_path.glob("embeddings-*.npy")
    assert np.array_equal(kept, fresh) and np.array_equal(np.load(path), fresh)
    assert np.array_equal(store.encode_each(texts, tmp_path), fresh)
    assert len(list(tmp_path.glob("embeddings-*.npy"))) == 1  # the same texts are the same file
    path.write_bytes(path.read_bytes()[:50])  # cut short, as by a crash mid-write without the rename
    assert np.array_equal(store.encode_each(texts, tmp_path), fresh)
    assert np.array_equal(np.load(path), fresh)
    assert len(list(tmp_path.glob("embeddings-*.npy"))) == 1 and not list(tmp_path.glob("*.partial"))
    store.encode_each(texts[:2], tmp_path)
    assert len(list(tmp_path.glob("embeddings-*.npy"))) == 2  # other texts, another file
