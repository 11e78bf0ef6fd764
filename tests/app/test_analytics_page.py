"""The curators' analytics page after a scripted set of learners (fake LLM, real index, real store, served app):
the counts are the expected ones (Chinese requests for Kubernetes, which nothing in Chinese covers, are unmet
demand; a missing prerequisite is a learning gap; "not for me" marks make a resource declined), the page refuses
without the admin key and says its numbers are aggregates, every table downloads as CSV, and
`assistant analytics --out` writes the same tables and charts."""

import csv
import io
import os
import re
import tempfile
from pathlib import Path

import httpx
import pytest
from ports import free_port

from assistant.app import launch
from assistant.cli import main
from assistant.config import PROJECT_ROOT
from assistant.engine import Engine
from assistant.llm import build_llm
from assistant.profile.sqlite_store import SQLiteStore

ADMIN = "curator-key"
KUBERNETES_ZH = "我想学 Kubernetes，有什么推荐？"
BAYES = "I want to learn Bayesian networks, but I never understood Bayes' rule."
RUST = "I'm new to programming and want to learn Rust. Books please."
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def scripted(settings, store, catalog, graph, tmp_path_factory):
    """A fresh learner store after six learners: two ask for Kubernetes in Chinese, one for Bayesian networks without
    Bayes' rule, three for Rust books (two mark the first book "not for me", one asks "why number 2?")."""
    folder = tmp_path_factory.mktemp("analytics")
    curated = settings.with_changes(llm={"backend": "fake"}, serving={"admin_key": ADMIN}, store={"dir": folder})
    engine = Engine(curated, store, build_llm(curated.llm, curated.cache_dir),
                    SQLiteStore(folder / "learners.sqlite3"), catalog, graph)
    for learner in ("zh-1", "zh-2"):
        engine.turns.turn(learner, KUBERNETES_ZH, with_reasons=False)
    engine.turns.turn("bayes-1", BAYES, with_reasons=False)
    rust = [engine.turns.turn(f"rust-{i}", RUST, with_reasons=False) for i in range(3)]
    declined = rust[0].recommendations[0].resource
    for i in (0, 1):
        engine.learner_data.feedback(f"rust-{i}", declined.id, "not_for_me")
    engine.learner_data.feedback("rust-2", rust[2].recommendations[1].resource.id, "helpful")
    engine.turns.turn("rust-2", "why number 2?", with_reasons=False)  # an answer, not a request: not counted
    app = launch(engine, block=False, port=free_port())
    try:
        yield engine, app.local_url.rstrip("/"), declined
    finally:
        app.close()


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_page_refuses_without_the_admin_key_and_is_off_without_one(scripted, fake_engine):
    _, url, _ = scripted
    assert httpx.get(f"{url}/analytics/").status_code == 401
    assert httpx.get(f"{url}/analytics/demand.csv", headers={"X-Admin-Key": "wrong"}).status_code == 401
    assert "admin key" in httpx.get(f"{url}/analytics/", auth=("curator", "wrong")).text
    off = launch(fake_engine, block=False, port=free_port())  # no ASSISTANT_SERVING_ADMIN_KEY
    try:
        refused = httpx.get(f"{off.local_url}analytics/", auth=("curator", ADMIN))
        assert refused.status_code == 403 and "ASSISTANT_SERVING_ADMIN_KEY" in refused.text
        assert "/analytics" not in httpx.get(off.local_url).text  # the learner page never links to it
    finally:
        off.close()


def test_the_counts_after_the_scripted_learners(scripted):
    _, url, declined = scripted
    page = httpx.get(f"{url}/analytics", auth=("curator", ADMIN), follow_redirects=True)
    assert page.status_code == 200 and str(page.url).endswith("/analytics/")
    text = re.sub(r"<[^>]+>", " ", page.text)
    assert "Aggregates only" in text and "No learner ids and no message text" in text
    assert re.search(r"Counted over everything kept:\s+6\s+recommendation turns and\s+3\s+feedback events", text)
    assert all(f"rust-{i}" not in page.text and "zh-1" not in page.text for i in range(3))
    assert "Kubernetes，有什么推荐" not in page.text and "never understood" not in page.text  # no message text
    assert page.text.count('src="data:image/png;base64,') == 5

    def table(name: str) -> list[dict]:
        response = httpx.get(f"{url}/analytics/{name}.csv", headers={"X-Admin-Key": ADMIN})
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
        return rows(response.text)

    unmet = table("unmet_demand")
    assert {"topic": "Kubernetes", "language": "zh", "relaxed_filter": "language", "turns": "2"} in unmet
    demand = table("demand")
    assert sum(int(r["turns"]) for r in demand if r["topic"] == "Kubernetes" and r["language"] == "zh") == 2
    assert sum(int(r["turns"]) for r in demand if r["topic"] == "Rust" and r["language"] == "en") == 3
    gaps = table("learning_gaps")
    assert gaps == [{"prerequisite": "Bayes' rule", "needed_for": "Bayesian networks", "turns": "1"}]
    assert table("declined")[0] == {"resource_id": declined.id, "title": declined.title, "not_for_me": "2",
                                    "shown": "3", "not_for_me_rate": "0.667"}
    by_resource = {r["resource_id"]: r for r in table("reception_by_resource")}
    assert by_resource[declined.id]["not_for_me"] == "2" and by_resource[declined.id]["shown"] == "3"
    assert sum(int(r["helpful"]) for r in by_resource.values()) == 1
    by_topic = {r["topic"]: r for r in table("reception_by_topic")}
    assert int(by_topic["Rust"]["not_for_me"]) >= 2
    png = httpx.get(f"{url}/analytics/unmet_demand.png", headers={"X-Admin-Key": ADMIN})
    assert png.headers["content-type"] == "image/png" and png.content.startswith(b"\x89PNG")
    assert httpx.get(f"{url}/analytics/nothing.csv", headers={"X-Admin-Key": ADMIN}).status_code == 404


def test_the_command_writes_the_same_tables_and_charts(scripted, monkeypatch, tmp_path, capsys):
    engine, url, _ = scripted
    monkeypatch.setenv("ASSISTANT_STORE_DIR", str(engine.settings.store.dir))
    monkeypatch.setenv("ASSISTANT_SOURCES_DIR", str(engine.settings.sources_dir))
    assert main(["analytics", "--out", str(tmp_path / "out")]) == 0
    assert "6 turns and 3 feedback events counted" in capsys.readouterr().out
    for name in engine.analytics.compute().tables:
        served = httpx.get(f"{url}/analytics/{name}.csv", headers={"X-Admin-Key": ADMIN}).text
        assert (tmp_path / "out" / f"{name}.csv").read_text(encoding="utf-8") == served
    assert sorted(p.name for p in (tmp_path / "out").glob("*.png")) == [
        "declined.png", "demand.png", "learning_gaps.png", "reception_by_topic.png", "unmet_demand.png"]


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed (`make test` installs it)")
def test_the_page_in_a_browser(scripted):
    """What a curator sees (the screenshot in reports/browser/ is the one docs/analytics.png was taken from)."""
    os.environ["PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD"] = "1"
    from playwright import sync_api

    _, url, _ = scripted
    with sync_api.sync_playwright() as p, tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), headless=True, viewport={"width": 1000, "height": 900},
            args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
            http_credentials={"username": "curator", "password": ADMIN})
        page = context.new_page()
        page.goto(f"{url}/analytics/")
        sync_api.expect(page.locator("#unmet_demand table")).to_contain_text("Kubernetes")
        sync_api.expect(page.locator("#unmet_demand table")).to_contain_text("zh")
        sync_api.expect(page.locator("#privacy")).to_contain_text("Aggregates only")
        assert page.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
        (PROJECT_ROOT / "reports" / "browser").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(PROJECT_ROOT / "reports" / "browser" / "analytics.png"), full_page=False)
        with page.expect_download() as download:
            page.locator("#declined a[download][href*='.csv']").click()
        assert download.value.suggested_filename == "declined.csv"
        context.close()
