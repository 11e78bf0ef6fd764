"""Resident memory of a process that loads what `assistant serve` loads and answers a few turns.

Run: .venv/bin/python bench/memory.py [--reps 3] [--turns 4]   (builds the default index first if it is missing)

Each repetition is a fresh process: the index is opened and the LLM loaded (`Engine.from_settings`), the Gradio app
is started on a free local port, then full turns (cards and LLM reasons) are answered. RSS is read after each
stage; the peak is the kernel's high-water mark of the process (VmHWM), which also catches short spikes.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import psutil
from common import ready_index, table

from assistant.config import Settings

TARGET_GB = 1.5
MESSAGES = [
    "I'm new to programming and want to learn Rust. Books please.",
    "Any podcasts about JavaScript?",
    "I want to learn Bayesian networks, but I never understood Bayes' rule.",
    "我们团队开始用 Git 做版本控制了，推荐一些中文书吧。",
]


def gb(value: float) -> str:
    return f"{value / 2**30:.2f}"


def rss() -> int:
    return psutil.Process().memory_info().rss


def peak_rss() -> int:
    """VmHWM: the most resident memory this process has had, in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def one_process(turns: int) -> dict[str, int]:
    """Stages of one serving process, in bytes of resident memory."""
    from assistant.app import launch
    from assistant.engine import Engine

    stages = {"python + imports": rss()}
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as scratch:
        settings = Settings().with_changes(store={"dir": Path(scratch)})  # bench learners stay out of .data
        engine = Engine.from_settings(settings)
        stages["engine (index, catalog, LLM)"] = rss()
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        app = launch(engine, block=False, port=port)
        stages["+ Gradio app serving"] = rss()
        for i in range(turns):
            engine.turns.turn(f"bench-memory-{i}", MESSAGES[i % len(MESSAGES)])
        stages[f"after {turns} full turns"] = rss()
        app.close()
    stages["peak (VmHWM)"] = peak_rss()
    return stages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3, help="fresh processes to measure (default 3)")
    parser.add_argument("--turns", type=int, default=4, help="full turns per process (default 4)")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # a single measured process
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_process(args.turns)))
        return
    ready_index(Settings())
    runs = []
    for _ in range(args.reps):
        out = subprocess.run([sys.executable, __file__, "--one", "--turns", str(args.turns)], check=True,
                             capture_output=True, text=True)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    rows = [[stage, gb(statistics.median(r[stage] for r in runs)), gb(min(r[stage] for r in runs)),
             gb(max(r[stage] for r in runs))] for stage in runs[0]]
    print(table(["stage", "RSS GB (median)", "min", "max"], rows))
    peak = statistics.median(r["peak (VmHWM)"] for r in runs) / 2**30
    print(f"\n{args.reps} processes. Target peak <= {TARGET_GB} GB: {'met' if peak <= TARGET_GB else 'missed'} "
          f"({peak / TARGET_GB:.0%} of the budget).")


if __name__ == "__main__":
    main()
