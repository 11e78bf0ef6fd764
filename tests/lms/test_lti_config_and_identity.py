"""What an LMS administrator pastes (`assistant lti config`), who a launched learner is, the tool's JWKS, the page's
session cookie, and the platform registration read from the environment."""

import json
from datetime import timedelta

import jwt
import pytest

from assistant.cli import main
from assistant.config import Settings
from assistant.lms.keys import ToolKey
from assistant.lms.lti import lti_learner_id
from assistant.lms.page_session import PageSessions
from assistant.profile.schema import utcnow

BASE = "https://assistant.example.edu"


@pytest.fixture
def run_config(capsys, monkeypatch):
    """`assistant lti config ARGS` as the command line runs it: (exit code, stdout, stderr)."""
    monkeypatch.delenv("ASSISTANT_SERVING_PUBLIC_URL", raising=False)

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["lti", "config", *args])
        out, err = capsys.readouterr()
        return code, out, err
    return run


def test_lti_config_prints_canvas_json_and_moodle_values(run_config):
    canvas = json.loads(run_config("--url", BASE + "/", "--only", "canvas")[1])
    assert canvas["oidc_initiation_url"] == f"{BASE}/lti/login"
    assert canvas["target_link_uri"] == f"{BASE}/lti/launch" and canvas["public_jwk_url"] == f"{BASE}/lti/jwks.json"
    placement = canvas["extensions"][0]["settings"]["placements"][0]
    assert placement["message_type"] == "LtiResourceLinkRequest" and canvas["extensions"][0]["domain"] == \
        "assistant.example.edu"
    moodle = dict(line.split(": ", 1) for line in run_config("--url", BASE, "--only", "moodle")[1].splitlines())
    assert moodle["Tool URL"] == moodle["Redirection URI(s)"] == f"{BASE}/lti/launch"
    assert moodle["Initiate login URL"] == f"{BASE}/lti/login" and moodle["Public key type"] == "Keyset URL"
    code, everything, _ = run_config("--url", BASE)
    assert code == 0 and "Paste JSON" in everything and "ASSISTANT_LTI_PLATFORMS=" in everything
    code, _, error = run_config()
    assert code == 2 and "--url" in error


def test_the_platform_registration_is_read_from_the_environment(monkeypatch):
    registration = {"issuer": "https://moodle.example.edu", "client_id": "abc", "deployment_ids": ["3"],
                    "auth_login_url": "https://moodle.example.edu/mod/lti/auth.php",
                    "auth_token_url": "https://moodle.example.edu/mod/lti/token.php",
                    "key_set_url": "https://moodle.example.edu/mod/lti/certs.php"}
    monkeypatch.setenv("ASSISTANT_LTI_PLATFORMS", json.dumps([registration]))
    monkeypatch.setenv("ASSISTANT_XAPI_URL", "https://lrs.example.edu/xAPI/")
    settings = Settings()
    assert settings.lti.platforms[0].model_dump() == registration
    assert settings.xapi.url == "https://lrs.example.edu/xAPI/"


def test_a_learner_id_is_stable_and_never_shared_across_platforms_or_deployments():
    one = lti_learner_id("https://a.example", "1", "42")
    assert one == lti_learner_id("https://a.example", "1", "42") and one.startswith("lti-")
    others = {lti_learner_id("https://b.example", "1", "42"), lti_learner_id("https://a.example", "2", "42"),
              lti_learner_id("https://a.example", "1", "43"), lti_learner_id("https://a.example1", "", "42")}
    assert one not in others and len(others) == 4


def test_the_tool_key_is_made_once_private_and_published_as_a_jwks(tmp_path):
    path = tmp_path / "key.pem"
    key = ToolKey.load_or_create(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert ToolKey.load_or_create(path) == key
    published = key.jwks()["keys"][0]
    assert published["kid"] == key.kid and published["alg"] == "RS256" and "d" not in published
    signed = jwt.encode({"x": 1}, key.private_pem, algorithm="RS256", headers={"kid": key.kid})
    public = jwt.PyJWK(published).key
    assert jwt.decode(signed, public, algorithms=["RS256"]) == {"x": 1}


def test_the_page_session_names_its_learner_and_nothing_forged_or_expired(tmp_path):
    key = ToolKey.load_or_create(tmp_path / "key.pem")
    now = utcnow()
    sessions = PageSessions(key.secret("page-session"), 1.0, lambda: now)
    token = sessions.issue("lti-abc")
    assert sessions.learner(token) == "lti-abc"
    forged = jwt.encode({"sub": "lti-other", "aud": "assistant-page", "exp": now + timedelta(hours=1)},
                        b"a guess at the secret, 32 bytes!", algorithm="HS256")
    assert sessions.learner(forged) is None and sessions.learner("not a token") is None
    earlier = PageSessions(key.secret("page-session"), 1.0, lambda: now - timedelta(hours=2))
    assert sessions.learner(earlier.issue("lti-abc")) is None  # expired an hour ago
