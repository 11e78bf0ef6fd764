"""Scaled out on real engines: the LLM on llama.cpp's OpenAI-compatible server (with the LoRA adapter merged),
learners in PostgreSQL, the index on a Chroma server, two app replicas. Feedback through one replica shapes the next
turn through the other, nothing acknowledged is lost when a process dies, and the survivors answer."""

import subprocess
import sys
import threading
import time

import pytest
from gradio_client import Client
from scale_services import SERVED_AS, Service, free_port, llama_command, replica_env

pytestmark = pytest.mark.scale
RUST = "I'm new to programming and want to learn Rust. Books please."


def recommend(replica, learner: str, message: str = RUST) -> dict:
    return Client(replica.url, verbose=False).predict(learner, message, None, api_name="/recommend")


def test_a_turn_through_the_llm_server_has_checked_model_reasons_and_p_yes(settings, store, catalog, graph,
                                                                            llm_server, tmp_path):
    from assistant.engine import Engine
    from assistant.llm import build_llm
    from assistant.profile.sqlite_store import SQLiteStore

    served = settings.with_changes(llm={"backend": "openai", "url": llm_server.url, "server_model": SERVED_AS})
    llm = build_llm(served.llm, served.cache_dir)
    engine = Engine(served, store, llm, SQLiteStore(tmp_path / "l.sqlite3"), catalog, graph)
    reply = engine.turns.turn("server-learner", RUST)
    assert reply.report.llm_relevance == "used"
    assert any(r.reason.written_by == "model" for r in reply.recommendations)
    assert all("Rust" in r.resource.topics for r in reply.recommendations[:3])


def test_feedback_through_one_replica_changes_the_next_turn_through_the_other(replicas):
    a, b = replicas
    first = recommend(a, "shared-1")["recommendations"][0]["resource"]["id"]
    Client(a.url, verbose=False).predict("shared-1", first, "not_for_me", api_name="/feedback")
    again = recommend(b, "shared-1")
    assert first not in [r["resource"]["id"] for r in again["recommendations"]]
    assert again["profile"]["disliked"] == [first]


def test_concurrent_feedback_through_both_replicas_loses_nothing(replicas):
    recommend(replicas[0], "busy-1")
    ids = [r["resource"]["id"] for r in recommend(replicas[1], "busy-1", "Books on Python, Git or SQL")["recommendations"]]

    def send(replica, count: int) -> None:
        client = Client(replica.url, verbose=False)
        for i in range(count):
            client.predict("busy-1", ids[i % len(ids)], "opened", api_name="/feedback")

    threads = [threading.Thread(target=send, args=(replica, 15)) for replica in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    exported = Client(replicas[0].url, verbose=False).predict("busy-1", api_name="/export")
    assert len(exported["feedback"]) == 30


def test_a_killed_replica_loses_no_acknowledged_event_and_the_other_answers(replicas):
    a, b = replicas
    ids = [r["resource"]["id"] for r in recommend(a, "survivor")["recommendations"]]
    for rid in ids[:3]:
        Client(a.url, verbose=False).predict("survivor", rid, "helpful", api_name="/feedback")
    a.kill()
    exported = Client(b.url, verbose=False).predict("survivor", api_name="/export")
    assert [e["resource_id"] for e in exported["feedback"]] == ids[:3]
    assert recommend(b, "survivor")["recommendations"]


def test_with_the_llm_server_down_turns_answer_with_template_reasons_then_recover(replicas, llm_server):
    a, _ = replicas
    llm_server.kill()
    try:
        reply = recommend(a, "no-llm")
        assert reply["recommendations"] and all(r["reason"]["written_by"] == "template"
                                                for r in reply["recommendations"])
        assert reply["report"]["llm_relevance"] == "busy"
    finally:
        llm_server.start()
    assert any(r["reason"]["written_by"] == "model" for r in recommend(a, "llm-back")["recommendations"])


def test_a_database_restart_mid_stream_loses_nothing_acknowledged(replicas, postgres):
    a, b = replicas
    ids = [r["resource"]["id"] for r in recommend(a, "restart-1")["recommendations"]]
    acknowledged, refused = [], []

    def send() -> None:
        client = Client(b.url, verbose=False)
        for i in range(40):
            try:
                client.predict("restart-1", ids[i % len(ids)], "opened", api_name="/feedback")
                acknowledged.append(i)
            except Exception as exc:  # refused while the database is down: not acknowledged, so not owed
                refused.append(str(exc))
            time.sleep(0.05)

    sender = threading.Thread(target=send)
    sender.start()
    time.sleep(0.5)
    postgres.restart()
    sender.join()
    exported = Client(a.url, verbose=False).predict("restart-1", api_name="/export")
    assert len(exported["feedback"]) == len(acknowledged) > 0
    assert all("Traceback" not in r for r in refused)
    assert recommend(a, "restart-1")["recommendations"]


def run_ask(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assistant.cli", "ask", RUST], env=env, capture_output=True,
                          text=True, timeout=300)


def test_bad_configuration_is_named_in_one_line_at_start(settings, llm_server, chroma_server, postgres_url, tmp_path):
    import os

    good = {**os.environ, **replica_env(settings, llm_server.url, chroma_server.port, postgres_url, free_port())}
    cases = {
        "ASSISTANT_LLM_URL": ("http://127.0.0.1:1/v1", "error: Cannot reach the LLM server at 127.0.0.1:1"),
        "ASSISTANT_LLM_SERVER_MODEL": ("nonsense", f"does not serve 'nonsense'; it serves ['{SERVED_AS}']"),
        "ASSISTANT_STORE_URL": ("postgresql://postgres@127.0.0.1:1/none",
                                "error: Cannot use the PostgreSQL learner store at 127.0.0.1:1/none"),
    }
    for variable, (value, said) in cases.items():
        run = run_ask({**good, variable: value})
        assert run.returncode == 2 and said in run.stderr and "Traceback" not in run.stderr, (variable, run.stderr)
    # A server that gives no log-probs still serves, and says once, naming it, that P(yes) is off.
    port = free_port()
    plain = Service("llama-plain", llama_command(port, logprobs=False), f"http://127.0.0.1:{port}/v1/models", tmp_path)
    try:
        run = run_ask({**good, "ASSISTANT_LLM_URL": f"http://127.0.0.1:{port}/v1"})
        assert run.returncode == 0, run.stderr
        assert f"The LLM server at 127.0.0.1:{port} gives no first-token log-probs" in run.stderr
    finally:
        plain.stop()
