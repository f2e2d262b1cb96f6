#!/usr/bin/env python
"""How many keystrokes and fields a month's ordinary entries take, keyboard only, and the time per saved entry.

    DEBUG=1 .venv/bin/python benchmarks/entry_keystrokes.py [--port 8765]

It serves the demo books (巴林左旗医院工会 2012) from a throwaway SQLite database with ``manage.py runserver``,
signs in as the treasurer in Chromium (Playwright, never a downloaded browser) and enters the twelve entries of
``ENTRIES`` — receipts and payments of a December, and a 提现 on 记凭证 — with the keyboard only: after opening a
form once, every entry is typed, Enter moves on, Ctrl+Enter saves with 保存并新增. A field counts when she has to
type into it or change it; a keystroke is a key pressed, each typed character counted once (a Chinese character
through an input method costs more: the 摘要 and payers here are short). The tests run the same ``enter_month``
(tests/e2e/test_fast_entry.py). The goal: a cash 会费 receipt in at most 4 fields after the first of a session.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BOOK = "/u/blzq-hospital/2012/"


@dataclass(frozen=True)
class Entry:
    form: str  # receipt, payment or voucher
    date: str
    summary: str
    amount: str
    category: str = ""  # what she types in the account search
    category_code: str = ""  # the account that search must find
    via: str = ""  # cash or bank
    person: str = ""
    kind: str = ""  # the payer/payee is a 单位 ("unit") or a 个人 ("person"); "" leaves it as the form has it
    lines: tuple = ()  # for 记凭证: (type-ahead text, "debit"|"credit")


ENTRIES = [
    Entry("receipt", "2012-12-03", "收12月会费", "620.00", "hf", "401", "cash", "检验科", "unit"),
    Entry("receipt", "2012-12-03", "收12月会费", "580.00", "", "401", "cash", "护理部"),
    Entry("receipt", "2012-12-03", "收12月会费", "455.50", "", "401", "cash", "内科"),
    Entry("receipt", "2012-12-04", "收12月会费", "512.00", "", "401", "cash", "外科"),
    Entry("receipt", "2012-12-04", "收12月会费", "498.00", "", "401", "cash", "药剂科"),
    Entry("receipt", "2012-12-05", "行政补助", "5000.00", "行政", "405", "bank", "医院"),
    Entry("payment", "2012-12-06", "慰问住院职工", "300.00", "swn", "50205", "cash", "", "person"),
    Entry("payment", "2012-12-06", "慰问住院职工", "300.00", "", "50205", "cash", ""),
    Entry("payment", "2012-12-10", "文艺汇演道具", "420.00", "qy", "5010201", "bank", "体育用品店", "unit"),
    Entry("payment", "2012-12-12", "工会干部培训", "800.00", "px", "50301", "bank", "市总工会"),
    Entry("payment", "2012-12-12", "职工书屋图书", "260.00", "jy", "50101", "bank", "新华书店"),
    Entry("voucher", "2012-12-14", "提取现金", "1000.00", lines=(("101", "debit"), ("102", "credit"))),
]


@dataclass
class Stats:
    entry: Entry
    keys: int = 0
    fields: set = field(default_factory=set)
    seconds: float = 0.0


class Keyboard:
    """The page's keyboard, counting what she presses."""

    def __init__(self, page):
        self.page = page
        self.stats: Stats | None = None

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.stats.keys += 1

    def type(self, text: str, name: str) -> None:
        self.page.keyboard.type(text)
        self.stats.keys += len(text)
        self.stats.fields.add(name)

    def focused(self) -> str:
        return self.page.evaluate(
            "document.activeElement && (document.activeElement.name || document.activeElement.id) || ''"
        )


def _type_date(keys: "Keyboard", current: str, wanted: str) -> None:
    """Chromium's date field: Home goes to its first part; the year is the book's, so she types month and day.

    (Headless Chromium lays the field out as mm/dd/yyyy whatever the page's language; a desktop browser in
    Chinese lays it out yyyy/mm/dd, where it takes Home, →, then the same four digits.)"""
    _, month, day = wanted.split("-")
    keys.press("Home")
    keys.type(month + day, "date")


def _until(page, script: str, timeout: float = 15.0) -> None:
    """Wait until ``script`` is true in the page (polled: the CSP forbids the eval of wait_for_function)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(script):
        if time.monotonic() > deadline:
            raise TimeoutError(script)
        time.sleep(0.02)


def _wait_for_form(page) -> None:
    page.wait_for_selector("form[data-fast-entry]")
    _until(page, "document.activeElement && document.activeElement.tagName !== 'BODY'")


def _entry_form(page, keys: Keyboard, entry: Entry) -> None:
    """One 记收入 / 记支出, from wherever the page's focus starts."""
    _wait_for_form(page)
    if entry.category:
        if keys.focused() != "account-search":
            keys.press("Shift+Tab")
        _until(page, "document.getElementById('account-search')?.dataset.ready === '1'")
        _until(
            page, "document.querySelector('select[name=category] option[value]:not([value=\"\"])') !== null"
        )
        keys.type(entry.category, "category")
        _until(
            page,
            f"document.querySelector('select[name=category]').selectedOptions[0].text.startsWith('{entry.category_code} ')",
        )
        keys.press("Enter")
    assert keys.focused() == "amount", keys.focused()
    keys.type(entry.amount, "amount")
    keys.press("Enter")
    if page.input_value("input[name=date]") != entry.date:
        _type_date(keys, page.input_value("input[name=date]"), entry.date)
    keys.press("Enter")
    checked = page.evaluate("document.querySelector('input[name=via]:checked')?.value || ''")
    if checked != entry.via:
        keys.press("ArrowDown")
        keys.stats.fields.add("via")
        if page.evaluate("document.querySelector('input[name=via]:checked').value") != entry.via:
            keys.press("ArrowDown")
    keys.press("Enter")
    keys.type(entry.summary, "summary")
    person = "payer" if entry.form == "receipt" else "payee"
    if page.input_value(f"input[name={person}]") != entry.person:
        keys.press("Enter")
        if page.input_value(f"input[name={person}]"):
            keys.press("Control+A")
        if entry.person:
            keys.type(entry.person, person)
        else:
            keys.press("Delete")
            keys.stats.fields.add(person)
    kind = f"{person}_kind"
    checked = page.evaluate(f"document.querySelector('input[name={kind}]:checked')?.value || ''")
    if entry.kind and checked != entry.kind:  # 单位/个人: kept by 保存并新增, so chosen only when it changes
        if keys.focused() != person:
            keys.press("Enter")
        keys.press("Enter")  # the group's checked button, or its first
        assert keys.focused() == kind, keys.focused()
        keys.press("Space" if not checked and entry.kind == "unit" else "ArrowDown")
        keys.stats.fields.add(kind)
        assert page.evaluate(f"document.querySelector('input[name={kind}]:checked').value") == entry.kind
    _save_and_new(page, keys)


def _save_and_new(page, keys: Keyboard) -> None:
    """Ctrl+Enter when 保存并新增 is the default (after the session's first save); else Tab to it and Enter."""
    if page.query_selector("[data-default-submit][value=new]"):
        keys.press("Control+Enter")
        return
    for _ in range(4):  # Enter walks past the last fields to the default button
        if page.evaluate("document.activeElement.hasAttribute('data-default-submit')"):
            break
        keys.press("Enter")
    keys.press("Tab")
    assert page.evaluate("document.activeElement.value") == "new"
    keys.press("Enter")


def _voucher_form(page, keys: Keyboard, entry: Entry) -> None:
    _wait_for_form(page)
    assert keys.focused() == "date", keys.focused()
    if page.input_value("input[name=date]") != entry.date:
        _type_date(keys, page.input_value("input[name=date]"), entry.date)
    keys.press("Enter")
    keys.type(entry.summary, "summary")
    keys.press("Enter")  # 对方单位
    keys.press("Enter")  # 单位/个人
    keys.press("Enter")  # 附单据数
    keys.press("Enter")  # the first line's account
    for number, (account, side) in enumerate(entry.lines):
        keys.type(account, f"line{number}-account")
        keys.press("Enter")  # 借方
        if side == "credit":
            keys.press("Enter")
        keys.type(entry.amount, f"line{number}-{side}")
        keys.press("Enter")
        if side == "debit":
            keys.press("Enter")  # past 贷方
        keys.press("Enter")  # past 行摘要, to the next line's account
    _save_and_new(page, keys)


def enter_month(page, site: str, entries=ENTRIES) -> list[Stats]:
    """Enter ``entries`` with the keyboard only (one page load per kind of form); return what each took."""
    keys = Keyboard(page)
    done = []
    current = None
    for entry in entries:
        if entry.form != current:
            page.goto(
                site
                + BOOK
                + {"receipt": "receipt/", "payment": "payment/", "voucher": "vouchers/new/"}[entry.form]
            )
            current = entry.form
        keys.stats = Stats(entry)
        started = time.perf_counter()
        with page.expect_navigation():
            (_voucher_form if entry.form == "voucher" else _entry_form)(page, keys, entry)
        errors = page.locator(".form-errors, .field-error").all_inner_texts()
        assert not errors, (entry, errors, page.url)
        page.wait_for_selector(".message.success")
        message = page.inner_text(".message.success")
        assert "已记账" in message, message
        keys.stats.seconds = time.perf_counter() - started
        done.append(keys.stats)
    return done


def report(stats: list[Stats]) -> list[str]:
    lines = [f"{'#':>2} {'form':<8} {'summary':<10} {'fields':>6} {'keys':>5} {'seconds':>8}  fields typed"]
    for number, item in enumerate(stats, start=1):
        lines.append(
            f"{number:>2} {item.entry.form:<8} {item.entry.summary:<10} {len(item.fields):>6} {item.keys:>5} "
            f"{item.seconds:>8.2f}  {', '.join(sorted(item.fields))}"
        )
    dues = [item for item in stats[1:] if item.entry.category_code == "401" and item.entry.via == "cash"]
    lines.append(
        f"cash 会费 receipt after the first: at most {max(len(item.fields) for item in dues)} fields, "
        f"{max(item.keys for item in dues)} keystrokes; {sum(item.seconds for item in stats) / len(stats):.2f} s per "
        f"saved entry; {sum(len(item.fields) for item in stats) / len(stats):.1f} fields and "
        f"{sum(item.keys for item in stats) / len(stats):.1f} keystrokes per entry"
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM_ARGS, DESKTOP, PASSWORD, find_browser

    browser_path = find_browser()
    if browser_path is None:
        raise SystemExit("没有找到浏览器：请安装 Chromium，或设置 CHROMIUM=浏览器路径")
    workdir = Path(tempfile.mkdtemp(prefix="entry-bench-"))
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "MEDIA_ROOT": str(workdir / "media"),
        "LOG_LEVEL": "ERROR",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
    subprocess.run([*manage, "load_demo", "--force"], env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{args.port}", "--noreload"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    site = f"http://127.0.0.1:{args.port}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=browser_path, headless=True, args=CHROMIUM_ARGS
            )
            page = browser.new_context(
                viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai"
            ).new_page()
            for _ in range(50):
                try:
                    page.goto(site + "/login/")
                    break
                except Exception:
                    time.sleep(0.2)
            page.get_by_label("用户名").fill("treasurer")
            page.get_by_label("密码").fill(PASSWORD)
            page.get_by_role("button", name="登录").click()
            page.wait_for_url(re.compile(BOOK + "$"))
            for line in report(enter_month(page, site)):
                print(line)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
