"""A server killed with SIGKILL in the middle of a stream of feedback writes loses no acknowledged event."""

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from gradio_client import Client
from ports import free_port


def _wait_until_up(url: str, process: subprocess.Popen, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited: {process.stdout.read()[-2000:]}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(1)
    raise AssertionError("server did not start")


def test_acknowledged_feedback_survives_kill_minus_nine(settings, store, tmp_path):
    # The server gets its own copy of the index: one process per Chroma directory.
    index = tmp_path / "index"
    shutil.copytree(settings.index.dir, index)
    data = tmp_path / "data"
    port = free_port()
    env = {**os.environ, "ASSISTANT_SOURCES_DIR": str(settings.sources_dir), "ASSISTANT_INDEX_DIR": str(index),
           "ASSISTANT_STORE_DIR": str(data), "ASSISTANT_CACHE_DIR": str(settings.cache_dir),
           "ASSISTANT_SERVING_PORT": str(port), "ASSISTANT_LLM_BACKEND": "fake"}  # durability is the store's, not the model's
    server = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--no-index"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    acknowledged = 0
    try:
        _wait_until_up(url, server)
        client = Client(url, verbose=False)
        reply = client.predict("durable", "Rust books please", None, api_name="/recommend")
        ids = [r["resource"]["id"] for r in reply["recommendations"]]
        stop = threading.Event()

        def write_feedback() -> None:
            nonlocal acknowledged
            i = 0
            while not stop.is_set():
                try:
                    client.predict("durable", ids[i % len(ids)], "opened", api_name="/feedback")
                except Exception:
                    return  # the server is gone: this event was never acknowledged
                acknowledged += 1
                i += 1

        writer = threading.Thread(target=write_feedback)
        writer.start()
        while acknowledged < 15:
            time.sleep(0.05)
        os.kill(server.pid, signal.SIGKILL)
        server.wait(timeout=30)
        stop.set()
        writer.join(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
    database = sqlite3.connect(data / "learners.sqlite3")
    assert database.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    stored = database.execute("SELECT COUNT(*) FROM feedback WHERE learner_id = 'durable'").fetchone()[0]
    assert acknowledged >= 15 and stored >= acknowledged
