"""A throw-away Ralph LRS for tests: ralph-malph from its own venv (.venv-lrs: it pins an older FastAPI than
Gradio's), the file-system backend in a temporary folder, basic auth, on a loopback port. Statements are kept on
disk, so a restarted server still has them."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

from assistant.config import PROJECT_ROOT

RALPH_PYTHON = PROJECT_ROOT / ".venv-lrs" / "bin" / "python"
KEY, SECRET = "assistant", "lrs-test-secret"
HERE = Path(__file__).resolve().parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RalphLRS:
    def __init__(self):
        if not RALPH_PYTHON.exists():
            raise FileNotFoundError(f"Ralph is not installed in {RALPH_PYTHON.parent.parent}: `make test` installs it")
        self.folder = Path(tempfile.mkdtemp(prefix="assistant-lrs-"))
        (self.folder / "data").mkdir()
        self.port = _free_port()
        self.env = {**os.environ, "RALPH_APP_DIR": str(self.folder / "app"),
                    "RALPH_AUTH_FILE": str(self.folder / "auth.json"), "RALPH_RUNSERVER_BACKEND": "fs",
                    "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(self.folder / "data")}
        subprocess.run([str(RALPH_PYTHON), "-m", "ralph", "auth", "-u", KEY, "-p", SECRET, "-s", "statements/write",
                        "-s", "statements/read", "-M", "mailto:assistant@example.org", "-w"],
                       env=self.env, check=True, capture_output=True)
        self.process: subprocess.Popen | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/xAPI"

    def start(self) -> None:
        with open(self.folder / "server.log", "ab") as log:  # the child keeps its own copy of the handle
            self.process = subprocess.Popen(
                [str(RALPH_PYTHON), "-m", "uvicorn", "ralph_fs_app:app", "--app-dir", str(HERE), "--host",
                 "127.0.0.1", "--port", str(self.port), "--log-level", "warning"],
                env=self.env, stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/__heartbeat__", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError(f"Ralph did not start: {(self.folder / 'server.log').read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def statements(self) -> list[dict]:
        """Every statement the LRS holds, voided ones included (Ralph does not hide them), oldest first."""
        found: list[dict] = []
        url = f"{self.url}/statements?limit=500"
        with httpx.Client(auth=(KEY, SECRET), headers={"X-Experience-API-Version": "1.0.3"}) as client:
            while url:
                page = client.get(url).raise_for_status().json()
                found += page["statements"]
                url = f"http://127.0.0.1:{self.port}{page['more']}" if page.get("more") else ""
        return sorted(found, key=lambda s: s["stored"])

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
