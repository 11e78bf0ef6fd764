"""The index on a `chroma run` server (ASSISTANT_INDEX_CHROMA_HOST): built, searched with filters; no server fails fast."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from ports import free_port

from assistant.catalog.filters import AllOf, Equals, Has
from assistant.config import Settings
from assistant.indexing import ensure_index
from assistant.vectorstore import SERVER_TIMEOUT_S, StoreUnavailable, VectorStore

CHROMA = Path(sys.executable).parent / "chroma"
ROWS = [
    {"id": "v-1", "title": "Rust in ten short videos", "url": "https://v.example/rust", "topics": ["Rust"],
     "resource_type": "video", "modality": "video"},
    {"id": "b-1", "title": "The Rust Programming Language", "url": "https://b.example/rust", "topics": ["Rust"],
     "resource_type": "book", "modality": "text"},
    {"id": "b-2", "title": "Rust 程序设计语言", "url": "https://b.example/rust-zh", "topics": ["Rust"],
     "resource_type": "book", "modality": "text", "language": "zh"},
    {"id": "b-3", "title": "Cooking with cast iron", "url": "https://b.example/cook", "topics": ["Cooking"],
     "resource_type": "book", "modality": "text"},
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    with (folder / "server.log").open("w") as log:  # chroma logs every request: a pipe nobody reads would fill up
        process = subprocess.Popen([str(CHROMA), "run", "--path", str(folder / "data"), "--host", "127.0.0.1",
                                    "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2).raise_for_status()
            break
        except httpx.HTTPError:
            assert process.poll() is None and time.monotonic() < deadline, (folder / "server.log").read_text()[-2000:]
            time.sleep(0.3)
    yield port
    process.terminate()
    process.wait(timeout=30)


def server_settings(tmp_path: Path, port: int) -> Settings:
    catalog = tmp_path / "mine.jsonl"
    catalog.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    return Settings(index={"chroma_host": "127.0.0.1", "chroma_port": port, "dir": tmp_path / "not-used"},
                    sources_dir=tmp_path / "no-sources", catalogs=[catalog])


def test_the_index_is_built_on_the_server_and_searched_with_filters(tmp_path, server):
    settings = server_settings(tmp_path, server)
    assert ensure_index(settings, progress=False).rebuilt
    assert not (tmp_path / "not-used").exists()  # nothing was written locally
    store = VectorStore(settings.index)  # a new client: the embedding function is rebuilt from the server's config
    assert not ensure_index(settings, progress=False, store=store).rebuilt
    books_in_english = AllOf((Equals("language", "en"), Has("formats", "book")))
    hits = store.search("learn the Rust programming language", where=books_in_english, limit=3)
    assert [h.resource.id for h in hits][:2] == ["b-1", "b-3"]
    assert {h.resource.id for h in store.search("Rust", where=Has("topics", "Rust"), limit=5)} == {
        "v-1", "b-1", "b-2"}
    assert {h.resource.id for h in store.search("Rust", where=Equals("language", "zh"), limit=5)} == {"b-2"}


def test_a_closed_port_is_named_in_the_error_at_once(tmp_path):
    port = free_port()  # nothing listens there once the probe socket is closed
    started = time.monotonic()
    with pytest.raises(StoreUnavailable, match=f"Chroma server at 127.0.0.1:{port}"):
        VectorStore(server_settings(tmp_path, port).index)
    assert time.monotonic() - started < SERVER_TIMEOUT_S


def test_a_server_that_never_answers_fails_after_the_timeout_not_never(tmp_path):
    with socket.socket() as silent:  # accepts connections (the kernel does) and never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(StoreUnavailable, match=f"127.0.0.1:{port}.*ReadTimeout"):
            VectorStore(server_settings(tmp_path, port).index)
        assert time.monotonic() - started < SERVER_TIMEOUT_S + 5


def test_the_cli_reports_an_unreachable_server_and_exits_2(tmp_path):
    port = free_port()
    env = {**os.environ, "ASSISTANT_INDEX_CHROMA_HOST": "127.0.0.1", "ASSISTANT_INDEX_CHROMA_PORT": str(port),
           "ASSISTANT_INDEX_DIR": str(tmp_path / "index")}
    run = subprocess.run([sys.executable, "-m", "assistant.cli", "index"], env=env, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 2
    assert f"Cannot reach the Chroma server at 127.0.0.1:{port}" in run.stderr and "Traceback" not in run.stderr
