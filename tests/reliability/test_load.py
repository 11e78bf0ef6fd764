"""Many learners at once against the served app on the real model: no errors, no learner sees another's data,
each reply answers its own message, and the model's work for different learners was batched together.

`make test` runs a burst of one turn each; two minutes of it run under `make test-slow`; the load benchmark with
its latency targets is `bench/load.py`.
"""

import os
import statistics
import threading
import time

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from gradio_client import Client
from ports import free_port

from assistant.app import launch
from assistant.engine import Engine

LEARNERS = 20
# Each call and the whole burst end in bounded time, so a server that stops answering fails the test, never hangs it.
CALL_TIMEOUT_S = 600
TOPICS = ["Rust", "Python", "Git", "SQL", "Haskell", "Linux", "JavaScript", "Docker", "k-means", "linear regression"]


def _call(client: Client, *args, api_name: str):
    return client.submit(*args, api_name=api_name).result(timeout=CALL_TIMEOUT_S)


def _learner(url: str, index: int, deadline: float, turns_at_least: int, log: dict) -> None:
    learner = f"load-{index}"
    token = f"token{index}x"  # only this learner ever says it
    client = Client(url, verbose=False)
    turns = 0
    while turns < turns_at_least or time.monotonic() < deadline:
        message = f"I want to learn {TOPICS[index % len(TOPICS)]}, note {token}"
        started = time.monotonic()
        try:
            reply = _call(client, learner, message, {"device": "phone"}, api_name="/recommend")
            log["latency"].append(time.monotonic() - started)
            if reply["learner_id"] != learner:
                log["leaks"].append((learner, reply["learner_id"]))
            topic = TOPICS[index % len(TOPICS)].lower()
            if not any(topic in t.lower() for t in reply["profile"]["topics"]):
                log["leaks"].append((learner, f"asked for {topic}, profile says {reply['profile']['topics']}"))
            if not all(r["reason"] for r in reply["recommendations"]):
                log["errors"].append(f"{learner}: a card without its reason")
            first = reply["recommendations"][0]["resource"]["id"]
            _call(client, learner, first, "opened", api_name="/feedback")
            profile = _call(client, learner, api_name="/profile")
            if profile["learner_id"] != learner:
                log["leaks"].append((learner, profile["learner_id"]))
        except Exception as exc:  # every failure is counted, none may happen
            log["errors"].append(f"{learner}: {exc}")
            return
        turns += 1
    log["turns"].append(turns)


def run_load(engine, seconds: float, turns_at_least: int) -> dict:
    app = launch(engine, block=False, port=free_port())
    log: dict = {"latency": [], "errors": [], "leaks": [], "turns": []}
    try:
        deadline = time.monotonic() + seconds
        threads = [threading.Thread(target=_learner, args=(app.local_url, i, deadline, turns_at_least, log),
                                    daemon=True)
                   for i in range(LEARNERS)]
        for thread in threads:
            thread.start()
        stop_waiting = time.monotonic() + seconds + 3 * CALL_TIMEOUT_S  # a learner's last turn is three calls
        for thread in threads:
            thread.join(timeout=max(0.0, stop_waiting - time.monotonic()))
        assert not any(t.is_alive() for t in threads), "a learner's calls never finished"
    finally:
        app.close()
    latency = sorted(log["latency"])
    log["p50"] = statistics.median(latency)
    log["p95"] = latency[int(0.95 * (len(latency) - 1))]
    print(f"\nload: {len(latency)} turns by {LEARNERS} learners, p50 {log['p50']:.2f} s, p95 {log['p95']:.2f} s")
    return log


def check_isolation(engine, log: dict) -> None:
    assert log["errors"] == [] and log["leaks"] == []
    for index in range(LEARNERS):
        said = " ".join(text for role, text in engine.learners.history(f"load-{index}", 500) if role == "learner")
        others = {f"token{j}x" for j in range(LEARNERS) if j != index}
        assert f"token{index}x" in said and not any(t in said for t in others)


def test_twenty_learners_at_once_stay_apart_and_share_the_model(engine):
    # Room for every learner to wait its turn: this checks correctness, bench/load.py measures "busy" answers.
    patient = Engine(engine.settings.with_changes(serving={"max_wait_s": 300}), engine.index, engine.llm,
                     engine.learners, engine.catalog, engine.graph, engine.prompts)
    before = dict(engine.llm.scheduler.stats)
    log = run_load(patient, seconds=1, turns_at_least=1)
    check_isolation(patient, log)
    assert len(log["turns"]) == LEARNERS
    stats = engine.llm.scheduler.stats
    assert stats["most_owners"] >= 2 and stats["steps"] > before["steps"]  # learners' reasons decoded together


@pytest.mark.slow
def test_twenty_learners_for_two_minutes(engine):
    log = run_load(engine, seconds=120, turns_at_least=1)
    check_isolation(engine, log)
