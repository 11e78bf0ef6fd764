"""The Gradio app served for real on loopback, called through gradio_client like an LMS backend would."""

import copy
import os
import socket

import pytest

# gradio_client looks up the Hugging Face hub unless told it is offline.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from gradio_client import Client  # noqa: E402

from assistant.app import launch  # noqa: E402
from assistant.app.cards import render_cards  # noqa: E402

RUST_BOOKS = "I'm new to programming and want to learn Rust. Books please."


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def client(engine):
    app = launch(engine, block=False, port=_free_port())
    try:
        yield Client(app.local_url, verbose=False)
    finally:
        app.close()


def test_only_the_named_endpoints_are_published(client):
    names = set(client.view_api(print_info=False, return_format="dict")["named_endpoints"])
    assert names == {"/chat", "/recommend", "/profile"}


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


def test_api_key_guards_the_endpoints(engine):
    keyed = copy.copy(engine)  # shares the loaded index and model; only the settings differ
    keyed.settings = engine.settings.model_copy(update={"api_key": "test-key"})
    app = launch(keyed, block=False, port=_free_port())
    try:
        with pytest.raises(Exception, match="API key"):
            Client(app.local_url, verbose=False).predict("lms-learner-1", api_name="/profile")
        with pytest.raises(Exception, match="API key"):
            Client(app.local_url, verbose=False, headers={"X-API-Key": "wrong"}).predict(
                "lms-learner-1", RUST_BOOKS, None, api_name="/recommend")
        with_key = Client(app.local_url, verbose=False, headers={"X-API-Key": "test-key"})
        with pytest.raises(Exception, match="No learner"):  # past the key check, into the engine
            with_key.predict("never-seen", api_name="/profile")
    finally:
        app.close()


def test_cards_escape_hostile_catalog_text(engine):
    reply = engine.turn("card-learner", "Rust books")
    hostile = reply.model_copy(deep=True)
    hostile.recommendations[0].resource.title = '<script>alert("x")</script>'
    hostile.recommendations[0].reason = None
    html = render_cards(hostile)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "writing the reason" in html
