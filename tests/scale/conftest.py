"""The shared services of a scaled-out assistant, each a real process on loopback: llama.cpp's OpenAI-compatible
server (the model with its LoRA adapter merged, GGUF q8_0), a Chroma server holding the index, PostgreSQL for the
learners, and app replicas (`assistant serve`) using all three. `make test-scale` builds the GGUF and runs these."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from scale_services import GGUF, Service, free_port, llama_command, start_replica

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # gradio_client looks up the hub otherwise


@pytest.fixture(scope="session")
def llm_server(tmp_path_factory):
    if not GGUF.is_file():
        pytest.fail(f"{GGUF} is missing: run `make test-scale`, which builds it")
    port = free_port()
    service = Service("llama", llama_command(port), f"http://127.0.0.1:{port}/v1/models",
                      tmp_path_factory.mktemp("llama"))
    service.url = f"http://127.0.0.1:{port}/v1"
    yield service
    service.stop()


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory, settings):
    """A `chroma run` server holding the test catalog's index."""
    from assistant.indexing import ensure_index

    folder = tmp_path_factory.mktemp("chroma")
    port = free_port()
    service = Service("chroma", [str(Path(sys.executable).parent / "chroma"), "run", "--path", str(folder / "data"),
                                 "--host", "127.0.0.1", "--port", str(port)],
                      f"http://127.0.0.1:{port}/api/v2/heartbeat", folder)
    service.port = port
    ensure_index(settings.with_changes(index={"chroma_host": "127.0.0.1", "chroma_port": port}), progress=False)
    yield service
    service.stop()


@pytest.fixture
def replicas(settings, llm_server, chroma_server, postgres_url, tmp_path):
    """Two app replicas sharing the LLM server, the Chroma server and one PostgreSQL database."""
    started = [start_replica(name, settings, llm_server, chroma_server, postgres_url, tmp_path) for name in "AB"]
    yield started
    for replica in started:
        replica.stop()
