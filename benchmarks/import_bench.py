#!/usr/bin/env python
"""How long importing a treasurer's Excel books takes, and how much memory, next to python-calamine reading alone.

    DEBUG=1 .venv/bin/python benchmarks/import_bench.py [--sizes 10000,25000,50000] [--post 10000,50000]
        [--db sqlite|postgres] [--db-prefix imp] [--keep]

For each size N: a cash-book workbook of N rows (收支流水 template, a year in date order, 20% receipts) is written
with openpyxl; then, each in a fresh process on a throwaway database (SQLite in a temporary folder, or with
``--db postgres`` ``PREFIX_import`` on 127.0.0.1:5432, dropped and made anew; so that peak memory is that step's):

- ``read``: python-calamine reading the sheet alone, every cell as a Python value;
- ``preview``: ``imports.services.analyse`` — reading, every row checked, accounts resolved, fingerprints looked
  up — what the preview page, the command's dry run and the confirmation each do first;
- ``import`` and ``traced``: ``imports.services.confirm`` of a file of each ``--post`` size (the whole import: every row read and
  checked and every voucher posted through ``ledger.services.bulk_posting``, chunk by chunk, in one transaction),
  each into a fresh copy of the prepared books: ``import`` timed without tracemalloc (its peak RSS only),
  ``traced`` the same again under tracemalloc for its peak traced memory (tracing slows it about threefold).

Each step prints its time, its peak traced Python memory (tracemalloc) and the process's peak RSS. The child
processes run with ``settings.DEBUG`` off (``DEBUG=1`` only lets the settings load without a secret key): with it on,
Django keeps the text of every statement, which is the benchmark's memory, not the import's. The last line reads
``import of N rows: X s (goal ≤ 60 s), preview Y s, read alone Z s, ...``. Not part of the test suite.
"""

import argparse
import datetime
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

YEAR = 2012
HEADER = ["日期", "摘要", "类别", "收入金额", "支出金额", "账户", "备注"]
INCOME = ["会费收入", "拨缴经费收入", "405"]
SPENDING = ["50101", "文体活动费", "其他活动支出", "50205"]


def write_workbook(path: Path, rows: int, seed: int = 14) -> None:
    from openpyxl import Workbook

    rng = random.Random(seed)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("收支流水")
    sheet.append(HEADER)
    for n in range(rows):
        date = datetime.date(YEAR, 1, 1) + datetime.timedelta(days=n * 365 // rows)
        if n % 5 == 0:
            sheet.append(
                [date, f"收入{n}", rng.choice(INCOME), rng.randint(5000, 900000) / 100, None, "银行", ""]
            )
        else:
            via = "现金" if n % 3 == 0 else "银行"
            sheet.append(
                [date, f"支出{n}", rng.choice(SPENDING), None, rng.randint(100, 9000) / 100, via, "备注"]
            )
    workbook.save(path)


POSTGRES = "postgres://postgres@127.0.0.1:5432"


def database_url(workdir: Path) -> str:
    name = os.environ.get("IMPORT_BENCH_PG")
    return f"{POSTGRES}/{name}" if name else f"sqlite:///{workdir / 'bench.sqlite3'}"


def setup(workdir: Path) -> None:
    os.environ.setdefault("DEBUG", "1")
    os.environ["DJANGO_SETTINGS_MODULE"] = "unionledger.settings"
    os.environ["DATABASE_URL"] = database_url(workdir)
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ["IMPORT_MAX_BYTES"] = str(200 * 1024 * 1024)
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    import django

    django.setup()


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(step: str, workdir: Path, path: Path) -> dict:
    """One step in this fresh process; prints a JSON line."""
    if step == "read":
        from python_calamine import CalamineWorkbook

        tracemalloc.start()
        started = time.perf_counter()
        count = sum(1 for _ in CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows())
        elapsed = time.perf_counter() - started
        return {
            "seconds": elapsed,
            "rows": count - 1,
            "traced_mib": tracemalloc.get_traced_memory()[1] / 2**20,
        }
    setup(workdir)
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from imports import services

    settings.DEBUG = False  # no log of every statement's text (see the module's docstring)
    from ledger import services as ledger_services
    from ledger.models import Union

    user = get_user_model().objects.get(username="bench")
    year = ledger_services.get_year(union=Union.objects.get(slug="bench"), year=YEAR)
    content = path.read_bytes()
    # Tracing every allocation slows allocating code threefold: the timed import runs without it.
    if step != "import":
        tracemalloc.start()
    started = time.perf_counter()
    batch = services.upload(year=year, kind="cashbook", file_name=path.name, content=content, user=user)
    if step == "preview":
        analysis = services.analyse(batch, page=0)
        assert analysis.ok, analysis.problems[:3]
        result = {"rows": analysis.rows}
    else:
        batch = services.confirm(batch=batch, user=user)  # "import", or "traced" under tracemalloc
        result = {"rows": batch.row_count, "vouchers": batch.voucher_count}
    result["seconds"] = time.perf_counter() - started
    result["traced_mib"] = tracemalloc.get_traced_memory()[1] / 2**20 if tracemalloc.is_tracing() else None
    return result


def prepare_database(workdir: Path) -> None:
    setup(workdir)
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from ledger import services as ledger_services

    call_command("migrate", verbosity=0, interactive=False)
    user = get_user_model().objects.create_superuser("bench", password="x")
    union = ledger_services.create_union(name="基准工会", slug="bench")
    year = ledger_services.open_year(union=union, year=YEAR)
    ledger_services.record_opening_balances(
        year=year, balances={"101": "90000000.00", "102": "90000000.00", "331": "180000000.00"}, user=user
    )


def run_step(step: str, workdir: Path, path: Path) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", step, "--workdir", str(workdir), "--file", str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "DEBUG": "1"},
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{step} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _admin(statements: list[str]) -> None:
    import psycopg

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)


def fresh_books(workdir: Path, db: str, name: str) -> None:
    """A new database holding the prepared books (a union, its 2012 year and opening balances)."""
    if db == "postgres":
        _admin([f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name} TEMPLATE template0"])
    else:
        (workdir / "bench.sqlite3").unlink(missing_ok=True)
    subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys; sys.path.insert(0, {str(ROOT)!r}); "
            f"from benchmarks.import_bench import prepare_database; from pathlib import Path; "
            f"prepare_database(Path({str(workdir)!r}))",
        ],
        env={**os.environ, "DEBUG": "1"},
        check=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,25000,50000", help="rows of the files read and previewed")
    parser.add_argument("--post", default="10000,50000", help="rows of the files imported (posted)")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--db-prefix", default="bench", help="PostgreSQL: the database is PREFIX_import")
    parser.add_argument("--untraced", action="store_true", help="time the imports only, no tracemalloc run")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--child")
    parser.add_argument("--workdir")
    parser.add_argument("--file")
    args = parser.parse_args()
    if args.child:
        result = child(args.child, Path(args.workdir), Path(args.file))
        result["rss_mib"] = peak_rss_mib()
        print(json.dumps(result))
        return
    workdir = Path(tempfile.mkdtemp(prefix="import-bench-"))
    name = f"{args.db_prefix}_import"
    if args.db == "postgres":
        os.environ["IMPORT_BENCH_PG"] = name
    print(f"database: {args.db}{' ' + name if args.db == 'postgres' else ''}")
    print(f"{'rows':>7} {'step':<8} {'seconds':>8} {'traced MiB':>11} {'peak RSS MiB':>13}")

    def show(size: int, step: str, result: dict) -> None:
        traced = "-" if result["traced_mib"] is None else f"{result['traced_mib']:.1f}"
        print(
            f"{size:>7} {step:<8} {result['seconds']:>8.2f} {traced:>11} {result['rss_mib']:>13.0f}",
            flush=True,
        )

    last = {}
    try:
        fresh_books(workdir, args.db, name)
        for size in [int(s) for s in args.sizes.split(",") if s]:
            path = workdir / f"cashbook-{size}.xlsx"
            write_workbook(path, size)
            for step in ("read", "preview"):
                last[step] = run_step(step, workdir, path)
                show(size, step, last[step])
        imports = {}
        for size in [int(s) for s in args.post.split(",") if s]:
            path = workdir / f"cashbook-post-{size}.xlsx"
            write_workbook(path, size, seed=15)
            for step in ("import",) if args.untraced else ("import", "traced"):
                fresh_books(workdir, args.db, name)
                imports.setdefault(size, {})[step] = run_step(step, workdir, path)
                show(size, step, imports[size][step])
    finally:
        if args.db == "postgres" and not args.keep:
            _admin([f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"])
    for size, runs in imports.items():
        result, traced = runs["import"], runs.get("traced")
        print(
            f"import of {size} rows: {result['seconds']:.2f} s (goal ≤ 60 s for 50000: "
            f"{'met' if result['seconds'] * 50000 / size <= 60 else 'NOT met'} at this rate), "
            f"{result['vouchers'] / result['seconds']:.0f} vouchers/s, peak RSS {result['rss_mib']:.0f} MiB"
            + (
                f"; under tracemalloc {traced['seconds']:.2f} s, peak traced {traced['traced_mib']:.1f} MiB, "
                f"peak RSS {traced['rss_mib']:.0f} MiB"
                if traced
                else ""
            )
        )
    if last:
        print(
            f"preview of {last['preview']['rows']} rows: {last['preview']['seconds']:.2f} s, "
            f"read alone {last['read']['seconds']:.2f} s, preview peak traced {last['preview']['traced_mib']:.1f} MiB"
        )
    if args.keep:
        print(f"kept {workdir}")
    else:
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
