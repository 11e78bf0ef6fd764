"""The LTI endpoints mounted beside the page in a host FastAPI app: the tool's JWKS is published, and a login or
launch that is not valid gets the refusal page (400) naming the problem, with nothing stored."""

import fastapi
import pytest
from starlette.testclient import TestClient

from assistant.app import mount

PLATFORM = {"issuer": "https://lms.example.edu", "client_id": "client-1", "deployment_ids": ["1"],
            "auth_login_url": "https://lms.example.edu/auth", "key_set_url": "https://lms.example.edu/jwks"}


@pytest.fixture(scope="module")
def client(settings, store, catalog, graph, tmp_path_factory):
    from assistant.engine import Engine
    from assistant.llm import build_llm
    from assistant.profile.sqlite_store import SQLiteStore

    folder = tmp_path_factory.mktemp("lti-mount")
    tool = settings.with_changes(llm={"backend": "fake"},
                                 lti={"platforms": [PLATFORM], "private_key_file": folder / "key.pem"})
    engine = Engine(tool, store, build_llm(tool.llm, tool.cache_dir), SQLiteStore(folder / "l.sqlite3"), catalog,
                    graph)
    parent = fastapi.FastAPI()
    mount(parent, engine, path="/assistant")
    with TestClient(parent, base_url="https://testserver") as test_client:
        yield test_client, engine


def test_the_jwks_is_published_under_the_mount_path(client):
    test_client, engine = client
    keys = test_client.get("/assistant/lti/jwks.json").json()["keys"]
    assert [k["kid"] for k in keys] == [engine.lti.key.kid] and keys[0]["kty"] == "RSA"


def test_a_login_redirects_to_the_platform_with_state_and_nonce(client):
    test_client, _ = client
    answer = test_client.post("/assistant/lti/login", data={
        "iss": PLATFORM["issuer"], "login_hint": "u1", "client_id": "client-1",
        "target_link_uri": "https://testserver/assistant/lti/launch"}, follow_redirects=False)
    assert answer.status_code == 302
    location = answer.headers["location"]
    assert location.startswith(PLATFORM["auth_login_url"] + "?") and "nonce=" in location
    assert "redirect_uri=https%3A%2F%2Ftestserver%2Fassistant%2Flti%2Flaunch" in location
    cookie = answer.headers["set-cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=None" in cookie and "Partitioned" in cookie


@pytest.mark.parametrize("path, form, reason", [
    ("/assistant/lti/login", {"iss": "https://unknown.example", "login_hint": "u1"}, "platform is not registered"),
    ("/assistant/lti/launch", {"id_token": "not.a.token", "state": "state-x"}, "does not continue a login"),
])
def test_a_bad_login_or_launch_gets_the_refusal_page_and_nothing_is_stored(client, path, form, reason):
    test_client, engine = client
    before = engine.learners.outbox_counts()
    answer = test_client.post(path, data=form)
    assert answer.status_code == 400 and reason in answer.text and "Nothing was stored." in answer.text
    assert engine.learners.outbox_counts() == before
