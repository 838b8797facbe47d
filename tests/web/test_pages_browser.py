"""The snapshot pages in a real browser: Playwright driving Debian's Chromium against the app
served by uvicorn on a free port, on the sandbox's data.

Covered: connect, browse, search, select (one by one and all), import with its progress bar,
the "already imported" badge, the imports page, Arabic laid out right to left (computed
``direction`` and a mirrored box), and a record whose name is an XSS attempt (shown as text,
no script run). No Content-Security-Policy violation on any page. Screenshots go to
``test-artifacts/pages/`` (git-ignored).

Without Chromium the tests skip, saying how to get it; on CI (``CI`` set) they fail instead:
``.ci/run`` installs Debian's ``chromium`` package.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from .._servers import server_absent
from ._pages import KEY, Site, make_site
from ._snapshot_fake import fake_backend

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "pages"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
XSS = "<img src=x onerror=\"document.title='pwned'\"><script>document.title='pwned'</script>"


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None and Path("/usr/bin/chromium").exists():
        found = "/usr/bin/chromium"
    if found is None:
        server_absent(
            "no Chromium found for the browser tests",
            "install Debian's chromium package (apt-get install chromium) to run them",
        )
    return found


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, str]]:
    """The app with the pages on uvicorn, in a thread, on a free loopback port."""
    import uvicorn

    site = make_site(tmp_path_factory.mktemp("browser"), backend=fake_backend(step_delay=0.15))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(site.app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start within 20 s"
        time.sleep(0.02)
    try:
        yield site, f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()
        site.store.close()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    path = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium: Any, served: tuple[Site, str]) -> Iterator[Any]:
    """A fresh browser context (no cookies) on the site, collecting CSP violations."""
    _, base = served
    context = chromium.new_context(
        base_url=base, locale="en-US", viewport={"width": 1280, "height": 800}
    )
    tab = context.new_page()
    tab.violations = []
    tab.on(
        "console",
        lambda msg: (
            tab.violations.append(msg.text) if "Content Security Policy" in msg.text else None
        ),
    )
    try:
        yield tab
    finally:
        assert tab.violations == [], tab.violations
        context.close()


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_connect_tests_the_key_and_saves_it(page: Any, served: tuple[Site, str]) -> None:
    site, _ = served
    page.goto("/snapshots/connect")
    assert page.locator("#api_key").get_attribute("type") == "password"
    page.fill("#api_key", "a-wrong-key-1234")
    page.fill("#base_url", "http://emulator.test")
    page.click("button[value=test]")
    assert "Attio refused this API key" in page.inner_text("#connect-result")
    assert "a-wrong-key-1234" not in page.content()
    page.fill("#api_key", KEY)
    page.fill("#base_url", "http://emulator.test")
    page.click("button[value=save]")
    assert "Connected to the workspace" in page.inner_text("#connect-result")
    assert KEY not in page.content()
    _shot(page, "connect")
    assert (site.project / ".attio-bridge" / "settings.toml").exists()


def test_browse_search_select_and_import_with_progress_then_the_badge_and_imports(
    page: Any,
) -> None:
    page.goto("/snapshots/browse/companies")
    rows = page.locator("#records tbody tr")
    assert rows.count() == 8
    button = page.locator("#import-button")
    assert button.is_disabled()
    page.locator("#select-all").check()
    assert page.inner_text("#selected-count") == "8"
    page.locator("#select-all").uncheck()
    assert page.inner_text("#selected-count") == "0" and button.is_disabled()
    _shot(page, "browse")

    page.fill("input[name=q]", "a")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**/browse/companies?**q=a**")
    matching = page.locator("#records tbody tr")
    assert 0 < matching.count() < 8
    names = [matching.nth(i).locator("td.name").inner_text() for i in range(4)]
    for i in range(4):
        matching.nth(i).locator("input.row-pick").check()
    assert page.inner_text("#selected-count") == "4"
    assert page.locator("#select-all").evaluate("box => box.indeterminate")
    _shot(page, "selected")

    button.click()
    page.wait_for_selector("#job-status[data-state=running] progress")
    _shot(page, "importing")
    page.wait_for_selector("#job-status[data-state=done]", timeout=15_000)
    assert "4 records imported." in page.inner_text("#job-status")
    _shot(page, "imported")

    page.reload()
    badges = page.locator("#records tbody tr .badge.imported")
    assert badges.count() == 4
    page.click("text=Imports")
    page.wait_for_url("**/snapshots/imports")
    imported = page.locator("#imports tbody td.name")
    assert sorted(imported.all_inner_texts()) == sorted(names)
    first = page.locator("#imports details").first
    first.locator("summary").click()
    page.wait_for_selector("#imports details .history li")
    assert "import " in first.locator(".history").inner_text()
    _shot(page, "imports")


def _box(page: Any, selector: str) -> dict[str, float]:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return dict(box)


def test_arabic_is_laid_out_right_to_left(page: Any) -> None:
    page.goto("/snapshots/browse/people")
    width = page.viewport_size["width"]
    ltr_languages = _box(page, "nav.languages")
    ltr_pick = _box(page, "#records tbody tr td.pick")
    page.click("nav.languages a[lang=ar]")
    page.wait_for_selector("html[lang=ar]")
    assert page.evaluate("getComputedStyle(document.documentElement).direction") == "rtl"
    assert page.get_attribute("html", "dir") == "rtl"
    assert "استيراد المحدد" in page.inner_text("#import-button")
    rtl_languages = _box(page, "nav.languages")
    rtl_pick = _box(page, "#records tbody tr td.pick")
    # The language switch sits at the inline end: right in English, left in Arabic.
    assert ltr_languages["x"] > width / 2
    assert rtl_languages["x"] + rtl_languages["width"] < width / 2
    # The checkbox column opens the row: left in English, right in Arabic.
    assert ltr_pick["x"] < width / 4
    assert rtl_pick["x"] > width * 3 / 4
    _shot(page, "arabic")
    page.click("nav.languages a[lang=en]")
    page.wait_for_selector("html[lang=en]")


def test_an_xss_record_name_is_shown_as_text_and_runs_nothing(
    page: Any, served: tuple[Site, str]
) -> None:
    site, _ = served
    with TestClient(site.emulator, headers={"Authorization": f"Bearer {KEY}"}) as api:
        api.post(
            "/v2/objects/companies/records",
            json={"data": {"values": {"name": XSS, "domains": ["xss-browser-test.com"]}}},
        ).raise_for_status()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto("/snapshots/browse/companies?q=xss-browser-test")
    cell = page.locator("#records tbody td.name").first
    assert cell.inner_text().strip() == XSS
    assert page.locator("#records img").count() == 0
    assert page.title() != "pwned" and dialogs == []
    _shot(page, "xss")


def test_the_events_page_updates_by_itself_under_its_csp(
    page: Any, served: tuple[Site, str]
) -> None:
    import httpx

    from ._support import delivery, record_event, signed

    _, base = served
    page.goto("/")
    page.wait_for_selector("#feed")
    body = delivery(record_event("rec-browser-42"))
    answer = httpx.post(f"{base}/webhooks/attio", content=body, headers=signed(body, "browser-1"))
    assert answer.status_code == 200, answer.text
    # No reload: htmx's polling (allowed by the page's CSP) brings the processed event in.
    page.wait_for_selector("text=record rec-browser-42", timeout=20_000)
    page.wait_for_selector("td.status-succeeded", timeout=20_000)
    assert page.evaluate("getComputedStyle(document.body).marginTop") != "0px"  # events.css
    _shot(page, "events")
