"""The Gradio app served for real on loopback, called through gradio_client like an LMS backend would."""

import copy
import os
import threading
import time

import pytest

# gradio_client looks up the Hugging Face hub unless told it is offline.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import fastapi
import httpx
import uvicorn
from gradio_client import Client
from ports import free_port

from assistant.app import launch, mount

RUST_BOOKS = "I'm new to programming and want to learn Rust. Books please."


@pytest.fixture(scope="module")
def client(fake_engine):
    app = launch(fake_engine, block=False, port=free_port())
    try:
        yield Client(app.local_url, verbose=False)
    finally:
        app.close()


def test_only_the_named_endpoints_are_published(client):
    names = set(client.view_api(print_info=False, return_format="dict")["named_endpoints"])
    assert names == {"/chat", "/recommend", "/feedback", "/profile", "/update_profile", "/sessions", "/session",
                     "/delete_session", "/export", "/forget"}


def test_recommend_returns_catalog_items_with_reasons(client):
    reply = client.predict("lms-learner-1", RUST_BOOKS, None, api_name="/recommend")
    recs = reply["recommendations"]
    assert reply["reasons_ready"] and len(recs) >= 3
    assert all(r["resource"]["id"].startswith(("fpb-", "mc-")) and r["reason"]["text"].strip() for r in recs)
    profile = client.predict("lms-learner-1", api_name="/profile")
    assert profile["learner_id"] == "lms-learner-1"
    assert profile["formats"].get("book", 0) > 0


def test_chat_streams_cards_then_reasons(client):
    job = client.submit("lms-learner-2", "Any podcasts about programming?", {"device": "phone"}, api_name="/chat")
    updates = list(job)
    assert len(updates) > 1
    assert all(r["reason"] is None for r in updates[0]["recommendations"])
    assert updates[-1]["reasons_ready"] and all(r["reason"]["text"] for r in updates[-1]["recommendations"])


def test_bad_input_comes_back_as_a_clear_error(client):
    with pytest.raises(Exception, match="message is empty"):
        client.predict("lms-learner-3", "   ", None, api_name="/recommend")
    with pytest.raises(Exception, match="message is empty"):
        client.submit("lms-learner-3", "", None, api_name="/chat").result()  # a stream's error surfaces on result()
    with pytest.raises(Exception, match="context value for device"):
        client.predict("lms-learner-3", "Python", {"device": "toaster"}, api_name="/recommend")
    with pytest.raises(Exception, match="Unknown context key"):
        client.predict("lms-learner-3", "Python", {"sesion_minutes": 20}, api_name="/recommend")
    with pytest.raises(Exception, match="No learner"):
        client.predict("never-seen", api_name="/profile")


def test_profile_edits_and_feedback_refuse_what_they_do_not_know(client):
    client.predict("lms-learner-4", RUST_BOOKS, None, api_name="/recommend")
    with pytest.raises(Exception, match=r"Unknown profile key\(s\) levle; allowed: topics"):
        client.predict("lms-learner-4", {"levle": "advanced"}, api_name="/update_profile")
    with pytest.raises(Exception, match="Invalid profile value for level"):
        client.predict("lms-learner-4", {"level": "expert"}, api_name="/update_profile")
    with pytest.raises(Exception, match="Unknown feedback 'love'"):
        client.predict("lms-learner-4", "fpb-anything", "love", api_name="/feedback")
    with pytest.raises(Exception, match="No resource with id"):
        client.predict("lms-learner-4", "fpb-not-in-catalog", "helpful", api_name="/feedback")
    assert client.predict("lms-learner-4", {"device": None}, api_name="/update_profile")["device"] is None


def test_an_oversized_request_is_refused_before_it_is_read(client):
    oversized = httpx.post(f"{client.src.rstrip('/')}/gradio_api/queue/join", content=b"x" * 2_000_000,
                           headers={"content-type": "application/json"})
    assert oversized.status_code == 413
    with pytest.raises(Exception, match="No learner"):  # ordinary calls still go through
        client.predict("never-seen", api_name="/profile")


# One call per published endpoint, with arguments that would otherwise be accepted or refused past the key check.
EVERY_ENDPOINT = {
    "/chat": ("lms-learner-1", RUST_BOOKS, None), "/recommend": ("lms-learner-1", RUST_BOOKS, None),
    "/feedback": ("lms-learner-1", "fpb-x", "helpful"), "/profile": ("lms-learner-1",),
    "/update_profile": ("lms-learner-1", {"level": "advanced"}), "/sessions": ("lms-learner-1",),
    "/session": ("lms-learner-1", "s1"), "/delete_session": ("lms-learner-1", "s1"), "/export": ("lms-learner-1",),
    "/forget": ("lms-learner-1",),
}


def test_api_key_guards_every_endpoint(fake_engine):
    keyed = copy.copy(fake_engine)  # shares the loaded index and model; only the settings differ
    keyed.settings = fake_engine.settings.with_changes(serving={"api_key": "test-key"})
    app = launch(keyed, block=False, port=free_port())
    try:
        keyless = Client(app.local_url, verbose=False)
        wrong = Client(app.local_url, verbose=False, headers={"X-API-Key": "wrong"})
        for name, args in EVERY_ENDPOINT.items():
            for caller in (keyless, wrong):
                with pytest.raises(Exception, match="API key"):
                    caller.submit(*args, api_name=name).result()
        bearer = Client(app.local_url, verbose=False, headers={"Authorization": "Bearer test-key"})
        with pytest.raises(Exception, match="No learner"):  # past the key check, into the engine
            bearer.predict("never-seen", api_name="/profile")
    finally:
        app.close()


def test_the_app_mounts_inside_an_existing_fastapi_app(fake_engine):
    parent = fastapi.FastAPI()
    parent.get("/health")(lambda: {"ok": True})
    mount(parent, fake_engine, path="/assistant")
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(parent, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.time() + 60
        while not server.started and time.time() < deadline:
            time.sleep(0.1)
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(f"{base}/health").json() == {"ok": True}
        assert "Learning assistant" in httpx.get(f"{base}/assistant/").text
        with pytest.raises(Exception, match="No learner"):
            Client(f"{base}/assistant/", verbose=False).predict("never-seen", api_name="/profile")
    finally:
        server.should_exit = True
        thread.join(timeout=30)
