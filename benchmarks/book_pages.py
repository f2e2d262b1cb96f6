#!/usr/bin/env python
"""How long the book pages take with N voucher lines in one union-year, signed in as the treasurer.

    .venv/bin/python benchmarks/book_pages.py --lines 100000 [--db postgres|sqlite] [--repeat 5] [--explain]

Fills one union-year with N/2 two-line vouchers spread over the year in date order (20% receipts into the bank,
10% into cash, 70% payments from bank or cash over four spending accounts; cash and bank never below zero), then
times every book page through Django's test client, signed in as the treasurer: 首页, the voucher list's first and
last page, the 现金日记账 and 银行存款日记账 (December's first and last page and January's first), the 科目余额表,
one 明细账 and one 总账. It prints, per page, the queries and the median of ``--repeat`` requests (ms) and the
size of the HTML; ``--explain`` prints PostgreSQL's plan of each query of the slowest page.

The vouchers are written by SQL inside the database (``generate_series``), 5,000 vouchers per transaction, the way the
guards accept them: every voucher enters as a draft with its lines, then one UPDATE posts the batch, numbered in
date order, and the deferred balanced-voucher trigger checks each voucher at commit. No audit rows are written
(no page reads them). Databases are throwaway: ``PREFIX_ul_books`` on 127.0.0.1:5432 (``--db-prefix``, default
``bench``; dropped at the end unless ``--keep``, and timed again without refilling by ``--reuse``), or a SQLite file in a temporary folder. Not part of the test suite.
"""

import argparse
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from posting import YEAR, Databases, setup_django

SPENDING = ("50101", "50102", "50205", "50302")
# Vouchers per transaction. Posting a voucher moves the year's counter (the trigger of migration 0018), and
# PostgreSQL walks the versions of that row the transaction has made before it can update it again: a batch costs
# more than in proportion to its size (measured: 50,000 a batch took about 4 minutes; 5,000 about 10 s at first).
BATCH = 5_000


def open_books():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from ledger import roles, services
    from ledger.models import Union

    user = get_user_model().objects.create_user(
        "treasurer", password="benchmark-password-1", first_name="出纳"
    )
    user.groups.add(Group.objects.get(name=roles.TREASURER))
    union = Union.objects.create(name="基准测试医院工会", slug="bench-books")
    union.members.add(user)
    year = services.open_year(union=union, year=YEAR, chart="2009")  # the 2009 codes below
    services.record_opening_balances(
        year=year, balances={"101": "5000.00", "102": "50000.00", "331": "55000.00"}, user=user
    )
    codes = ("101", "102", "401", "402", *SPENDING)
    accounts = {code: services.resolve_account(year, code).pk for code in codes}
    return union, user, year, accounts


def kept_books():
    """What ``open_books`` made, in a database a ``--keep`` run left."""
    from django.contrib.auth import get_user_model

    from ledger import services
    from ledger.models import Union

    user = get_user_model().objects.get(username="treasurer")
    union = Union.objects.get(slug="bench-books")
    year = union.years.get(year=YEAR)
    codes = ("101", "102", "401", "402", *SPENDING)
    return union, user, year, {code: services.resolve_account(year, code).pk for code in codes}


def line_sql(accounts: dict[str, int]) -> tuple[str, str, str]:
    """SQL of voucher ``g``'s cash or bank account, its other account and its amount in yuan, ``%`` doubled for a
    statement with parameters: ``g % 10`` below 3 a receipt (0–1 into the bank, 2 into cash), else a payment (3–4
    from cash, the rest from the bank) over the four spending accounts. ``federation.py`` fills its unions with it."""
    # Line 1 is the 借 side, line 2 the 贷 side: receipts 借 bank/cash 贷 income, payments 借 spending 贷 bank/cash.
    money_side = f"CASE WHEN g %% 10 IN (2, 3, 4) THEN {accounts['101']} ELSE {accounts['102']} END"
    other_side = (
        f"CASE WHEN g %% 10 < 3 THEN (CASE WHEN g %% 2 = 0 THEN {accounts['401']} ELSE {accounts['402']} END) "
        + "ELSE (CASE g %% 4 "
        + " ".join(f"WHEN {n} THEN {accounts[code]}" for n, code in enumerate(SPENDING))
        + " END) END"
    )
    amount = (
        "CASE WHEN g %% 10 < 2 THEN 8000 + (g %% 97) * 10 WHEN g %% 10 = 2 THEN 3000 + g %% 89 "
        "ELSE 10 + (g %% 300) * 5 END"
    )
    return money_side, other_side, amount


def fill(year, user, accounts: dict[str, int], vouchers: int) -> None:
    """``vouchers`` two-line vouchers in date order, posted a batch at a time (see the module's docstring)."""
    from django.db import connection, transaction
    from django.utils import timezone

    postgres = connection.vendor == "postgresql"
    year.refresh_from_db()
    first_number = year.next_number
    for start in range(0, vouchers, BATCH):
        count = min(BATCH, vouchers - start)
        with transaction.atomic(), connection.cursor() as cursor:
            # g runs over the whole year's vouchers, so dates and kinds do not depend on the batch size.
            if postgres:
                series = f"generate_series({start}, {start + count - 1}) AS g"
                day = f"DATE '{YEAR}-01-01' + (g * 365 / {vouchers})::integer"
            else:
                series = (
                    f"(WITH RECURSIVE s(g) AS (SELECT {start} UNION ALL SELECT g + 1 FROM s "
                    f"WHERE g < {start + count - 1}) SELECT g FROM s)"
                )
                day = f"date('{YEAR}-01-01', '+' || (g * 365 / {vouchers}) || ' days')"
            now = timezone.now()
            cursor.execute(
                "INSERT INTO ledger_voucher (year_id, date, summary, counterparty, state, kind, attachment_count, "
                "prepared_by_id, created_at) "
                f"SELECT %s, {day}, CASE WHEN g %% 10 < 3 THEN '收' ELSE '付' END || g, '', 'draft', 'normal', 0, "
                f"%s, %s FROM {series}",
                [year.pk, user.pk, now],
            )
            money_side, other_side, amount = line_sql(accounts)
            numbered = (
                "SELECT v.id, v.date, CAST(substr(v.summary, 2) AS INTEGER) AS g FROM ledger_voucher v "
                "WHERE v.year_id = %s AND v.state = 'draft'"
            )
            for position, debit_account, credit_account in (
                (1, f"CASE WHEN g %% 10 < 3 THEN {money_side} ELSE {other_side} END", None),
                (2, None, f"CASE WHEN g %% 10 < 3 THEN {other_side} ELSE {money_side} END"),
            ):
                account = debit_account or credit_account
                debit = amount if debit_account else "0"
                credit = amount if credit_account else "0"
                cursor.execute(
                    "INSERT INTO ledger_voucherline (voucher_id, position, account_id, debit, debit_currency, "
                    f"credit, credit_currency, memo) SELECT id, {position}, {account}, {debit}, 'CNY', {credit}, "
                    f"'CNY', '' FROM ({numbered}) AS d",
                    [year.pk],
                )
            # Numbers run per month, on from the month's highest number already posted (the opening's in January).
            month = (
                "EXTRACT(MONTH FROM date)::integer" if postgres else "CAST(strftime('%%m', date) AS INTEGER)"
            )
            cursor.execute(
                "UPDATE ledger_voucher SET state = 'posted', month = numbered.month, number = numbered.number, "
                "posted_at = %s, posted_by_id = %s FROM (SELECT d.id, d.month, ROW_NUMBER() OVER "
                "(PARTITION BY d.month ORDER BY d.date, d.id) + COALESCE((SELECT MAX(p.number) FROM ledger_voucher p "
                "WHERE p.year_id = %s AND p.state = 'posted' AND p.month = d.month), 0) AS number "
                f"FROM (SELECT id, date, {month} AS month FROM ledger_voucher WHERE year_id = %s AND state = 'draft') "
                "AS d) AS numbered WHERE ledger_voucher.id = numbered.id",
                [now, user.pk, year.pk, year.pk],
            )
            cursor.execute(
                "UPDATE ledger_accountingyear SET next_number = %s WHERE id = %s",
                [first_number + start + count, year.pk],
            )
        if postgres:
            # The server may run without autovacuum (this machine's does): every posting rewrites the year's row
            # and a per-day row, whose dead versions would slow each later batch, and the planner would go on
            # planning the batches for the empty tables it first saw (measured at 300,000 vouchers under load: a
            # batch of 5,000 took 40–60 s, about 20 s once the tables were analysed).
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE ledger_accountingyear, ledger_daytotal")
                if start // BATCH % 10 == 0:
                    cursor.execute("ANALYZE ledger_voucher, ledger_voucherline")
        print(f"  {start + count:,} vouchers posted", flush=True)


def pages(union, year, accounts) -> list[tuple[str, str]]:
    from django.urls import reverse

    from ledger.models import Voucher

    def url(name, *args, query=""):
        return reverse(f"ledger:{name}", args=[union.slug, YEAR, *args]) + query

    last_page = -(-Voucher.objects.filter(year=year, state="posted").count() // 20)
    return [
        ("首页", url("dashboard")),
        ("凭证 第1页", url("vouchers")),
        (f"凭证 末页（第{last_page}页）", url("vouchers", query=f"?page={last_page}")),
        ("现金日记账 12月首页", url("cash_journal", query="?month=12")),
        ("现金日记账 12月末页", url("cash_journal", query="?month=12&last=1")),
        ("现金日记账 1月首页", url("cash_journal", query="?month=1")),
        ("银行存款日记账 12月首页", url("bank_journal", query="?month=12")),
        ("银行存款日记账 12月末页", url("bank_journal", query="?month=12&last=1")),
        ("科目余额表 1–12月", url("accounts")),
        ("科目余额表 12月", url("accounts", query="?start=12&end=12")),
        ("明细账 50101 12月首页", url("account_ledger", accounts["50101"], query="?month=12")),
        ("明细账 50101 12月末页", url("account_ledger", accounts["50101"], query="?month=12&last=1")),
        ("总账 102", url("general_ledger", accounts["102"])),
    ]


def trial_balance_line(year, vouchers: int, args) -> None:
    """The 科目余额表's function against the floor, on the same lines: ``queries.trial_balance`` for every account,
    and a raw ``GROUP BY account_id`` over the lines (the year is the only filled one), median of ``--repeat``."""
    from django.db import connection
    from trial_balance import median_seconds

    from ledger import queries

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT account_id, SUM(debit), SUM(credit) FROM ledger_voucherline GROUP BY account_id"
            )
            return cursor.fetchall()

    assert queries.trial_balance_totals(queries.trial_balance(year=year)).balanced
    ours = median_seconds(lambda: queries.trial_balance(year=year), args.repeat)
    floor = median_seconds(raw, args.repeat)
    print(
        f"trial balance ratio vs raw GROUP BY: {ours / floor:.2f} (ours {ours * 1000:.1f} ms, raw {floor * 1000:.1f} "
        f"ms, lines={2 * vouchers}, db={args.db})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument(
        "--lines", type=int, default=100_000, help="voucher lines in the year (two per voucher)"
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--explain", action="store_true", help="EXPLAIN ANALYZE the queries of the slowest page"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database (PostgreSQL: PREFIX_ul_books)")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="time the books a --keep run left (PostgreSQL), migrated to this tree, without filling anew",
    )
    parser.add_argument(
        "--db-prefix", default="bench", help="PostgreSQL databases PREFIX_ul_books (default bench)"
    )
    args = parser.parse_args()

    os.environ["ALLOWED_HOSTS"] = "testserver"
    workdir = Path(tempfile.mkdtemp(prefix="book-pages-"))
    names = (f"{args.db_prefix}_ul_books", f"{args.db_prefix}_ul_books_unused")
    databases = Databases(args.db, workdir, names)
    reuse = args.reuse and args.db == "postgres"
    try:
        if not reuse:
            databases.create()
        setup_django(databases.ours, workdir)
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        logging.getLogger("unionledger.requests").setLevel(logging.WARNING)  # one line per request otherwise
        if reuse:
            union, user, year, accounts = kept_books()
            vouchers = year.vouchers.count() - 1  # the opening voucher is not one of the filled ones
        else:
            union, user, year, accounts = open_books()
            vouchers = args.lines // 2
        started = time.perf_counter()
        if not reuse:
            fill(year, user, accounts, vouchers)
        with connection.cursor() as cursor:
            # What autovacuum would have done by the time anyone reads the books (the posting UPDATE leaves every
            # voucher's draft behind): without it no index-only scan, and the heap twice its size.
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        print(
            f"{vouchers:,} vouchers ({2 * vouchers:,} lines) in {time.perf_counter() - started:.0f} s; db={args.db}"
        )

        client = Client()
        client.force_login(user)
        results = []
        for name, target in pages(union, year, accounts):
            response = client.get(target, secure=True)  # warm
            assert response.status_code == 200, (name, response.status_code)
            times = []
            for _ in range(args.repeat):
                begun = time.perf_counter()
                response = client.get(target, secure=True)
                times.append(time.perf_counter() - begun)
            with CaptureQueriesContext(connection) as captured:
                client.get(target, secure=True)
            executed = list(captured.captured_queries)
            results.append(
                (name, target, len(executed), statistics.median(times), len(response.content), executed)
            )
        print(
            f"\n{'page':<26} {'queries':>7} {'median ms':>10} {'SQL ms':>8} {'slowest SQL ms':>15} {'HTML KiB':>9}"
        )
        for name, _, count, seconds, size, executed in results:
            sql = [float(query["time"]) * 1000 for query in executed]
            print(
                f"{name:<26} {count:>7} {seconds * 1000:>10.1f} {sum(sql):>8.1f} {max(sql):>15.1f} {size / 1024:>9.1f}"
            )
        slowest = max(results, key=lambda result: result[3])
        print(f"\nslowest: {slowest[0]} {slowest[3] * 1000:.1f} ms ({slowest[1]})")
        if args.explain and connection.vendor == "postgresql":
            for query in slowest[5]:
                sql = query["sql"]
                if not sql.lstrip().upper().startswith("SELECT") or float(query["time"]) < 0.005:
                    continue
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                    plan = "\n".join(row[0] for row in cursor.fetchall())
                print(f"\n-- {query['time']} s: {sql[:300]}\n{plan}")
        trial_balance_line(year, vouchers, args)
        goal = max(seconds for _, _, _, seconds, _, _ in results)
        print(
            f"book pages: slowest {goal * 1000:.0f} ms (goal 200 ms), lines={2 * vouchers}, db={args.db}, "
            f"queries {min(r[2] for r in results)}–{max(r[2] for r in results)} per page"
        )
    finally:
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        if not args.keep:
            databases.drop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
