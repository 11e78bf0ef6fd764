"""The conversation and its history in a real headless Chromium at phone width (fake LLM, real index and store):
each reply's cards sit under it in the conversation and keep the reactions given; the examples step aside; a new
visit lists the earlier conversation, and reopening it (from the keyboard) shows its turns and cards with the
feedback given; past the limit the page asks politely to slow down."""

import os
import re
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import pytest

from assistant.app import launch
from assistant.config import PROJECT_ROOT
from assistant.engine import Engine
from assistant.fair_use import FairUse
from assistant.llm import build_llm
from assistant.profile.sqlite_store import SQLiteStore

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 60_000
RUST = "I'm new to programming and want to learn Rust. Books please."
SHORTER = "Something shorter please"

if not CHROMIUM.exists():
    pytest.skip("Chromium is not installed and could not be (`make test` installs it with apt-get)",
                allow_module_level=True)
os.environ["PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD"] = "1"

from playwright import sync_api
from ports import free_port


@pytest.fixture(scope="module")
def app_url(settings, store, catalog, graph, tmp_path_factory):
    """The page on the fake LLM; 3 turns a minute per learner, on a clock that stands still (however slow the
    browser, the fourth turn falls in the same minute)."""
    fake = settings.with_changes(llm={"backend": "fake"})
    learners = SQLiteStore(tmp_path_factory.mktemp("history-page") / "learners.sqlite3")
    engine = Engine(fake, store, build_llm(fake.llm, fake.cache_dir), learners, catalog, graph)
    moment = datetime.now(timezone.utc)
    engine.turns.fair_use = FairUse(learners, 3, 0, lambda: moment)
    app = launch(engine, block=False, port=free_port())
    try:
        yield app.local_url
    finally:
        app.close()


@pytest.fixture
def browser(request):
    with sync_api.sync_playwright() as p, tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS, viewport=PHONE,
            locale=getattr(request, "param", "en-US"))
        context.route(re.compile(r"^(?!https?://(127\.0\.0\.1|localhost)[:/]).*"), lambda route: route.abort())
        yield context
        context.close()


def ask(page, message: str, replies: int) -> None:
    """Send a message and wait until the conversation holds `replies` replies, every reason written."""
    box = page.get_by_label("Your message")
    box.fill(message)
    box.press("Enter")
    sync_api.expect(page.locator("#chat .msg-assistant")).to_have_count(replies, timeout=TIMEOUT_MS)
    page.locator("#chat .msg-assistant").nth(replies - 1).locator(".rec-card").first.wait_for(timeout=TIMEOUT_MS)
    sync_api.expect(page.locator("#chat .rec-pending")).to_have_count(0, timeout=TIMEOUT_MS)


def bubbles(page) -> list[str]:
    """The conversation in page order: who spoke, and whether cards follow inside the bubble."""
    return page.evaluate("""[...document.querySelectorAll('#chat .msg')].map(m =>
        m.className.replace('msg ', '') + (m.querySelector('.rec-card') ? '+cards' : ''))""")


def test_cards_stay_in_the_conversation_and_an_earlier_one_reopens_with_its_feedback(app_url, browser):
    page = browser.new_page()
    page.goto(app_url)
    sync_api.expect(page.locator("#sessions")).to_contain_text("No earlier conversations yet", timeout=TIMEOUT_MS)
    sync_api.expect(page.locator("#examples")).to_be_visible()

    ask(page, RUST, 1)
    sync_api.expect(page.locator("#examples")).to_be_hidden()  # the examples step aside once the talk has begun
    first_card = page.locator("#chat .msg-assistant").first.locator(".rec-card").first
    title = first_card.locator("a.rec-link").inner_text()
    first_card.get_by_role("button", name="Helpful").click()
    sync_api.expect(page.locator("#profile")).to_contain_text(title)

    ask(page, SHORTER, 2)
    assert bubbles(page) == ["msg-learner", "msg-assistant+cards", "msg-learner", "msg-assistant+cards"]
    # The first reply's cards come after its text and before the next message, and keep the reaction given.
    order = page.evaluate("""() => {
        const [asked, next] = document.querySelectorAll('#chat .msg-learner');
        const card = document.querySelector('#chat .msg-assistant .rec-card');
        return [asked.compareDocumentPosition(card) & Node.DOCUMENT_POSITION_FOLLOWING,
                card.compareDocumentPosition(next) & Node.DOCUMENT_POSITION_FOLLOWING];
    }""")
    assert all(order)
    sync_api.expect(first_card.get_by_role("button", name="Helpful")).to_have_attribute("aria-pressed", "true")
    sync_api.expect(page.locator("#sessions")).to_contain_text("this conversation")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "the page scrolls sideways"
    (PROJECT_ROOT / "reports" / "browser").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(PROJECT_ROOT / "reports" / "browser" / "conversation-en.png"), full_page=True)

    page.get_by_role("button", name="New chat").click()
    sync_api.expect(page.locator("#chat .msg")).to_have_count(0)
    sync_api.expect(page.locator("#examples")).to_be_visible()

    page.reload()  # a new visit: a new conversation, the earlier one listed with its first message and date
    earlier = page.locator("#sessions .session-open").first
    sync_api.expect(earlier).to_contain_text(RUST, timeout=TIMEOUT_MS)
    sync_api.expect(earlier.locator("time")).to_have_text(re.compile(r"^\d{4}-\d{2}-\d{2}$"))
    sync_api.expect(page.locator("#chat .msg")).to_have_count(0)
    earlier.focus()
    page.keyboard.press("Enter")  # reopened from the keyboard
    sync_api.expect(page.locator("#chat .msg-assistant")).to_have_count(2, timeout=TIMEOUT_MS)
    assert bubbles(page) == ["msg-learner", "msg-assistant+cards", "msg-learner", "msg-assistant+cards"]
    reopened = page.locator("#chat .msg-assistant").first.locator(".rec-card").first
    sync_api.expect(reopened.locator("a.rec-link")).to_have_text(title)
    sync_api.expect(reopened.get_by_role("button", name="Helpful")).to_have_attribute("aria-pressed", "true")
    sync_api.expect(page.locator("#examples")).to_be_hidden()
    page.screenshot(path=str(PROJECT_ROOT / "reports" / "browser" / "history-reopened.png"), full_page=True)

    # The reopened conversation goes on: a third turn (the limit is three a minute), then a polite refusal.
    ask(page, "Any videos instead?", 3)
    box = page.get_by_label("Your message")
    box.fill("And podcasts?")
    box.press("Enter")
    notice = page.locator("#chat .msg-notice")
    sync_api.expect(notice).to_contain_text(re.compile(r"please slow down and try again in \d+ s"),
                                            timeout=TIMEOUT_MS)
    sync_api.expect(box).to_have_value("And podcasts?")  # kept, to send once the wait is over
    assert bubbles(page)[-1] == "msg-notice"

    # Deleting the earlier conversation from the list (it is the open one): a fresh conversation starts.
    page.locator("#sessions .session-delete").first.click()
    sync_api.expect(page.locator("#status")).to_contain_text("Conversation deleted")
    sync_api.expect(page.locator("#sessions")).to_contain_text("No earlier conversations yet")
    sync_api.expect(page.locator("#chat .msg")).to_have_count(0)


@pytest.mark.parametrize("browser", ["zh-CN"], indirect=True)
def test_the_history_speaks_chinese(app_url, browser):
    page = browser.new_page()
    page.goto(app_url)
    sync_api.expect(page.get_by_role("button", name="新对话")).to_be_visible(timeout=TIMEOUT_MS)
    sync_api.expect(page.get_by_text("以前的对话")).to_be_visible()
