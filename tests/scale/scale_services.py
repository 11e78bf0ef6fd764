"""Starting the shared services of a scaled-out assistant as real processes on loopback (used by conftest.py and
the tests beside it)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from ports import free_port

from assistant.config import PROJECT_ROOT

GGUF = Path(os.environ.get("ASSISTANT_SCALE_GGUF", PROJECT_ROOT / ".cache" / "models" / "assistant-merged.q8_0.gguf"))
SERVED_AS = "assistant"



def wait_for(url: str, process: subprocess.Popen, log: Path, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            httpx.get(url, timeout=2).raise_for_status()
            return
        except httpx.HTTPError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not come up: {log.read_text()[-3000:]}")
            time.sleep(0.3)


class Service:
    """One server process, which a test may kill (-9) and start again on the same port."""

    def __init__(self, name: str, command: list[str], health: str, folder: Path, env: dict | None = None):
        self.name, self.command, self.health, self.folder = name, command, health, folder
        self.env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE", **(env or {})}
        self.process: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        log = self.folder / f"{self.name}.log"
        with log.open("a") as out:  # a pipe nobody reads would fill up and block the server
            self.process = subprocess.Popen(self.command, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                            cwd=PROJECT_ROOT)
        wait_for(self.health, self.process, log)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        return (self.folder / f"{self.name}.log").read_text()


def llama_command(port: int, model: Path = GGUF, logprobs: bool = True) -> list[str]:
    # One request at a time (llama-cpp-python does not batch); without --interrupt_requests false a second request
    # cuts off the stream in progress. Log-probs need every position's logits kept (--logits_all).
    return [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--model_alias", SERVED_AS,
            "--chat_format", "chatml", "--n_ctx", "2048", "--n_threads", "2", "--n_threads_batch", "2",
            "--logits_all", str(logprobs).lower(), "--interrupt_requests", "false", "--host", "127.0.0.1",
            "--port", str(port)]


def replica_env(settings, llm_url: str, chroma_port: int, store_url: str, port: int) -> dict[str, str]:
    return {"ASSISTANT_SOURCES_DIR": str(settings.sources_dir), "ASSISTANT_CACHE_DIR": str(settings.cache_dir),
            "ASSISTANT_INDEX_CHROMA_HOST": "127.0.0.1", "ASSISTANT_INDEX_CHROMA_PORT": str(chroma_port),
            "ASSISTANT_STORE_URL": store_url, "ASSISTANT_LLM_BACKEND": "openai", "ASSISTANT_LLM_URL": llm_url,
            "ASSISTANT_LLM_SERVER_MODEL": SERVED_AS, "ASSISTANT_SERVING_PORT": str(port)}


def start_replica(name: str, settings, llm_server, chroma_server, store_url: str, folder: Path) -> Service:
    port = free_port()
    env = replica_env(settings, llm_server.url, chroma_server.port, store_url, port)
    service = Service(name, [sys.executable, "-m", "assistant.cli", "serve", "--no-index"], f"http://127.0.0.1:{port}/",
                      folder, env)
    service.url = f"http://127.0.0.1:{port}/"
    return service


