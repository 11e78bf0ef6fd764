"""LTI 1.3 launches through a real headless Chromium, from a platform the test runs itself (its own RSA key, JWKS
and signed id_tokens; tests/lti_platform.py) on another site than the tool, the tool inside the course page's iframe.

A valid launch lands on the chat page as the launched learner (course topics seeded, roles recorded), who chats and
reacts, and whose statements reach the LRS with their LMS account. A tampered signature, a wrong audience, an unknown
deployment, a replayed id_token and an expired one are each refused with a page saying why, and nothing is stored.
"""

import re
import shutil
import socket
import tempfile
import time
from pathlib import Path

import pytest

from assistant.app import launch
from assistant.config import PROJECT_ROOT
from assistant.lms.lti import lti_learner_id
from assistant.lms.page_session import COOKIE

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 60_000

if not CHROMIUM.exists():
    pytest.skip("Chromium is not installed and could not be (`make test` installs it with apt-get)",
                allow_module_level=True)

from lti_platform import DEPLOYMENT, LEARNER_ROLE, Platform  # noqa: E402
from playwright import sync_api  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def platform():
    server = Platform()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def tool(platform, settings, store, catalog, graph, lrs, tmp_path_factory):
    """The app served on loopback with the platform registered and the LRS configured (fake LLM)."""
    from lrs_server import KEY, SECRET

    from assistant.engine import Engine
    from assistant.llm import build_llm
    from assistant.profile.sqlite_store import SQLiteStore

    folder = tmp_path_factory.mktemp("lti-tool")
    tool_settings = settings.with_changes(
        llm={"backend": "fake"}, lti={"platforms": [platform.registration()], "private_key_file": folder / "key.pem"},
        xapi={"url": lrs.url, "key": KEY, "secret": SECRET})
    engine = Engine(tool_settings, store, build_llm(tool_settings.llm, tool_settings.cache_dir),
                    SQLiteStore(folder / "learners.sqlite3"), catalog, graph)
    app = launch(engine, block=False, port=_free_port())
    platform.tool_url = app.local_url.rstrip("/")
    try:
        yield engine
    finally:
        app.close()
        engine.outbox.stop()


@pytest.fixture(scope="module")
def chromium():
    with sync_api.sync_playwright() as p, tempfile.TemporaryDirectory(prefix="chromium-") as profile_dir:
        outside: list[str] = []
        context = p.chromium.launch_persistent_context(profile_dir, executable_path=str(CHROMIUM), headless=True,
                                                       args=CHROMIUM_ARGS, viewport={"width": 1000, "height": 1100})
        context.route(re.compile(r"^(?!https?://(127\.0\.0\.1|localhost)[:/]).*"),
                      lambda route: (outside.append(route.request.url), route.abort()))
        yield context
        context.close()


def screenshot(page, tmp_path: Path, name: str) -> None:
    """Kept in reports/browser/ for people to look at."""
    page.screenshot(path=str(tmp_path / name), full_page=True)
    (PROJECT_ROOT / "reports" / "browser").mkdir(parents=True, exist_ok=True)
    shutil.copy(tmp_path / name, PROJECT_ROOT / "reports" / "browser" / name)


def eventually(check, seconds: float = 20.0):
    """The check's first truthy answer within `seconds`, else its last answer."""
    deadline = time.monotonic() + seconds
    while not (answer := check()) and time.monotonic() < deadline:
        time.sleep(0.2)
    return answer


def open_course(page, platform, sub: str, shows: str) -> None:
    """Open the course as `sub` until the tool's profile shows `shows`. A fresh clone's full run once saw the tool
    frame stay empty for a minute; opening the course again is a new launch (new login, new id token)."""
    for attempt in range(2):
        page.goto(platform.course_url(sub))
        try:
            sync_api.expect(page.frame_locator("#tool").locator("#profile")).to_contain_text(shows, timeout=TIMEOUT_MS)
            return
        except AssertionError:
            if attempt:
                raise


def stored(engine, issuer: str, sub: str, deployment: str = DEPLOYMENT) -> int:
    return engine.learners.count_rows(lti_learner_id(issuer, deployment, sub))


def test_a_valid_launch_lands_on_the_chat_page_as_the_launched_learner(platform, tool, chromium, lrs, tmp_path):
    page = chromium.new_page()
    page.goto(platform.course_url("student-7"))
    frame = page.frame_locator("#tool")
    profile = frame.locator("#profile")
    sync_api.expect(profile).to_contain_text("You want to learn", timeout=TIMEOUT_MS)
    sync_api.expect(profile).to_contain_text("Rust")
    screenshot(page, tmp_path, "lti-launch.png")

    learner = lti_learner_id(platform.issuer, DEPLOYMENT, "student-7")
    account = tool.learners.lms_account(learner)
    assert account.subject == "student-7" and account.roles == [LEARNER_ROLE]
    assert (account.context_id, account.context_label) == ("course-42", "RUST101")
    assert "Rust" in tool.learners.get(learner).topics
    cookie = next(c for c in chromium.cookies() if c["name"] == COOKIE)
    assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "None"

    box = frame.get_by_label("Your message")
    box.fill("Books please, I am new to programming.")
    box.press("Enter")
    first = frame.locator("#chat .rec-card").first
    first.wait_for(timeout=TIMEOUT_MS)
    title = first.locator("a.rec-link").inner_text()
    first.get_by_role("button", name="Helpful").click()
    sync_api.expect(profile).to_contain_text(title, timeout=TIMEOUT_MS)
    assert tool.learners.get(learner).liked, "the click reached the launched learner's profile"

    def mine() -> list[dict]:
        return [s for s in lrs.statements() if s["actor"].get("account") == {"homePage": platform.issuer,
                                                                             "name": "student-7"}]
    # The app's own background sender delivers them.
    assert eventually(lambda: any(s["verb"]["id"] == "http://adlnet.gov/expapi/verbs/preferred" for s in mine()))
    assert any(s["verb"]["id"].endswith("/recommended") for s in mine())

    # The same browser opening the tool on its own is not in the course's partition: a page learner, no LMS data.
    alone = chromium.new_page()
    alone.goto(platform.tool_url)
    sync_api.expect(alone.locator("#profile")).to_contain_text("Nothing yet", timeout=TIMEOUT_MS)
    alone.close()

    # The same LMS user launching again keeps their profile: same learner, one account.
    page.goto(platform.course_url("student-7"))
    sync_api.expect(page.frame_locator("#tool").locator("#profile")).to_contain_text(title, timeout=TIMEOUT_MS)


@pytest.mark.parametrize("scenario, reason", [
    ("tampered", "signature does not match"),
    ("wrong_audience", "meant for another tool"),
    ("unknown_deployment", "deployment of the platform is not registered"),
    ("expired", "has expired"),
])
def test_a_bad_launch_is_refused_with_a_clear_page_and_nothing_stored(platform, tool, chromium, scenario, reason,
                                                                     tmp_path):
    sub = f"student-{scenario}"
    before = sum(tool.learners.outbox_counts().values())  # sending moves rows from waiting to sent, no more
    page = chromium.new_page()
    page.goto(platform.course_url(sub, scenario))
    frame = page.frame_locator("#tool")
    sync_api.expect(frame.locator("h1")).to_have_text("The learning assistant could not open", timeout=TIMEOUT_MS)
    sync_api.expect(frame.locator("#reason")).to_contain_text(reason)
    sync_api.expect(frame.locator("main")).to_contain_text("Nothing was stored.")
    assert stored(tool, platform.issuer, sub) == 0
    assert stored(tool, platform.issuer, sub, "deploy-not-registered") == 0
    assert stored(tool, platform.issuer, "someone-else") == 0
    assert sum(tool.learners.outbox_counts().values()) == before
    if scenario == "tampered":
        screenshot(page, tmp_path, "lti-refused.png")
    page.close()


def test_a_replayed_id_token_is_refused_and_changes_nothing(platform, tool, chromium):
    page = chromium.new_page()
    open_course(page, platform, "student-replay", "Rust")
    learner = lti_learner_id(platform.issuer, DEPLOYMENT, "student-replay")
    rows, launched = tool.learners.count_rows(learner), tool.learners.lms_account(learner).launched_at

    page.goto(platform.course_url("student-replay", "replay"))
    frame = page.frame_locator("#tool")
    sync_api.expect(frame.locator("#reason")).to_contain_text("already been used", timeout=TIMEOUT_MS)
    assert tool.learners.count_rows(learner) == rows
    assert tool.learners.lms_account(learner).launched_at == launched


def test_a_launched_learner_edits_exports_and_forgets_themselves_and_the_lrs_is_told(platform, tool, chromium, lrs):
    page = chromium.new_page()
    open_course(page, platform, "student-forget", "Rust")
    frame = page.frame_locator("#tool")
    profile = frame.locator("#profile")
    learner = lti_learner_id(platform.issuer, DEPLOYMENT, "student-forget")

    frame.get_by_text("Change what I know").click()
    minutes = frame.get_by_label("Minutes per session")
    # The page's first load (profile, conversations) can still refill the form just after it opens: type again then.
    for _ in range(5):
        minutes.fill("25")
        minutes.press("Tab")
        try:
            sync_api.expect(minutes).to_have_value("25", timeout=2_000)
            break
        except AssertionError:
            continue
    sync_api.expect(minutes).to_have_value("25")
    frame.get_by_role("button", name="Save changes").click()
    sync_api.expect(profile).to_contain_text("Minutes per session: 25", timeout=TIMEOUT_MS)
    assert tool.learners.get(learner).time_budget_minutes == 25

    frame.get_by_role("button", name="Export my data").click()
    sync_api.expect(frame.locator("#export a[download]")).to_be_visible(timeout=TIMEOUT_MS)
    exported = tool.learner_data.export(learner)
    assert exported.lms_account.subject == "student-forget" and exported.profile.time_budget_minutes == 25

    frame.get_by_role("button", name="Forget me").click()
    frame.get_by_role("button", name="Yes, delete everything about me").click()
    sync_api.expect(profile).to_contain_text("Nothing yet", timeout=TIMEOUT_MS)
    assert tool.learners.count_rows(learner) == 0
    assert eventually(lambda: [s for s in lrs.statements() if s["verb"]["id"].endswith("/erased-profile")
                               and s["actor"]["account"] == {"homePage": platform.issuer, "name": "student-forget"}])
