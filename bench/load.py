"""Many learners at once against a served app, over loopback with gradio_client: the batching scheduler against the
single queue it replaced, in the same run.

Each configuration runs in its own `assistant serve` process. Every learner has its own id and client and sends
`/chat` (streaming) messages from a varied English and Chinese pool.
- open loop: each learner sends a message every 30 s on average (exponential gaps), whether or not the last reply
  is in, for `--seconds`;
- closed loop: each learner sends the next message as soon as the last reply is in (saturation throughput).
Reported per run: cards-ready and full-turn p50 / p95, turns per minute, errors, "busy" answers, reasons written by
templates (and of those, late), P(yes) skipped as busy, and the server's peak RSS. Threads: the server runs torch
with its default pool (2 threads on this machine) and OMP_WAIT_POLICY=PASSIVE; `--beside-hog` adds a CPU-heavy
process (2 busy threads) for a run whose times are given as a ratio to the quiet run.

    .venv/bin/python bench/load.py [--learners 1,5,20,50] [--seconds 300] [--closed-seconds 90] [--quick]
"""

from __future__ import annotations

import common  # noqa: F401  (offline environment first)

import argparse
import json
import multiprocessing
import os
import random
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from common import quantile, ready_index, table
from gradio_client import Client

from assistant.config import PROJECT_ROOT, Settings

MESSAGES = [
    "I want to learn SQL, 20 minutes a day on my phone.", "Books on Rust for a complete beginner please.",
    "Any podcasts about JavaScript?", "I need Docker tutorials, I only have half an hour.", "Help me learn Git.",
    "Machine learning courses for beginners, videos if possible.", "Haskell books please.",
    "Learn Go in 15 minutes a day.", "I want to learn Bayesian networks, but I never understood Bayes' rule.",
    "Kotlin for Android development.", "CSS layout, videos please.", "Algorithms and data structures, I know Python.",
    "How do I get started with Linux on the command line?", "Papers or notes on reinforcement learning, I'm advanced.",
    "Teach me linear regression from scratch.", "Something about computer networks for an intermediate learner.",
    "I keep hearing about Markov chains; where do I start?", "Beginner-friendly podcasts on cybersecurity?",
    "Free interactive tutorials for regular expressions.", "I'd like to learn TypeScript after JavaScript.",
    "我想学习 Python，有视频吗？", "我想学机器学习，有没有中文课程？", "推荐一些数据库入门的书。", "我想学 C++，我已经会 C 了。",
    "我们团队开始用 Git 做版本控制了，推荐一些中文书吧。", "我是编程新手，想学 Python，每天半小时。", "有没有讲算法的免费课程？",
    "我想了解操作系统原理。",
]
SINGLE_QUEUE = {"ASSISTANT_LLM_BATCHING": "false", "ASSISTANT_SERVING_TURN_CONCURRENCY": "1",
                "ASSISTANT_SERVING_QUEUE_MAX_SIZE": "64", "ASSISTANT_SERVING_MAX_WAIT_S": "600"}
EXTRA_ENV = dict(item.split("=", 1) for item in os.environ.get("LOAD_EXTRA_ENV", "").split() if "=" in item)
TURN_TIMEOUT_S = 120  # a turn with no reply by then counts as an error (the server's own deadlines are far shorter)
CONFIGS = {"scheduler (default)": {}, "single queue (before)": SINGLE_QUEUE,
           "P(yes) does not yield": {"ASSISTANT_LLM_RELEVANCE_YIELDS": "false"}}


@dataclass
class Log:
    cards: list[float] = field(default_factory=list)
    full: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    busy: int = 0
    reasons: int = 0
    templates: int = 0
    late: int = 0
    relevance_busy: int = 0
    reasons_s: list[float] = field(default_factory=list)  # the server's own time from cards to reasons
    cards_s: list[float] = field(default_factory=list)  # the server's own time from the turn's start to cards
    turns: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`assistant serve` in a process of its own, its learners in a scratch folder; peak RSS sampled."""

    def __init__(self, env: dict[str, str], scratch: Path, checkout: Path = PROJECT_ROOT):
        self.port = free_port()
        settings = Settings()
        # Fair-use limits off: the benchmark measures capacity (a closed-loop learner sends ~30 turns a minute).
        full_env = {**os.environ, **env, "ASSISTANT_SERVING_PORT": str(self.port),
                    "ASSISTANT_STORE_DIR": str(scratch), "OMP_WAIT_POLICY": "PASSIVE",
                    "ASSISTANT_SERVING_LEARNER_TURNS_PER_MINUTE": "100000",
                    "ASSISTANT_SERVING_KEY_TURNS_PER_MINUTE": "100000", **EXTRA_ENV}
        if checkout != PROJECT_ROOT:  # an earlier checkout: its own code, this checkout's index and model cache
            full_env.update(PYTHONPATH=str(checkout), ASSISTANT_PORT=str(self.port), ASSISTANT_DATA_DIR=str(scratch),
                            ASSISTANT_INDEX_DIR=str(settings.index.dir), ASSISTANT_CACHE_DIR=str(settings.cache_dir))
        self.process = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--no-index"], env=full_env,
                                        cwd=checkout, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.url = f"http://127.0.0.1:{self.port}/"
        self.peak = 0
        self._sampling = True
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited: {self.process.stderr.read()[-2000:]}")
            try:
                Client(self.url, verbose=False)
                break
            except Exception:  # not up yet
                time.sleep(1)
        else:
            raise RuntimeError("the server did not come up in 180 s")
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def _sample(self) -> None:
        process = psutil.Process(self.process.pid)
        while self._sampling:
            try:
                self.peak = max(self.peak, process.memory_info().rss)
            except psutil.Error:
                return
            time.sleep(0.5)

    def stop(self) -> None:
        self._sampling = False
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def one_turn(client: Client, learner: str, message: str, log: Log) -> None:
    started = time.monotonic()
    cards = None
    try:
        job = client.submit(learner, message, {"device": "desktop"}, api_name="/chat")
        # Polled, not iterated: gradio_client's iterator waits forever when the job's stream fails (seen here with
        # 50 closed-loop learners: 21 threads spinning on finished jobs), so a lost reply would hang the run.
        while not job.done():
            if cards is None and job.outputs():
                cards = time.monotonic() - started
            if time.monotonic() - started > TURN_TIMEOUT_S:
                job.cancel()
                raise TimeoutError(f"no reply in {TURN_TIMEOUT_S:.0f} s")
            time.sleep(0.01)
        full = time.monotonic() - started
        outputs = job.outputs()
        if not outputs:  # a refusal or a failure: the job holds the error
            refusal = job.exception()
            raise refusal if refusal is not None else RuntimeError(f"no reply ({job.status().code})")
        final = outputs[-1]
        cards = full if cards is None else cards
    except Exception as exc:  # a refusal or a failure: only "busy" answers are expected
        with log.lock:
            if "busy" in str(exc):
                log.busy += 1
            else:
                log.errors.append(f"{learner}: {type(exc).__name__}: {str(exc)[:200]}")
        return
    with log.lock:
        log.turns += 1
        log.cards.append(cards)
        log.full.append(full)
        reasons = [r["reason"] for r in final["recommendations"] if r["reason"]]
        log.reasons += len(reasons)
        log.templates += sum(r["written_by"] == "template" for r in reasons)
        log.late += sum(bool(r.get("late")) for r in reasons)
        report = final.get("report") or {}
        log.relevance_busy += report.get("llm_relevance") == "busy"
        if report.get("reasons_s") is not None:
            log.reasons_s.append(report["reasons_s"])
        if report.get("cards_s") is not None:
            log.cards_s.append(report["cards_s"])


def open_loop(url: str, learners: int, seconds: float, run: str, seed: int) -> tuple[Log, float]:
    log, rng = Log(), random.Random(seed)
    clients = [Client(url, verbose=False) for _ in range(learners)]
    threads: list[threading.Thread] = []
    started = time.monotonic()
    arrivals = []
    for i in range(learners):  # each learner's messages: exponential gaps of 30 s on average
        at = rng.expovariate(1 / 30)
        while at < seconds:
            arrivals.append((at, i))
            at += rng.expovariate(1 / 30)
    for at, i in sorted(arrivals):
        time.sleep(max(0.0, started + at - time.monotonic()))
        thread = threading.Thread(target=one_turn, args=(clients[i], f"{run}-{i}", rng.choice(MESSAGES), log))
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    return log, time.monotonic() - started


def closed_loop(url: str, learners: int, seconds: float, run: str, seed: int) -> tuple[Log, float]:
    log = Log()
    started = time.monotonic()

    def learner(i: int) -> None:
        rng, client = random.Random(seed + i), Client(url, verbose=False)
        while time.monotonic() - started < seconds:
            before = log.busy
            one_turn(client, f"{run}-{i}", rng.choice(MESSAGES), log)
            if log.busy > before:  # told to come back later: a real client would wait a moment
                time.sleep(1.0)

    threads = [threading.Thread(target=learner, args=(i,)) for i in range(learners)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return log, time.monotonic() - started


def _hog(stop: multiprocessing.Event) -> None:
    import numpy as np

    a = np.random.rand(600, 600)
    while not stop.is_set():
        a = a @ a / np.linalg.norm(a)


def summary(log: Log, elapsed: float, peak: int) -> dict:
    def p(values, q):
        return round(quantile(values, q), 2) if values else None

    return {"turns": log.turns, "turns_per_min": round(log.turns / elapsed * 60, 1),
            "cards_p50": p(log.cards, 0.5), "cards_p95": p(log.cards, 0.95),
            "full_p50": p(log.full, 0.5), "full_p95": p(log.full, 0.95),
            "errors": len(log.errors), "busy": log.busy, "template_rate": round(log.templates / max(1, log.reasons), 3),
            "late_rate": round(log.late / max(1, log.reasons), 3),
            "relevance_skipped": round(log.relevance_busy / max(1, log.turns), 3),
            "server_cards_p95": p(log.cards_s, 0.95), "server_reasons_p95": p(log.reasons_s, 0.95),
            "peak_rss_gb": round(peak / 2**30, 2), "error_samples": log.errors[:3]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", default="1,5,20,50", help="comma-separated learner counts")
    parser.add_argument("--seconds", type=float, default=300, help="open-loop run length per count (default 300)")
    parser.add_argument("--closed-seconds", type=float, default=90, help="closed-loop run length (default 90)")
    parser.add_argument("--configs", default="scheduler (default),single queue (before)",
                        help=f"which configurations, comma-separated, of: {', '.join(CONFIGS)}")
    parser.add_argument("--queue-learners", help="learner counts for the single queue (default: --learners); its "
                        "backlog at 50 learners takes longer to drain than the run itself")
    parser.add_argument("--beside-hog", type=int, default=5, help="learners for the run beside a CPU hog (0 = none)")
    parser.add_argument("--quick", action="store_true", help="60 s open loop, 30 s closed loop (a smoke run)")
    parser.add_argument("--also", type=Path, metavar="CHECKOUT",
                        help="also run an earlier checkout of the project (its code, this index), as 'CHECKOUT name'")
    parser.add_argument("--also-learners", default="1,20", help="learner counts for the earlier checkout")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "reports" / "load")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.closed_seconds = 60, 30
    counts = [int(n) for n in args.learners.split(",")]
    ready_index(Settings())
    args.out.mkdir(parents=True, exist_ok=True)
    results: dict = {"machine": {"cores": os.cpu_count(), "load_before": os.getloadavg()[0]}, "runs": []}
    run_id = f"load-{int(time.time())}"
    queue_counts = [int(n) for n in args.queue_learners.split(",")] if args.queue_learners else counts
    configs = {name: (CONFIGS[name], PROJECT_ROOT, queue_counts if CONFIGS[name] is SINGLE_QUEUE else counts)
               for name in args.configs.split(",")}
    if args.also:
        configs[f"checkout {args.also.name}"] = ({}, args.also.resolve(), [int(n) for n in args.also_learners.split(",")])
    for name, (env, checkout, config_counts) in configs.items():
        scratch = args.out / f"learners-{abs(hash(name)) % 10**6}"
        scratch.mkdir(parents=True, exist_ok=True)
        server = Server(env, scratch, checkout)
        try:
            one_turn(Client(server.url, verbose=False), f"{run_id}-warm", MESSAGES[0], Log())
            for n in config_counts:
                for mode, run in (("open", open_loop), ("closed", closed_loop)):
                    seconds = args.seconds if mode == "open" else args.closed_seconds
                    print(f"{name}: {mode} loop, {n} learners, {seconds:.0f} s", flush=True)
                    log, elapsed = run(server.url, n, seconds, f"{run_id}-{mode}-{n}", seed=n)
                    row = {"config": name, "mode": mode, "learners": n, **summary(log, elapsed, server.peak)}
                    print(f"  {row}", flush=True)
                    results["runs"].append(row)
            if args.beside_hog and name == next(iter(CONFIGS)):
                stop = multiprocessing.Event()
                hogs = [multiprocessing.Process(target=_hog, args=(stop,)) for _ in range(2)]
                for hog in hogs:
                    hog.start()
                print(f"{name}: closed loop beside a CPU hog, {args.beside_hog} learners", flush=True)
                log, elapsed = closed_loop(server.url, args.beside_hog, args.closed_seconds, f"{run_id}-hog", 7)
                stop.set()
                for hog in hogs:
                    hog.join()
                row = {"config": name, "mode": "closed beside hog", "learners": args.beside_hog,
                       **summary(log, elapsed, server.peak)}
                print(f"  {row}", flush=True)
                results["runs"].append(row)
        finally:
            server.stop()
    (args.out / "load.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    header = ["config", "mode", "learners", "turns/min", "cards p50", "cards p95", "full p50", "full p95", "errors",
              "busy", "templates", "late", "P(yes) skipped", "peak RSS GB"]
    rows = [[r["config"], r["mode"], r["learners"], r["turns_per_min"], r["cards_p50"], r["cards_p95"], r["full_p50"],
             r["full_p95"], r["errors"], r["busy"], r["template_rate"], r["late_rate"], r["relevance_skipped"],
             r["peak_rss_gb"]] for r in results["runs"]]
    print(table(header, rows))
    plot(results, args.out / "load.png")
    print(f"Wrote {args.out / 'load.json'} and {args.out / 'load.png'}")


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(14, 4))
    for config in dict.fromkeys(r["config"] for r in results["runs"]):
        for mode, style in (("open", "-o"), ("closed", "--s")):
            runs = [r for r in results["runs"] if r["config"] == config and r["mode"] == mode]
            if not runs:
                continue
            x = [r["learners"] for r in runs]
            label = f"{config}, {mode}"
            axes[0].plot(x, [r["cards_p95"] or 0 for r in runs], style, label=label)
            axes[1].plot(x, [r["full_p95"] or 0 for r in runs], style, label=label)
            axes[2].plot(x, [r["turns_per_min"] for r in runs], style, label=label)
    for ax, title in zip(axes, ("cards ready p95 (s)", "full turn p95 (s)", "turns per minute")):
        ax.set_title(title)
        ax.set_xlabel("learners")
        ax.set_xscale("log")
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    main()
