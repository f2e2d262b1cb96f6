"""End-to-end tests in a real browser: Playwright driving Debian's chromium (never a downloaded browser).

The browser is ``/usr/bin/chromium`` (``make install`` puts it there); if it is missing the tests fail,
they do not skip. The app runs in pytest-django's ``live_server`` over the demo books of 2012.

Chromium is launched here with ``playwright.sync_api`` rather than through pytest-playwright's ``page``
fixture: that fixture parametrizes every test using it by a session-scoped ``browser_name``, and pytest
then regroups those tests by that parameter, which can pull these transactional (flushing) tests in front
of ordinary database tests that pytest-django means to run first.
"""

import os

import pytest
from django.core.management import call_command
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
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
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"没有找到浏览器 {CHROMIUM}：请运行 make install（scripts/install-system-deps.sh 会安装 chromium）"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def site(live_server, settings, tmp_path) -> str:
    """The demo books served at a live URL; scans go to a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    with open(os.devnull, "w") as devnull:
        call_command("load_demo", force=True, stdout=devnull)
    return live_server.url


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
