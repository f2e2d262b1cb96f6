#!/usr/bin/env python
"""Figures at federation scale: many unions' books on one PostgreSQL, a 总工会 above them, and report season.

    .venv/bin/python benchmarks/federation.py --unions 2000 --vouchers 500 --years 3 --large-lines 1000000
        --renders 500 --workers 2 --users 50 [--members N] [--changed-share 0.05] [--db-prefix NAME] [--keep] [--reuse]

It builds, in one throwaway PostgreSQL database ``PREFIX_ul_fed``, a 总工会 (signed in as ``fed-viewer``, the
总工会 role) with ``--unions`` unions under it, each with ``--years`` years (to 2025) of ``--vouchers`` two-line
vouchers and an opening voucher, plus one large union whose 2025 holds ``--large-lines`` lines. Then it measures:

1. **One union among many**: its 首页, voucher list, journals, 科目余额表 (Django's test client, signed in as its
   treasurer, median of ``--repeat``) and its report data (``build_annual_report``), first with the union alone in
   the database (before the others are written), then among all the others; goal: within 20% of alone.
2. **The 总工会's table** of all the unions (the page, as ``fed-viewer``), with every year computed, with its kept
   figures and with ``--changed-share`` of the years changed; goal: ≤ 1 s. ``--members N`` first gives each union a
   roster of N members with 2025's dues (the table's 收缴率 column reads them at every reading).
3. **Report season**: ``--renders`` annual-report PDFs of as many unions asked for at once
   (``reports.jobs.request_render``), drained by ``--workers`` ``manage.py db_worker --batch`` processes; it prints
   the throughput and the wait (asked → file ready, p50/p95/max). Meanwhile ``--users`` simulated users on loopback
   (gunicorn, DEBUG off; ``load_test.Client``) sign in as the unions' treasurer and read 首页, the voucher list and
   the bank journal of a union each, until the queue is drained; it prints their latency and errors.

The books are written inside the database, set-based over a batch of unions at a time (``--batch-unions`` a
transaction), the way the guards accept them — no trigger disabled: every voucher enters as a draft with its lines
(``generate_series`` over the batch's years; the amounts and accounts of ``book_pages.line_sql``), then one UPDATE
posts the batch numbered per year and month in date order (its triggers add the per-day totals and move each year's
counter), and the deferred balanced-voucher triggers check every voucher at commit. The large union is
``book_pages``' own (``open_books`` and ``fill``). Unions, years and memberships are bulk INSERTs; no audit rows
(no page reads them). ``--keep`` keeps the database, ``--reuse`` measures a kept one again without writing (then
without the "alone" figures). Not part of the test suite.
"""

import argparse
import http.client
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from book_pages import SPENDING, line_sql
from book_pages import fill as fill_large
from book_pages import open_books as open_large
from load_test import CSRF, GUNICORN, Client, free_port
from posting import YEAR, Databases, setup_django

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "benchmark-password-1"
FEDERATION = "bench-federation"
CODES = ("101", "102", "331", "401", "402", *SPENDING)
OPENING = (
    ("101", "5000", "0"),
    ("102", "50000", "0"),
    ("331", "0", "55000"),
)  # 期初余额: 借 cash, bank; 贷 net assets


def slug_of(index: int) -> str:
    return f"bench-union-{index:05d}"


def setting_up(unions: int):
    """The 总工会, its viewer, the unions' treasurer and the 2009 chart's account ids (the same for every union)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from ledger import roles, services
    from ledger.models import Chart

    users = get_user_model().objects
    treasurer = users.create_user("fed-treasurer", password=PASSWORD, first_name="出纳")
    treasurer.groups.add(Group.objects.get(name=roles.TREASURER))
    viewer = users.create_user("fed-viewer", password=PASSWORD, first_name="总工会")
    viewer.groups.add(Group.objects.get(name=roles.FEDERATION))
    federation = services.create_union(name="基准测试市总工会", slug=FEDERATION)
    federation.members.add(viewer)
    chart = Chart.objects.get(code="2009")
    return federation, treasurer, viewer, chart


def account_ids(year) -> dict[str, int]:
    from ledger import services

    return {code: services.resolve_account(year, code).pk for code in CODES}


def add_unions(indexes: range, *, federation, treasurer, chart, years: int) -> list[int]:
    """Unions ``indexes`` under the 总工会 with ``years`` open years to ``YEAR`` each: their years' ids."""
    from ledger.models import AccountingYear, Union

    made = Union.objects.bulk_create(
        Union(
            name=f"基准测试第{index + 1}工会",
            slug=slug_of(index),
            parent=federation,
            review_required=False,
        )
        for index in indexes
    )
    Union.members.through.objects.bulk_create(
        Union.members.through(union_id=union.pk, user_id=treasurer.pk) for union in made
    )
    opened = AccountingYear.objects.bulk_create(
        AccountingYear(union=union, year=year, chart=chart)
        for union in made
        for year in range(YEAR - years + 1, YEAR + 1)
    )
    return [year.pk for year in opened]


def fill_years(year_ids: list[int], *, vouchers: int, accounts: dict[str, int], user_id: int) -> None:
    """An opening voucher and ``vouchers`` two-line vouchers in each of the (fresh) years, posted in one UPDATE."""
    from django.db import connection
    from django.utils import timezone

    now = timezone.now()
    years = "SELECT id, year FROM ledger_accountingyear WHERE id = ANY(%s)"
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_voucher (year_id, date, summary, counterparty, state, kind, attachment_count, "
            "prepared_by_id, created_at) "
            f"SELECT y.id, make_date(y.year, 1, 1), '期初余额', '', 'draft', 'opening', 0, %s, %s FROM ({years}) y",
            [user_id, now, year_ids],
        )
        opening = " UNION ALL ".join(
            f"SELECT {accounts[code]} AS account, {n} AS position, {debit} AS debit, {credit} AS credit"
            for n, (code, debit, credit) in enumerate(OPENING, start=1)
        )
        cursor.execute(
            "INSERT INTO ledger_voucherline (voucher_id, position, account_id, debit, debit_currency, credit, "
            "credit_currency, memo) SELECT v.id, o.position, o.account, o.debit, 'CNY', o.credit, 'CNY', '' "
            f"FROM ledger_voucher v CROSS JOIN ({opening}) o "
            "WHERE v.year_id = ANY(%s) AND v.state = 'draft' AND v.kind = 'opening'",
            [year_ids],
        )
        # g runs over a year's vouchers: the same dates, kinds and amounts in every union-year (book_pages' mix).
        cursor.execute(
            "INSERT INTO ledger_voucher (year_id, date, summary, counterparty, state, kind, attachment_count, "
            "prepared_by_id, created_at) "
            f"SELECT y.id, make_date(y.year, 1, 1) + (g * 365 / {vouchers})::integer, "
            "CASE WHEN g %% 10 < 3 THEN '收' ELSE '付' END || g, '', 'draft', 'normal', 0, %s, %s "
            f"FROM ({years}) y CROSS JOIN generate_series(0, {vouchers - 1}) AS g",
            [user_id, now, year_ids],
        )
        money_side, other_side, amount = line_sql(accounts)
        numbered = (
            "SELECT v.id, CAST(substr(v.summary, 2) AS INTEGER) AS g FROM ledger_voucher v "
            "WHERE v.year_id = ANY(%s) AND v.state = 'draft' AND v.kind = 'normal'"
        )
        for position, debit_account, credit_account in (
            (1, f"CASE WHEN g %% 10 < 3 THEN {money_side} ELSE {other_side} END", None),
            (2, None, f"CASE WHEN g %% 10 < 3 THEN {other_side} ELSE {money_side} END"),
        ):
            cursor.execute(
                "INSERT INTO ledger_voucherline (voucher_id, position, account_id, debit, debit_currency, "
                f"credit, credit_currency, memo) SELECT id, {position}, {debit_account or credit_account}, "
                f"{amount if debit_account else '0'}, 'CNY', {amount if credit_account else '0'}, 'CNY', '' "
                f"FROM ({numbered}) AS d",
                [year_ids],
            )
        # The years are new: each month's numbers start at 1, the opening first (1 January, the lowest id).
        cursor.execute(
            "UPDATE ledger_voucher SET state = 'posted', month = n.month, number = n.number, posted_at = %s, "
            "posted_by_id = %s FROM (SELECT id, month, ROW_NUMBER() OVER (PARTITION BY year_id, month "
            "ORDER BY date, id) AS number FROM (SELECT id, year_id, date, EXTRACT(MONTH FROM date)::integer AS month "
            "FROM ledger_voucher WHERE year_id = ANY(%s) AND state = 'draft') AS d) AS n WHERE ledger_voucher.id = n.id",
            [now, user_id, year_ids],
        )


def vacuum(tables: str = "") -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {tables}")


def write_unions(indexes: range, *, batch: int, vouchers: int, years: int, world: dict, accounts) -> None:
    from django.db import transaction

    started = time.perf_counter()
    for number, first in enumerate(range(indexes.start, indexes.stop, batch)):
        part = range(first, min(first + batch, indexes.stop))
        with transaction.atomic():
            year_ids = add_unions(
                part,
                federation=world["federation"],
                treasurer=world["treasurer"],
                chart=world["chart"],
                years=years,
            )
            fill_years(year_ids, vouchers=vouchers, accounts=accounts, user_id=world["treasurer"].pk)
        # This server runs without autovacuum: the posting UPDATE leaves each voucher's draft behind and rewrites
        # per-day rows, and the planner would go on planning for the empty tables it first saw.
        if number % 5 == 0:
            vacuum("ledger_voucher, ledger_voucherline, ledger_daytotal, ledger_accountingyear")
        done = part.stop - indexes.start
        print(
            f"  {done:,} unions ({done * years * vouchers:,} vouchers) in {time.perf_counter() - started:.0f} s",
            flush=True,
        )


def book_urls(slug: str) -> list[tuple[str, str]]:
    from django.urls import reverse

    def url(name, query=""):
        return reverse(f"ledger:{name}", args=[slug, YEAR]) + query

    return [
        ("首页", url("dashboard")),
        ("凭证 第1页", url("vouchers")),
        ("现金日记账 12月", url("cash_journal", query="?month=12")),
        ("银行存款日记账 12月", url("bank_journal", query="?month=12")),
        ("科目余额表 1–12月", url("accounts")),
    ]


def timed_get(client, url: str, repeat: int) -> tuple[float, int]:
    """Median seconds of ``repeat`` requests after a warm one, and the queries of one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url, secure=True)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(repeat):
        begun = time.perf_counter()
        client.get(url, secure=True)
        times.append(time.perf_counter() - begun)
    with CaptureQueriesContext(connection) as captured:
        client.get(url, secure=True)
    return statistics.median(times), len(captured.captured_queries)


class Switch:
    """Django's default connection to either throwaway database, each kept open (its server process warm)."""

    def __init__(self, names: tuple[str, ...]):
        from django.db import connections

        self.wrappers = {names[0]: connections["default"]}
        for name in names[1:]:
            wrapper = connections.create_connection("default")
            wrapper.settings_dict = {**wrapper.settings_dict, "NAME": name}
            self.wrappers[name] = wrapper

    def use(self, name: str) -> None:
        from django.db import connections

        connections["default"] = self.wrappers[name]

    def close(self) -> None:
        for wrapper in self.wrappers.values():
            wrapper.close()


def union_figures(slug: str, switch: Switch, names: list[str], repeat: int) -> dict[str, dict]:
    """{page: {database: (median seconds, queries)}} for one union's book pages and its report data, signed in as
    its treasurer, the databases' requests interleaved so that both see the same load on the machine."""
    from django.db import connection
    from django.test import Client as TestClient
    from django.test.utils import CaptureQueriesContext

    from ledger.models import AccountingYear
    from reports.data import build_annual_report

    actions = {}
    for name in names:
        switch.use(name)
        year = AccountingYear.objects.select_related("union", "chart").get(union__slug=slug, year=YEAR)
        client = TestClient()
        client.force_login(
            year.union.members.get(groups__name="出纳") if False else year.union.members.first()
        )
        actions[name] = {
            page: (lambda client=client, url=url: client.get(url, secure=True))
            for page, url in book_urls(slug)
        }
        actions[name]["报告数据"] = lambda year=year: build_annual_report(year)
    figures = {}
    for page in actions[names[0]]:
        times, queries = defaultdict(list), {}
        for name in names:
            switch.use(name)
            response = actions[name][page]()  # warm
            status = getattr(response, "status_code", 200)
            assert status == 200, (name, page, status)
            with CaptureQueriesContext(connection) as captured:
                actions[name][page]()
            queries[name] = len(captured.captured_queries)
        for _ in range(repeat):
            for name in names:
                switch.use(name)
                begun = time.perf_counter()
                actions[name][page]()
                times[name].append(time.perf_counter() - begun)
        figures[page] = {name: (statistics.median(times[name]), queries[name]) for name in names}
    return figures


def add_rosters(members: int) -> tuple[int, int, float] | None:
    """``members`` on the roster of each union under the 总工会 that has none yet (in 10 departments, wages 5,000 to
    9,900), and their dues of every month of 2025 bar one in twenty, recorded on the union's first voucher of
    2025 (the table reads the dues, not the voucher's lines). Set-based; returns (members, dues, seconds), or None
    when the rosters were there already (``--reuse``)."""
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT u.id FROM ledger_union u JOIN ledger_union f ON f.id = u.parent_id WHERE f.slug = %s "
            "AND u.slug LIKE 'bench-union-%%' AND NOT EXISTS (SELECT 1 FROM plan_member m WHERE m.union_id = u.id)",
            [FEDERATION],
        )
        unions = [row[0] for row in cursor.fetchall()]
        if not unions:
            return None
        cursor.execute(
            "INSERT INTO plan_member (union_id, name, department, wage_base, joined, status) "
            "SELECT u, '会员' || g, '科室' || (g %% 10), 5000 + (g %% 50) * 100, DATE '2020-01-01', 'active' "
            "FROM unnest(%s::bigint[]) AS u CROSS JOIN generate_series(1, %s) AS g",
            [unions, members],
        )
        added = cursor.rowcount
        cursor.execute(
            "INSERT INTO plan_duespayment (member_id, year, month, amount, voucher_id) "
            "SELECT m.id, 2025, mo, round(m.wage_base * 0.005, 2), v.id FROM plan_member m "
            "JOIN (SELECT y.union_id, min(v.id) AS id FROM ledger_voucher v "
            "JOIN ledger_accountingyear y ON y.id = v.year_id WHERE y.year = 2025 AND v.state = 'posted' "
            "AND y.union_id = ANY(%s) GROUP BY y.union_id) v ON v.union_id = m.union_id "
            "CROSS JOIN generate_series(1, 12) AS mo WHERE (m.id + mo) %% 20 <> 0",
            [unions],
        )
        dues = cursor.rowcount
    vacuum("plan_member, plan_duespayment")
    return added, dues, time.perf_counter() - started


@dataclass(frozen=True)
class TableFigures:
    """The 总工会's table's page: seconds when every year's figures are computed (cold), the median when the kept
    figures all hold (warm) and when ``changed`` of the years must be computed again; queries of each; rows."""

    cold: float
    cold_queries: int
    warm: float
    warm_queries: int
    changed: int
    partly: float
    rows: int


def federation_figures(viewer, repeat: int, changed_share: float = 0.05) -> TableFigures:
    """The 总工会's table, cold, warm and with a share of the years changed. A changed year is one whose kept row
    is gone, which costs what a posting's moved basis costs (the reading computes that year again); the books
    are not written, so a kept database measures the same again."""
    from django.db import connection
    from django.test import Client as TestClient
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from federation.models import YearFigures
    from federation.queries import federation_rows
    from ledger.models import Union

    client = TestClient()
    client.force_login(viewer)
    url = reverse("federation:table", args=[FEDERATION, YEAR])
    client.get(url, secure=True)  # the session, the templates and the code warm; every year computed
    years = list(
        YearFigures.objects.filter(year__union__parent__slug=FEDERATION).values_list("pk", flat=True)
    )

    def timed(forget: list[int]) -> tuple[float, int]:
        YearFigures.objects.filter(pk__in=forget).delete()
        with CaptureQueriesContext(connection) as captured:
            begun = time.perf_counter()
            response = client.get(url, secure=True)
            seconds = time.perf_counter() - begun
        assert response.status_code == 200, response.status_code
        return seconds, len(captured.captured_queries)

    colds = [timed(years) for _ in range(max(1, repeat // 2))]
    warm = [timed([]) for _ in range(repeat)]
    every = max(1, round(1 / changed_share)) if changed_share else 0
    partly = [timed(years[i % every :: every] if every else []) for i in range(repeat)]
    rows = len(federation_rows(Union.objects.get(slug=FEDERATION), YEAR))
    return TableFigures(
        cold=statistics.median(t for t, _ in colds),
        cold_queries=colds[0][1],
        warm=statistics.median(t for t, _ in warm),
        warm_queries=warm[0][1],
        changed=len(years[::every]) if every else 0,
        partly=statistics.median(t for t, _ in partly),
        rows=rows,
    )


def percentile(values: list[float], p: int) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[p - 1]


class LoadUsers:
    """``users`` simulated treasurers on a gunicorn on loopback, each reading one union's pages until stopped."""

    def __init__(self, users: int, unions: int, seconds: float, max_requests: int, log: Path):
        self.users, self.unions = users, unions
        self.deadline = time.monotonic() + seconds  # a bound even if the drain never ends
        self.budget = max_requests
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.port = free_port()
        env = {**os.environ, "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "0"}
        env.update({"SECURE_COOKIES": "0", "LOGIN_FAILURE_LIMIT": "1000"})
        self.server = subprocess.Popen(
            [str(GUNICORN), "unionledger.wsgi", "-b", f"127.0.0.1:{self.port}", "-w", "2", "--threads", "4"]
            + ["--log-level", "warning"],
            cwd=ROOT,
            env=env,
            stderr=log.open("w"),  # one line a request otherwise
        )
        self.threads = [threading.Thread(target=self.user, args=(i,)) for i in range(users)]

    def ready(self) -> None:
        for _ in range(200):
            try:
                if Client(self.port).request("GET", "/login/")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("gunicorn did not answer on loopback")

    def timed(self, client: Client, name: str, method: str, path: str, form=None, expect=(200,)) -> str:
        with self.lock:
            if self.budget <= 0:
                raise TimeoutError
            self.budget -= 1
        begun = time.perf_counter()
        try:
            status, text, _ = client.request(method, path, form)
        except (OSError, http.client.HTTPException):
            status, text = 0, ""
        elapsed = time.perf_counter() - begun
        with self.lock:
            self.latencies[name].append(elapsed)
            if status not in expect:
                self.errors[name] += 1
        return text

    def user(self, index: int) -> None:
        client = Client(self.port)
        book = f"/u/{slug_of(index * max(self.unions // self.users, 1) % self.unions)}/{YEAR}/"
        try:
            page = self.timed(client, "登录页", "GET", "/login/")
            token = CSRF.search(page).group(1)
            form = {"csrfmiddlewaretoken": token, "username": "fed-treasurer", "password": PASSWORD}
            self.timed(client, "登录", "POST", "/login/", form, expect=(302,))
            while not self.stopped.is_set() and time.monotonic() < self.deadline:
                self.timed(client, "首页", "GET", book)
                self.timed(client, "凭证列表", "GET", book + "vouchers/")
                self.timed(client, "银行存款日记账", "GET", book + "bank/?month=12")
        except (TimeoutError, AttributeError):  # the budget spent, or no sign-in form (counted as an error)
            pass

    def start(self) -> None:
        self.ready()
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.stopped.set()
        for thread in self.threads:
            thread.join(timeout=60)
        self.server.terminate()
        self.server.wait(timeout=30)


def report_season(args, unions: int, log: Path) -> dict:
    """Ask for ``args.renders`` annual PDFs at once, drain them with ``args.workers`` workers under the load."""
    from django.contrib.auth import get_user_model
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from ledger.models import AccountingYear
    from reports import jobs
    from reports.models import RenderJob

    viewer = get_user_model().objects.get(username="fed-viewer")
    RenderJob.objects.all().delete()  # a --reuse run starts from an empty queue
    DBTaskResult.objects.all().delete()
    step = max(unions // args.renders, 1)
    slugs = [slug_of(i * step % unions) for i in range(args.renders)]
    years = list(
        AccountingYear.objects.select_related("union", "chart").filter(union__slug__in=slugs, year=YEAR)
    )
    load = LoadUsers(args.users, unions, args.max_seconds, args.max_requests, log) if args.users else None
    if load:
        load.start()
    begun = time.perf_counter()
    for year in years:
        jobs.request_render(year=year, kind="annual-pdf", user=viewer)
    asked = time.perf_counter() - begun
    worker = [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload"]
    workers = [
        subprocess.Popen(
            worker + ["--worker-id", f"bench-{n}"],
            cwd=ROOT,
            stderr=log.open("a"),  # a line a task
        )
        for n in range(args.workers)
    ]
    try:
        for process in workers:
            process.wait(timeout=args.max_seconds)
    finally:
        for process in workers:
            if process.poll() is None:
                process.terminate()
        if load:
            load.stop()
    drained = time.perf_counter() - begun
    results = list(DBTaskResult.objects.values("status", "enqueued_at", "started_at", "finished_at"))
    done = [r for r in results if r["status"] == TaskResultStatus.SUCCESSFUL]
    waits = [(r["finished_at"] - r["enqueued_at"]).total_seconds() for r in done]
    starts = [(r["started_at"] - r["enqueued_at"]).total_seconds() for r in done]
    first = min((r["enqueued_at"] for r in results), default=None)
    last = max(r["finished_at"] for r in done) if done else first
    return {
        "asked": len(years),
        "ask_seconds": asked,
        "done": len(done),
        "failed": len(results) - len(done),
        "drain": (last - first).total_seconds() if done else drained,
        "waits": waits,
        "starts": starts,
        "load": load,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--unions", type=int, default=2000, help="unions under the 总工会")
    parser.add_argument("--vouchers", type=int, default=500, help="vouchers a union-year (two lines each)")
    parser.add_argument("--years", type=int, default=3, help=f"years a union, to {YEAR}")
    parser.add_argument(
        "--large-lines", type=int, default=1_000_000, help="lines of the large union's year (0: none)"
    )
    parser.add_argument("--renders", type=int, default=500, help="annual-report PDFs asked for at once")
    parser.add_argument("--workers", type=int, default=2, help="db_worker processes draining them")
    parser.add_argument("--users", type=int, default=50, help="simulated users on loopback during the drain")
    parser.add_argument("--repeat", type=int, default=7, help="requests per page (median reported)")
    parser.add_argument(
        "--members",
        type=int,
        default=0,
        help="members on each union's roster, with 2025's dues, added before the table is measured (default 0)",
    )
    parser.add_argument(
        "--changed-share",
        type=float,
        default=0.05,
        help="share of the years changed between two readings of the 总工会's table (default 0.05)",
    )
    parser.add_argument("--batch-unions", type=int, default=100, help="unions written per transaction")
    parser.add_argument("--max-seconds", type=float, default=3600, help="bound on the drain and the load")
    parser.add_argument("--max-requests", type=int, default=200_000, help="bound on the load's requests")
    parser.add_argument("--keep", action="store_true", help="keep the database PREFIX_ul_fed")
    parser.add_argument("--reuse", action="store_true", help="measure a kept database again without writing")
    parser.add_argument(
        "--db-prefix", default="bench", help="PostgreSQL database PREFIX_ul_fed (default bench)"
    )
    args = parser.parse_args()
    if args.unions < 1 or args.vouchers < 1 or args.years < 1:
        parser.error("--unions, --vouchers and --years must be at least 1")

    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    os.environ.setdefault("REPORT_FONT_DIR", str(ROOT / "var" / "fonts"))  # prepared by make install
    workdir = Path(tempfile.mkdtemp(prefix="federation-"))
    fed, lone = f"{args.db_prefix}_ul_fed", f"{args.db_prefix}_ul_fed_lone"
    databases = Databases("postgres", workdir, (fed, lone))
    load_average = os.getloadavg()
    switch = None
    try:
        if not args.reuse:
            databases.create()
        setup_django(databases.ours, workdir)
        from django.contrib.auth import get_user_model
        from django.core.management import call_command
        from django.db import transaction

        from ledger.models import AccountingYear, Union

        logging.getLogger("unionledger.requests").setLevel(logging.WARNING)
        switch = Switch((fed, lone))
        measured = slug_of(0)
        generation = None
        if args.reuse:
            unions = Union.objects.filter(parent__slug=FEDERATION, slug__startswith="bench-union-").count()
            viewer = get_user_model().objects.get(username="fed-viewer")
        else:
            unions = args.unions
            started = time.perf_counter()
            for name in (lone, fed):  # the measured union alone in one database, then with all the others
                switch.use(name)
                if name == lone:
                    call_command("migrate", verbosity=0, interactive=False)
                federation, treasurer, viewer, chart = setting_up(unions)
                with transaction.atomic():
                    year_ids = add_unions(
                        range(1), federation=federation, treasurer=treasurer, chart=chart, years=args.years
                    )
                    accounts = account_ids(AccountingYear.objects.get(pk=year_ids[0]))
                    fill_years(year_ids, vouchers=args.vouchers, accounts=accounts, user_id=treasurer.pk)
                vacuum()
            large = 0.0
            if (
                args.large_lines
            ):  # first: its batches VACUUM the per-day totals, small while the others are not in
                begun = time.perf_counter()
                large_union, large_user, large_year, large_accounts = open_large()
                Union.objects.filter(pk=large_union.pk).update(parent=federation)
                fill_large(large_year, large_user, large_accounts, args.large_lines // 2)
                large = time.perf_counter() - begun
            world = {"federation": federation, "treasurer": treasurer, "chart": chart}
            write_unions(
                range(1, unions),
                batch=args.batch_unions,
                vouchers=args.vouchers,
                years=args.years,
                world=world,
                accounts=accounts,
            )
            small = time.perf_counter() - started - large
            begun = time.perf_counter()
            vacuum()
            generation = (small, large, time.perf_counter() - begun)
        print(f"measuring (load average {os.getloadavg()[0]:.1f}) …", flush=True)
        figures = union_figures(measured, switch, [lone, fed], args.repeat)
        switch.use(fed)
        rosters = add_rosters(args.members) if args.members else None
        table = federation_figures(viewer, args.repeat, args.changed_share)
        large_home = None
        if Union.objects.filter(slug="bench-books").exists():
            large_home = union_figures("bench-books", switch, [fed], args.repeat)
        switch.use(fed)
        season = report_season(args, unions, workdir / "gunicorn.log") if args.renders else None

        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM ledger_voucherline")
            lines = cursor.fetchone()[0]
            cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            size = cursor.fetchone()[0]

        print(
            f"\nPostgreSQL database {databases.names[0]}: {unions:,} unions + "
            f"{'1 large' if large_home else 'no large'}, {lines:,} voucher lines, {size}"
        )
        if generation:
            print(
                f"generated in {sum(generation):.0f} s: unions {generation[0]:.0f} s, large union "
                f"{generation[1]:.0f} s, VACUUM ANALYZE {generation[2]:.0f} s"
            )
        heading = f"{'one union (' + measured + ')':<26} {'alone ms':>9} {'among ms':>9} {'ratio':>6} {'queries':>8}"
        print("\n" + heading + ("  large union ms" if large_home else ""))
        worst = 0.0
        for name, by_db in figures.items():
            (before, _), (seconds, queries) = by_db[lone], by_db[fed]
            worst = max(worst, seconds / before)
            extra = f"  {large_home[name][fed][0] * 1000:>14.1f}" if large_home else ""
            print(
                f"{name:<26} {before * 1000:>9.1f} {seconds * 1000:>9.1f} {seconds / before:>6.2f} {queries:>8}{extra}"
            )
        load = season["load"] if season else None
        if load:
            total = sum(len(v) for v in load.latencies.values())
            print(
                f"\n{args.users} users during the drain: {total:,} requests, {sum(load.errors.values())} errors"
            )
            print(f"{'page':<16}{'count':>8}{'errors':>8}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
            for name, values in load.latencies.items():
                print(
                    f"{name:<16}{len(values):>8}{load.errors[name]:>8}{percentile(values, 50) * 1000:>10.1f}"
                    f"{percentile(values, 95) * 1000:>10.1f}{max(values) * 1000:>10.1f}"
                )

        print()
        stamp = f"load average at start {load_average[0]:.1f}, at end {os.getloadavg()[0]:.1f}"
        print(
            f"one union among {unions:,}: worst page {worst:.2f}× alone (goal ≤ 1.20: "
            f"{'met' if worst <= 1.2 else 'NOT met'}), {stamp}"
        )
        if rosters:
            print(
                f"rosters: {rosters[0]:,} members and {rosters[1]:,} dues of 2025 added in {rosters[2]:.0f} s"
            )
        roster = f", {args.members} members a union" if args.members else ""
        print(
            f"federation table: {table.warm * 1000:.0f} ms for {table.rows:,} unions{roster} with their figures kept "
            f"(goal ≤ 1000 ms: {'met' if table.warm <= 1 else 'NOT met'}), {table.warm_queries} queries; "
            f"{table.partly * 1000:.0f} ms with {table.changed:,} of the years changed since the last reading; "
            f"{table.cold * 1000:.0f} ms with every year computed (the first reading, or after a release), "
            f"{table.cold_queries} queries"
        )
        waits = season["waits"] if season else []
        if not season:
            print("report season: not run (--renders 0)")
        elif waits:
            print(
                f"report season: {season['done']}/{season['asked']} PDFs in {season['drain']:.0f} s with "
                f"{args.workers} workers = {season['done'] / season['drain'] * 60:.1f}/min; wait p50 "
                f"{percentile(waits, 50):.0f} s, p95 {percentile(waits, 95):.0f} s, max {max(waits):.0f} s; "
                f"{season['failed']} failed; asked in {season['ask_seconds']:.1f} s"
            )
        else:
            print(f"report season: no PDF rendered ({season['failed']} failed)")
        if load:
            pages = [
                v for name, values in load.latencies.items() if not name.startswith("登录") for v in values
            ]
            errors = sum(load.errors.values())
            print(
                f"load during the drain: {args.users} users, {len(pages):,} page requests, p95 "
                f"{percentile(pages, 95) * 1000:.0f} ms, {errors} errors"
                if pages
                else f"load during the drain: no page served, {errors} errors"
            )
        return 0 if not (season and season["failed"]) and not (load and sum(load.errors.values())) else 1
    finally:
        if switch:
            switch.close()
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        if not args.keep:
            databases.drop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
