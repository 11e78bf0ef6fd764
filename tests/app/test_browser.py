"""The learner's page in a real headless Chromium at phone width: chat, cards, feedback, the profile panel."""

import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from assistant.app import launch
from assistant.config import PROJECT_ROOT

CHROMIUM = Path("/usr/bin/chromium")
# Headless, and nothing the browser would fetch for itself: the test must not depend on the network.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = {"width": 390, "height": 844}
TURN_TIMEOUT_MS = 240_000  # a turn with reasons takes 10-30 s on 2 busy cores

if not CHROMIUM.exists():
    pytest.skip("Chromium is not installed and could not be (`make test` installs it with apt-get)",
                allow_module_level=True)
os.environ["PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD"] = "1"  # never let Playwright fetch a browser of its own

from playwright import sync_api
from ports import free_port


@pytest.fixture(scope="module")
def app_url(engine):
    app = launch(engine, block=False, port=free_port())
    try:
        yield app.local_url
    finally:
        app.close()


@pytest.fixture(scope="module")
def playwright():
    with sync_api.sync_playwright() as p:
        yield p


@pytest.fixture
def browser(playwright, request):
    """A fresh browser profile per test (locale as the test's param); requests leaving loopback are refused and
    listed in `outside`."""
    outside: list[str] = []
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile_dir:
        context = playwright.chromium.launch_persistent_context(
            profile_dir, executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS, viewport=PHONE,
            locale=getattr(request, "param", "en-US"),
        )
        context.route(re.compile(r"^(?!https?://(127\.0\.0\.1|localhost)[:/]).*"),
                      lambda route: (outside.append(route.request.url), route.abort()))
        try:
            yield SimpleNamespace(new_page=context.new_page, outside=outside)
        finally:
            context.close()


def _save_screenshot(page, tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    page.screenshot(path=str(path), full_page=True)
    for_humans = PROJECT_ROOT / "reports" / "browser"
    for_humans.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, for_humans / name)
    return path


def _ask(page, label: str, message: str) -> None:
    box = page.get_by_label(label)
    box.fill(message)
    box.press("Enter")
    page.locator("#chat .rec-card").first.wait_for(timeout=TURN_TIMEOUT_MS)
    page.locator("#chat .rec-pending").first.wait_for(state="detached", timeout=TURN_TIMEOUT_MS)


def test_a_learner_chats_gets_cards_and_their_feedback_changes_the_profile(app_url, browser, tmp_path):
    page = browser.new_page()
    page.goto(app_url)
    profile = page.locator("#profile")
    sync_api.expect(profile).to_contain_text("Nothing yet")

    _ask(page, "Your message", "I'm new to programming and want to learn Rust. Books please.")
    cards = page.locator("#chat .rec-card")
    assert cards.count() >= 3
    assert all(cards.nth(i).locator(".rec-reason").inner_text().strip() for i in range(cards.count()))
    sync_api.expect(page.locator("#chat")).to_contain_text("Here are")
    sync_api.expect(profile).to_contain_text("Rust")
    sync_api.expect(profile).not_to_contain_text("You liked")

    first = cards.first
    title = first.locator("a.rec-link").inner_text()
    first.get_by_role("button", name="Helpful").click()
    sync_api.expect(profile).to_contain_text("You liked or opened")
    sync_api.expect(profile).to_contain_text(title)
    sync_api.expect(first.get_by_role("button", name="Helpful")).to_have_attribute("aria-pressed", "true")
    sync_api.expect(page.locator("#status")).to_contain_text(f"Noted: {title}")

    # Keyboard: from a card's title link, Tab reaches that card's feedback buttons in reading order.
    second = cards.nth(1)
    second.locator("a.rec-link").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.kind") == "helpful"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # "Not for me" on the second card
    sync_api.expect(profile).to_contain_text("Not for you")

    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "the page scrolls sideways"
    assert browser.outside == [], f"the page fetched from outside the server: {browser.outside}"
    assert _save_screenshot(page, tmp_path, "learner-en.png").stat().st_size > 10_000

    # Opening a resource from its title counts as interest too (the resource's own site is out of reach here).
    third = cards.nth(2)
    with page.expect_popup() as popup:
        third.locator("a.rec-link").click()
    popup.value.close()
    sync_api.expect(profile).to_contain_text(third.locator("a.rec-link").inner_text())
    href = third.locator("a.rec-link").get_attribute("href")
    assert [url.rstrip("/") for url in browser.outside] == [href.rstrip("/")]


@pytest.mark.parametrize("browser", ["zh-CN"], indirect=True)
def test_a_chinese_learner_gets_chinese_labels_cards_and_profile(app_url, browser, tmp_path):
    page = browser.new_page()
    page.goto(app_url)
    _ask(page, "你的消息", "我们团队开始用 Git 做版本控制了，推荐一些中文书吧。")
    first = page.locator("#chat .rec-card").first
    sync_api.expect(first.get_by_role("button", name="有用")).to_be_visible()
    sync_api.expect(page.locator("#profile")).to_contain_text("你想学")
    sync_api.expect(page.get_by_role("button", name="删除我的数据")).to_be_visible()
    _save_screenshot(page, tmp_path, "learner-zh.png")


def test_a_learner_edits_exports_and_deletes_what_the_assistant_knows(app_url, browser, engine):
    page = browser.new_page()
    page.goto(app_url)
    profile = page.locator("#profile")
    sync_api.expect(profile).to_contain_text("Nothing yet")
    page.get_by_text("Change what I know").click()
    # The form's fields mount when the section opens and then take the values the page loaded with, so the
    # test types last and sees its value held before saving (as a learner would).
    page.locator("fieldset", has_text="Formats you like").get_by_label("video").check()
    minutes = page.get_by_label("Minutes per session")
    minutes.fill("15")
    minutes.press("Tab")
    sync_api.expect(minutes).to_have_value("15")
    page.get_by_role("button", name="Save changes").click()
    sync_api.expect(profile).to_contain_text("Minutes per session: 15")
    sync_api.expect(profile).to_contain_text("Formats you like: videos")

    page.reload()  # the browser remembers its learner
    sync_api.expect(profile).to_contain_text("Minutes per session: 15")

    page.get_by_role("button", name="Export my data").click()
    with page.expect_download() as download:
        page.locator("#export a[download]").click()
    exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert exported["profile"]["time_budget_minutes"] == 15 and exported["profile"]["learner_id"].startswith("web-")

    page.get_by_role("button", name="Forget me").click()
    page.get_by_role("button", name="Yes, delete everything about me").click()
    sync_api.expect(profile).to_contain_text("Nothing yet")
    sync_api.expect(page.locator("#status")).to_contain_text("Deleted everything stored about you")
    assert engine.learners.get(exported["profile"]["learner_id"]) is None
