"""End-to-end tests in a real browser: Playwright driving Debian's chromium (never a downloaded browser).

The browser is ``$CHROMIUM``, else the first of ``scripts/browser-paths.txt`` present (the places
``scripts/install-system-deps.sh`` checks; on Debian ``make install`` puts Chromium at /usr/bin/chromium).
Without one the tests fail in CI (``CI=true``) and elsewhere are skipped with one line saying why (Ubuntu
has no Chromium package that Playwright can drive). The app runs in pytest-django's ``live_server`` over
the demo books of 2012.

Chromium is launched here with ``playwright.sync_api`` rather than through pytest-playwright's ``page``
fixture: that fixture parametrizes every test using it by a session-scoped ``browser_name``, and pytest
then regroups those tests by that parameter, which can pull these transactional (flushing) tests in front
of ordinary database tests that pytest-django means to run first.
"""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import sync_playwright

from ledger.models import Union

BROWSER_PATHS = Path(__file__).resolve().parents[2] / "scripts" / "browser-paths.txt"


def find_browser() -> str | None:
    """``$CHROMIUM`` if it is set, else the first executable of scripts/browser-paths.txt; None if none is."""
    if os.environ.get("CHROMIUM"):
        candidates = [os.environ["CHROMIUM"]]
    else:
        lines = BROWSER_PATHS.read_text(encoding="utf-8").splitlines()
        candidates = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    return next((path for path in candidates if os.access(path, os.X_OK)), None)


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PASSWORD = "unionledger-demo"
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def chromium():
    path = find_browser()
    if path is None:
        where = os.environ.get("CHROMIUM") or f"{BROWSER_PATHS.name} 列出的路径"
        message = f"没有找到浏览器（{where}）：请安装 Chromium 或 Google Chrome，或设置 CHROMIUM=浏览器路径"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def reviewing_site(live_server, settings, tmp_path) -> str:
    """The demo books served at a live URL as `load_demo` leaves them (the union requires review); scans go
    to a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    with open(os.devnull, "w") as devnull:
        call_command("load_demo", force=True, no_pending=True, books_only=True, stdout=devnull)
    return live_server.url


@pytest.fixture
def site(reviewing_site) -> str:
    """The demo books with review switched off: the treasurer records in one step (a one-person union)."""
    Union.objects.filter(slug="blzq-hospital").update(review_required=False)
    return reviewing_site


@pytest.fixture
def tab(chromium):
    """A fresh browser context and page (desktop size, Chinese locale) that reports page errors."""
    context = chromium.new_context(viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems = []
    # A strict CSP is sent: an inline script or style would show up here as a console error.
    # (A refused page — 403, 404 — or the missing favicon is logged as "Failed to load resource": expected.)
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and "Failed to load resource" not in message.text
            and problems.append(message.text)
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield page
    context.close()
    assert problems == [], problems


def sign_in(page, site: str, username: str) -> None:
    page.goto(site + "/")
    assert "/login/" in page.url
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{site}/u/blzq-hospital/2012/")
