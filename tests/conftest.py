"""The fixtures of the whole suite: named users, one per role, and books built through the services.

Users: `treasurer` (王秀兰), `committee` (李建国) and `auditor` (张丽华) are the demo users `make run` prints,
members of the demo union 巴林左旗医院工会 with its 2012 books (`demo`); `norole` is a member with no role;
`outsider` keeps the books of another union (`other_year`) as its treasurer; `admin` is a site
administrator; `user` keeps the small books of `union` / `year`. `client_for("auditor")` is a test client
signed in as that role. Factories (`receipt`, `payment`, `voucher`, `upload`) write through the services.
"""

import datetime
import hashlib
import io
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from PIL import Image
from pypdf import PdfWriter

from ledger import attachments, roles, services
from ledger.charts import install_chart, load_chart_file
from ledger.models import Account, AccountingYear, Chart, Union, Voucher, VoucherLine
from plan.models import SpendingRule
from plan.rules_data import install_rules


def _database_fixture(request) -> str | None:
    """The database fixture a test runs with, if any: "transactional_db", "db" or None."""
    marker = request.node.get_closest_marker("django_db")
    if (
        "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
        or (marker and marker.kwargs.get("transaction"))
    ):
        return "transactional_db"
    if marker or "db" in request.fixturenames:
        return "db"
    return None


@pytest.fixture(autouse=True)
def _reference_data(request):
    """A flush after a transactional test also empties what data migrations installed: put it back.

    The chart of accounts (migration 0002) and the role groups (migration 0005), before any test that uses
    the database, whatever order the tests run in.
    """
    fixture = _database_fixture(request)
    if fixture:
        request.getfixturevalue(fixture)
        for code, name in (("2009", "gonghui-2009.json"), ("2021", "gonghui-2021.json")):
            if not Chart.objects.filter(code=code).exists():
                install_chart(Chart, Account, load_chart_file(name))
        if not SpendingRule.objects.exists():
            install_rules(SpendingRule)
        for name, codenames in roles.ROLE_PERMISSIONS.items():
            group, created = Group.objects.get_or_create(name=name)
            if created:
                group.permissions.add(
                    *Permission.objects.filter(content_type__app_label="ledger", codename__in=codenames)
                )
    yield


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user("cashier", password="pw-unionledger-1")


@pytest.fixture
def union(db, user):
    union = Union.objects.create(name="测试医院工会", slug="test-hospital", review_required=False)
    union.members.add(user)
    return union


@pytest.fixture
def year(union, user) -> AccountingYear:
    """2012, opened with cash 1,000.00 and bank 9,000.00 against 结余 10,000.00."""
    year = services.open_year(union=union, year=2012)
    services.record_opening_balances(
        year=year, balances={"101": "1000.00", "102": "9000.00", "331": "10000.00"}, user=user
    )
    return year


@pytest.fixture
def demo_loaded(db):
    """The 巴林左旗医院工会 2012 books of the sample report, loaded as `make run` loads them — every voucher
    entered by `treasurer`, reviewed and posted by `reviewer`, the union requiring review — but without the
    two vouchers `make run` leaves waiting (``--no-pending``), so that 2012 can be closed, and without the other
    apps' demo data (``--books-only``)."""
    call_command("load_demo", force=True, no_pending=True, books_only=True, stdout=open("/dev/null", "w"))
    union = Union.objects.get(slug="blzq-hospital")
    return AccountingYear.objects.select_related("union", "chart").get(union=union, year=2012)


@pytest.fixture
def demo(demo_loaded):
    """The demo books with review switched off, so that most tests record in one step as a one-person union
    does; the tests of 审核 use `demo_loaded` (or switch it on)."""
    Union.objects.filter(pk=demo_loaded.union_id).update(review_required=False)
    demo_loaded.union.refresh_from_db()
    return demo_loaded


def nth(year: AccountingYear, n: int) -> Voucher:
    """The year's ``n``-th posted voucher in the order it was posted (the demo's 1 is its opening)."""
    return year.vouchers.filter(state=Voucher.State.POSTED).order_by("posted_at", "id")[n - 1]


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def snapshot() -> tuple:
    """What a refused write must leave unchanged: every voucher and line, as rows."""
    return (
        list(Voucher.objects.order_by("pk").values_list()),
        list(VoucherLine.objects.order_by("pk").values_list()),
        list(AccountingYear.objects.order_by("pk").values_list()),
    )


# --- role users of the demo union, and another union beside it ------------------------------------------


def _image(image_format: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 4), "white").save(out, image_format)
    return out.getvalue()


def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# Small real files of the three allowed types: uploads are decoded (Pillow) and parsed (pypdf), not only sniffed.
PDF = _pdf()
PNG = _image("PNG")
JPEG = _image("JPEG")
ROLE_NAMES = ["anonymous", "norole", "treasurer", "committee", "auditor", "outsider", "admin"]


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    """Scans go to a temporary MEDIA_ROOT, never to var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def treasurer(demo):
    return get_user_model().objects.get(username="treasurer")


@pytest.fixture
def committee(demo):
    return get_user_model().objects.get(username="committee")


@pytest.fixture
def reviewer(demo):
    return get_user_model().objects.get(username="reviewer")


@pytest.fixture
def auditor(demo):
    return get_user_model().objects.get(username="auditor")


@pytest.fixture
def norole(demo):
    user = get_user_model().objects.create_user("norole", password="pw-unionledger-1", first_name="无角色")
    demo.union.members.add(user)
    return user


@pytest.fixture
def admin(demo):
    return get_user_model().objects.create_superuser("siteadmin", password="pw-unionledger-1")


@pytest.fixture
def other_year(demo):
    """Another union's 2012 books, with a 明细科目, a payment and a scan of its own."""
    union = Union.objects.create(name="另一家医院工会", slug="other-hospital", review_required=False)
    keeper = get_user_model().objects.create_user("other-keeper", password="pw-unionledger-1")
    keeper.groups.add(Group.objects.get(name=roles.TREASURER))
    union.members.add(keeper)
    year = services.open_year(union=union, year=2012)
    services.record_opening_balances(year=year, balances={"101": "500.00", "331": "500.00"}, user=keeper)
    own = services.add_sub_account(
        union=union, parent=services.resolve_account(year, "50104"), name="外会活动", user=keeper
    )
    voucher = payment(year, keeper, "2012-02-01", own, "100.00", via="cash", summary="外会支出")
    return year, own, voucher, keeper


@pytest.fixture
def outsider(other_year):
    """The treasurer of another union: every page of the demo union is a 404 to them."""
    return other_year[3]


@pytest.fixture
def other_scan(other_year, media_root):
    _, _, voucher, keeper = other_year
    return attachments.add_attachment(voucher=voucher, uploaded=upload("other.png", PNG), user=keeper)


@pytest.fixture
def demo_scan(demo, treasurer, media_root):
    voucher = nth(demo, 3)
    return attachments.add_attachment(voucher=voucher, uploaded=upload("三八发票.pdf", PDF), user=treasurer)


@pytest.fixture
def client_for(request, demo):
    """``client_for("auditor")``: a test client signed in as that role (``anonymous``: signed out)."""

    def make(role: str) -> Client:
        client = Client()
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        return client

    return make


# --- factories: entries written through the services ---------------------------------------------------


def receipt(
    year: AccountingYear, user, date: str, account: str, amount: str, into: str = "bank", summary="收入"
):
    return services.record_receipt(
        union=year.union, date=d(date), account=account, amount=amount, into=into, summary=summary, user=user
    )


def payment(year: AccountingYear, user, date: str, account, amount: str, via: str = "bank", summary="支出"):
    return services.record_payment(
        union=year.union, date=d(date), account=account, amount=amount, via=via, summary=summary, user=user
    )


def voucher(year: AccountingYear, user, date: str, summary: str, *lines):
    """``lines``: (account code, debit, credit) with amounts as strings ("" for none)."""
    return services.record_voucher(
        year=year,
        posted_by=user,
        date=d(date),
        summary=summary,
        lines=[
            services.Line(code, debit=debit or "0", credit=credit or "0") for code, debit, credit in lines
        ],
    )


def settle_year_end(year: AccountingYear, user) -> None:
    """What 结账 asks of the bank and the cash box: December reconciled against the bank's statement and the
    cash counted in December (issue 16). Built from the books themselves, through the bank app's services: a
    statement whose rows are the year's still-unmatched 银行存款 lines (a 红字冲销 and the voucher it cancels
    left out, as the bank never saw either) ending at the journal's balance, its matches confirmed, and a count
    on 31 December that finds what the cash journal says. Does nothing that is already done."""
    from bank import queries as bank_queries
    from bank import services as bank_services
    from bank.management.commands.load_demo_statement import DEMO_MAPPING
    from bank.models import DENOMINATIONS, CashCount, Statement
    from ledger import queries as ledger_queries
    from ledger.money import fen_to_decimal

    end = datetime.date(year.year, 12, 31)
    if bank_queries.has_bank_lines(year) and not bank_queries.reconciliation(year, 12).reconciled:
        cancelled = set()
        for pk, reverses in Voucher.objects.filter(year=year, reverses__isnull=False).values_list(
            "pk", "reverses"
        ):
            cancelled |= {pk, reverses}
        lines = [
            line
            for line in bank_queries.bank_lines(year)
            if line.match_row_id is None and line.voucher_id not in cancelled
        ]
        bank = ledger_queries.year_accounts(year).get(code=year.chart.bank_code)
        closing = int(ledger_queries.account_movement(year=year, account=bank, end=end).closing * 100)
        balance = closing - sum(line.income_fen - line.expense_fen for line in lines)
        rows = []
        for line in lines:
            balance += line.income_fen - line.expense_fen
            income, expense = (fen_to_decimal(f) if f else "" for f in (line.income_fen, line.expense_fen))
            rows.append(f"{line.date:%Y-%m-%d},{line.summary},{income},{expense},{fen_to_decimal(balance)},")
        if not rows:
            # nothing to match: the balance, in two bank-only rows that cancel (a row needs an amount)
            rows.append(f"{end:%Y-%m-%d},结息,0.01,,{fen_to_decimal(balance + 1)},")
            rows.append(f"{end:%Y-%m-%d},手续费,,0.01,{fen_to_decimal(balance)},")
        bank_services.upload_statement(
            year=year,
            user=user,
            bank_name="农行",
            name=f"对账单-{year.year}-{Statement.objects.filter(year=year).count() + 1}.csv",
            content=("交易日期,摘要,收入,支出,余额,对方户名\n" + "\n".join(rows) + "\n").encode(),
            mapping=DEMO_MAPPING,
            period_end=end,
        )
        bank_services.confirm_matches(year=year, user=user)
    if (
        ledger_queries.posted_lines(year).filter(account__code__startswith=year.chart.cash_code).exists()
        and not CashCount.objects.filter(year=year, date__month=12).exists()
    ):
        left = book = int(bank_queries.cash_balance(year, end) * 100)
        pieces = {}
        for denomination in DENOMINATIONS:
            fen = int(Decimal(denomination) * 100)
            if left >= fen:
                pieces[denomination], left = divmod(left, fen)
        bank_services.record_cash_count(
            year=year,
            user=user,
            date=end,
            pieces=pieces,
            witness="经审会监盘人",
            explanation="" if book >= 0 else "账面库存现金为负数，待查",
        )


def run_worker() -> None:
    """The background worker as `manage.py db_worker --batch` runs it: every task due now, then it stops.

    In this process and on the test's own connection, so it sees what the test wrote without a commit. The
    worker closes "old" connections between tasks as a request does; inside a test's transaction that would
    close the test's connection on PostgreSQL, so that one call is left out here — as Django's test client
    disconnects the same ``close_old_connections`` from its request signals. A real worker process:
    ``test_a_real_worker_process_renders_the_file`` (PostgreSQL).
    """
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None):
        call_command("db_worker", batch=True, startup_delay=False, interval=0, reload=False, verbosity=0)


def download(client: Client, url: str):
    """A report file as the browser gets it: on a miss the waiting page (202), the worker renders, the file."""
    response = client.get(url)
    if response.status_code == 202:
        run_worker()
        response = client.get(url)
    return response


# A render that fails and is tried again, as every worker-rendered file must show it.
FAILED_RENDER = "上次生成失败，等待第2次尝试：无法保存生成的文件"


def break_report_cache(settings, tmp_path: Path) -> None:
    """The worker cannot store the file it rendered (a real OSError: the cache directory is a file); its retry is
    an hour away until ``mend_report_cache_and_retry``."""
    settings.REPORT_RENDER_RETRY_DELAYS = [3600]
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the cache directory should be")
    settings.REPORT_CACHE_DIR = blocked


def mend_report_cache_and_retry(settings, tmp_path: Path) -> None:
    """The disk is mended and the retries come due; the worker runs them."""
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    settings.REPORT_CACHE_DIR = tmp_path / "report-cache"
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    run_worker()
