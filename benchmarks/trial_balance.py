#!/usr/bin/env python
"""How far the trial balance is from the floor: ours, a raw GROUP BY over the same lines, and django-hordak's.

    .venv/bin/python benchmarks/trial_balance.py --db sqlite|postgres [--vouchers 20000] [--repeat 5] [--no-peer]

Writes the workload of ``posting.py`` (one union-year of two-line vouchers, seeded) in bulk through
``services.record_many`` into a throwaway database, then prints the median of ``--repeat`` runs of:

- ``ledger.queries.trial_balance`` for the year, every account (our 科目余额表);
- the floor: ``SELECT account_id, SUM(debit), SUM(credit) FROM ledger_voucherline GROUP BY account_id``
  (the year is the only one in the database, so every line is the year's);
- the same GROUP BY joined to the vouchers for the year and the posted state, as ours must;
- django-hordak's own balance API, ``Account.objects.with_balances()`` for every account, over its copy of
  the same workload, against the same raw GROUP BY over its legs (on PostgreSQL; on SQLite, which hordak
  does not support, ``with_balances_orm()``);
- the read a payment makes before it posts: the never-negative check's per-day movements of cash and bank
  (``cash_bank.lowest_balances`` from the last day, over the per-day totals).

``--vouchers 500000 --db postgres`` gives the issue's million lines. Databases as in ``posting.py``
(``bench_ul_tb`` and ``bench_hordak_tb`` on PostgreSQL). Not part of the test suite.
"""

import argparse
import datetime
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from posting import (
    Databases,
    bulk_books,
    open_books,
    peer_python,
    run_peer,
    setup_django,
    workload,
    write_workload,
)


def median_seconds(function, repeat: int) -> float:
    function()  # warm the caches once
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--vouchers", type=int, default=20_000, help="two-line vouchers in the year")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument(
        "--peer-venv", type=Path, default=Path.home() / ".cache" / "unionledger-bench" / "hordak-venv"
    )
    parser.add_argument(
        "--db-prefix",
        default="bench",
        help="PostgreSQL databases are named PREFIX_ul_… and PREFIX_hordak_… (several runs at once need their own)",
    )
    args = parser.parse_args()

    opening, entries = workload(args.vouchers, args.seed)
    workdir = Path(tempfile.mkdtemp(prefix="tb-bench-"))
    databases = Databases(args.db, workdir, (f"{args.db_prefix}_ul_tb", f"{args.db_prefix}_hordak_tb"))
    try:
        databases.create()
        setup_django(databases.ours, workdir)
        from django.db import connection

        from ledger import cash_bank, queries
        from ledger.models import AccountingYear

        union, user, accounts = open_books(opening)
        started = time.perf_counter()
        bulk_books(union, user, accounts, entries)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(
            f"{args.vouchers:,} vouchers ({2 * args.vouchers:,} lines) written in bulk in "
            f"{time.perf_counter() - started:.1f} s; db={args.db}",
            flush=True,
        )
        year = AccountingYear.objects.select_related("union", "chart").get(union=union)
        rows = queries.trial_balance(year=year)
        totals = queries.trial_balance_totals(rows)
        assert totals.balanced, totals

        def raw(sql: str, params=()):
            def run():
                with connection.cursor() as cursor:
                    cursor.execute(sql, params)
                    return cursor.fetchall()

            return run

        ours = median_seconds(lambda: queries.trial_balance(year=year), args.repeat)
        floor = median_seconds(
            raw("SELECT account_id, SUM(debit), SUM(credit) FROM ledger_voucherline GROUP BY account_id"),
            args.repeat,
        )
        joined = median_seconds(
            raw(
                "SELECT l.account_id, SUM(l.debit), SUM(l.credit) FROM ledger_voucherline l "
                "JOIN ledger_voucher v ON v.id = l.voucher_id WHERE v.year_id = %s AND v.state = 'posted' "
                "GROUP BY l.account_id",
                [year.pk],
            ),
            args.repeat,
        )
        first = datetime.date.fromisoformat(entries[0].date)
        check = median_seconds(lambda: cash_bank.lowest_balances(year=year, start=first), args.repeat)
        print(f"ours: trial_balance (all accounts, {len(rows)} rows):  {ours * 1000:9.1f} ms")
        print(f"raw GROUP BY account over the lines:               {floor * 1000:9.1f} ms")
        print(f"raw GROUP BY joined to vouchers (year, posted):    {joined * 1000:9.1f} ms")
        print(f"a payment's never-negative check (lowest_balances from {first}): {check * 1000:.1f} ms")
        connection.close()

        peer_line = ""
        if not args.no_peer:
            python = peer_python(args.peer_venv)
            path = write_workload(workdir / "workload.json", opening, entries, repeat=args.repeat)
            peer = run_peer(python, "bulk", path, databases.peer)
            api = "with_balances_orm()" if peer["vendor"] == "sqlite" else "with_balances()"
            print(f"django-hordak: Account.objects.{api}:    {peer['balance_median'] * 1000:9.1f} ms")
            print(f"django-hordak: raw GROUP BY account over its legs: {peer['raw_median'] * 1000:9.1f} ms")
            peer_line = (
                f", django-hordak {api} {peer['balance_median'] / peer['raw_median']:.2f}× its raw GROUP BY"
            )
        print(
            f"trial balance ratio vs raw GROUP BY: {ours / floor:.2f} (ours {ours * 1000:.1f} ms, raw {floor * 1000:.1f} ms, "
            f"joined raw {joined / floor:.2f}×{peer_line}, vouchers={args.vouchers}, db={args.db})"
        )
    finally:
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        databases.drop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
