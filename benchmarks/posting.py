#!/usr/bin/env python
"""How fast vouchers are posted, and whether it slows as the year fills: ours next to django-hordak's.

    .venv/bin/python benchmarks/posting.py --n 20000 --db sqlite|postgres [--seed 12] [--no-peer] [--show-queries]

The workload is one union-year of N two-line vouchers in date order, seeded: 20% receipts into the bank
(会费收入 or 拨缴经费收入), 80% payments from the bank (70%) or cash (30%) over four spending accounts. The
opening balances (one 期初余额 voucher, not counted) are just large enough that cash and bank are never
negative on any day, so the workload stays valid under a never-negative rule.

Ours: every voucher through the public services a treasurer's form calls, ``ledger.services.record_receipt`` /
``record_payment``, each its own transaction, with the category ``Account`` the form would hand over. Every
query is counted as ``django_assert_num_queries`` counts them; ``--show-queries`` prints the SQL of one more receipt and
one more payment made after the N.

django-hordak: the same workload, in the same run, on a separate database of the same server, posted with its
``Account.transfer_to`` (one transaction per voucher) by ``hordak_peer.py`` in a throwaway virtualenv that this
script makes with pip (kept in ``~/.cache/unionledger-bench/``; ``--peer-venv`` chooses another place).

Then the same N again through ``services.record_many`` (1,000 vouchers a transaction, every check) into a second
union of the same database: the rate of an import.

``--threads 8 --seconds 20 --db postgres`` instead has eight treasurers post at once for 20 seconds and then checks
the books: numbers gapless, the trial balance exact, no deadlock or error; it prints the throughput.

Databases are throwaway: SQLite files in a temporary folder; on PostgreSQL (127.0.0.1:5432, user postgres) the
databases ``bench_ul_posting`` and ``bench_hordak_posting``, dropped and made anew, dropped again at the end.
Not part of the test suite. The last line of output reads
``posting ratio vs django-hordak: R (ours X/s, hordak Y/s, queries per voucher Q, N=…, db=…)``.
"""

import argparse
import datetime
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

YEAR = 2025
INCOME = ("401", "402")
SPENDING = ("50101", "50102", "50205", "50302")
POSTGRES = "postgres://postgres@127.0.0.1:5432"
HORDAK = ("django-hordak==2.0.0", "django-money==3.6.2", "psycopg[binary]==3.3.9")


# --- the workload ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    kind: str  # "receipt" or "payment"
    date: str
    account: str  # income or spending account code
    amount: str  # 元, two places
    via: str  # "bank" or "cash"
    summary: str


def workload(n: int, seed: int) -> tuple[dict[str, str], list[Entry]]:
    """(opening balances of 101 cash and 102 bank, N entries in date order)."""
    rng = random.Random(seed)
    kinds = ["receipt"] * (n // 5) + ["payment"] * (n - n // 5)
    rng.shuffle(kinds)
    start = datetime.date(YEAR, 1, 1)
    dates = sorted(start + datetime.timedelta(days=rng.randrange(365)) for _ in range(n))
    entries = []
    for index, (kind, date) in enumerate(zip(kinds, dates, strict=True), start=1):
        if kind == "receipt":
            fen, via, account = rng.randint(50_000, 2_000_000), "bank", rng.choice(INCOME)
            summary = f"收{index}"
        else:
            fen, account = rng.randint(1_000, 300_000), rng.choice(SPENDING)
            via = "cash" if rng.random() < 0.3 else "bank"
            summary = f"付{index}"
        entries.append(Entry(kind, date.isoformat(), account, f"{Decimal(fen) / 100:.2f}", via, summary))
    # Opening balances: the lowest running balance of each, lifted to a 1,000.00 margin above zero.
    opening = {}
    for code, via in (("101", "cash"), ("102", "bank")):
        balance = lowest = Decimal("0")
        for entry in entries:
            if entry.via == via:
                balance += Decimal(entry.amount) if entry.kind == "receipt" else -Decimal(entry.amount)
                lowest = min(lowest, balance)
        opening[code] = f"{-lowest + 1000:.2f}"
    return opening, entries


# --- throwaway databases ---------------------------------------------------------------------------------


class Databases:
    """Two throwaway databases on one server, ours and the peer's."""

    def __init__(self, kind: str, workdir: Path, names: tuple[str, str]):
        self.kind = kind
        self.names = names
        if kind == "sqlite":
            self.ours = f"sqlite:///{workdir / (names[0] + '.sqlite3')}"
            self.peer = f"sqlite:///{workdir / (names[1] + '.sqlite3')}"
        else:
            self.ours, self.peer = f"{POSTGRES}/{names[0]}", f"{POSTGRES}/{names[1]}"

    def _admin(self, statements: list[str]) -> None:
        import psycopg

        # A maintenance connection only: nothing is written in the server's "postgres" database.
        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
            for statement in statements:
                connection.execute(statement)

    def create(self) -> None:
        if self.kind == "postgres":
            self._admin(
                [f"DROP DATABASE IF EXISTS {name} WITH (FORCE)" for name in self.names]
                + [f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'" for name in self.names]
            )

    def drop(self) -> None:
        if self.kind == "postgres":
            self._admin([f"DROP DATABASE IF EXISTS {name} WITH (FORCE)" for name in self.names])


def setup_django(database_url: str, workdir: Path) -> None:
    """Django on the throwaway database (never the project's var/), migrated."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "unionledger.settings"
    os.environ["DATABASE_URL"] = database_url
    os.environ["DEBUG"] = "0"  # no query log kept in memory
    os.environ["SECRET_KEY"] = "benchmark-only-not-a-secret"
    os.environ["VAR_DIR"] = str(workdir)
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ["REPORT_CACHE_DIR"] = str(workdir / "cache")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def open_books(opening: dict[str, str], slug: str = "bench-posting", user=None):
    """A union, its treasurer and the year with its 期初余额: (union, user, {code: Account})."""
    from django.contrib.auth import get_user_model

    from ledger import services
    from ledger.models import Union

    user = user or get_user_model().objects.create_user("treasurer", password="benchmark-password-1")
    union = Union.objects.create(name=f"基准测试医院工会 {slug}", slug=slug, review_required=False)
    union.members.add(user)
    year = services.open_year(union=union, year=YEAR, chart="2009")  # the 2009 codes below
    cash, bank = Decimal(opening["101"]), Decimal(opening["102"])
    services.record_opening_balances(
        year=year, balances={"101": cash, "102": bank, "331": cash + bank}, user=user
    )
    # The form hands the service the category as an Account; resolve them once, as the form's choices are.
    accounts = {code: services.resolve_account(year, code) for code in INCOME + SPENDING}
    return union, user, accounts


def post(union, user, accounts, entry: Entry, summary: str | None = None):
    from ledger import services

    common = {
        "union": union,
        "date": datetime.date.fromisoformat(entry.date),
        "account": accounts[entry.account],
        "amount": Decimal(entry.amount),
        "summary": summary or entry.summary,
        "user": user,
    }
    if entry.kind == "receipt":
        return services.record_receipt(into=entry.via, payer="某单位", **common)
    return services.record_payment(via=entry.via, payee="某供应商", **common)


def post_ours(union, user, accounts, entries: list[Entry]) -> dict:
    """Post every entry, each timed; its statements counted as ``django_assert_num_queries`` counts them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    seconds, query_counts = [], []
    began = time.perf_counter()
    for entry in entries:
        connection.queries_log.clear()  # the log keeps 9,000 statements at most
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            post(union, user, accounts, entry)
            seconds.append(time.perf_counter() - started)
        query_counts.append(len(captured.captured_queries))
    total = time.perf_counter() - began
    return {"seconds": seconds, "total": total, "queries": query_counts}


def bulk_books(union, user, accounts, entries: list[Entry], batch: int = 5000) -> None:
    """Post ``entries`` in bulk through ``services.record_many`` (what the import and ``load_demo`` use): one
    transaction per 5,000, every check made, numbers in date order. For the trial balance and ``--prefill``."""
    from ledger import services
    from ledger.models import AccountingYear

    year = AccountingYear.objects.get(union=union, year=YEAR)
    for first in range(0, len(entries), batch):
        services.record_many(
            year=year, entries=[as_entry(accounts, e) for e in entries[first : first + batch]], user=user
        )


def as_entry(accounts, entry: Entry):
    from ledger import services

    common = {
        "date": datetime.date.fromisoformat(entry.date),
        "account": accounts[entry.account],
        "amount": Decimal(entry.amount),
        "summary": entry.summary,
    }
    if entry.kind == "receipt":
        return services.receipt_entry(into=entry.via, payer="某单位", **common)
    return services.payment_entry(via=entry.via, payee="某供应商", **common)


def threads_run(union, user, accounts, entries: list[Entry], threads: int, seconds: float) -> dict:
    """``threads`` treasurers post the workload's vouchers at once (each its own connection, one transaction per
    voucher) for ``seconds``; then check the numbers are gapless, the trial balance exact and the per-day totals
    equal to the lines. Returns the summary line."""
    import threading

    from django.db import connections

    from ledger import queries, totals
    from ledger.models import AccountingYear, Voucher

    year = AccountingYear.objects.select_related("union", "chart").get(union=union, year=YEAR)
    before = Voucher.objects.filter(year=year, state="posted").count()
    start = threading.Barrier(threads)
    stop_at: list[float] = []
    posted: list[list[Entry]] = [[] for _ in range(threads)]
    errors: list[BaseException] = []

    def treasurer(worker: int) -> None:
        try:
            start.wait()
            mine = entries[worker::threads]
            n = 0
            while time.perf_counter() < stop_at[0]:
                entry = mine[n % len(mine)]
                # Receipts only from the second lap on, so that no payment can find the money spent.
                if n >= len(mine) and entry.kind == "payment":
                    entry = Entry("receipt", entry.date, INCOME[0], entry.amount, "bank", entry.summary)
                post(union, user, accounts, entry, summary=f"{entry.summary}-{worker}-{n}")
                posted[worker].append(entry)
                n += 1
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=treasurer, args=(i,)) for i in range(threads)]
    stop_at.append(time.perf_counter() + seconds + 1)
    began = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=seconds + 300)
    elapsed = time.perf_counter() - began
    hung = sum(worker.is_alive() for worker in workers)
    count = sum(len(done) for done in posted)
    numbers: dict[int, list[int]] = {}
    for month, number in (
        Voucher.objects.filter(year=year).order_by("month", "number").values_list("month", "number")
    ):
        numbers.setdefault(month, []).append(number)
    gapless = (
        all(found == list(range(1, len(found) + 1)) for found in numbers.values())
        and sum(len(found) for found in numbers.values()) == before + count
    )
    rows = queries.trial_balance(year=year)
    balanced = queries.trial_balance_totals(rows).balanced
    closing = {row.account.code: row.closing for row in rows}
    moved = {"101": Decimal(0), "102": Decimal(0)}
    for done in posted:
        for entry in done:
            code = "101" if entry.via == "cash" else "102"
            moved[code] += Decimal(entry.amount) if entry.kind == "receipt" else -Decimal(entry.amount)
    return {
        "count": count,
        "elapsed": elapsed,
        "errors": [f"{type(e).__name__}: {e}" for e in errors],
        "hung": hung,
        "gapless": gapless,
        "balanced": balanced,
        "closing": closing,
        "moved": moved,
        "differences": len(totals.differences(year_ids=[year.pk])),
    }


def show_queries(union, user, accounts, entries: list[Entry]) -> None:
    """The SQL of one more receipt and one more payment, made after the N (as many rows as the year holds)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    last = entries[-1].date
    for kind in ("receipt", "payment"):
        sample = Entry(kind, last, INCOME[0] if kind == "receipt" else SPENDING[0], "1.00", "bank", "示例")
        with CaptureQueriesContext(connection) as captured:
            post(union, user, accounts, sample)
        print(f"\n-- one {kind}: {len(captured.captured_queries)} queries")
        for number, query in enumerate(captured.captured_queries, start=1):
            sql = " ".join(query["sql"].split())
            print(f"{number:3d}. {query['time']:>6}s  {sql[:400]}{' …' if len(sql) > 400 else ''}")


def captured_postings(
    union, user, accounts, entries: list[Entry]
) -> list[tuple[int, list[tuple[str, list]]]]:
    """One more receipt and one more payment posted through the services, each with the statements it sent as
    Django sent them (SQL with placeholders, and its parameters): what ``sql_floor`` replays."""
    from django.db import connection

    captured: list[tuple[str, list]] = []

    def keep(execute, sql, params, many, context):
        captured.append((sql, list(params or ())))
        return execute(sql, params, many, context)

    last = entries[-1].date
    postings = []
    for kind in ("receipt", "payment"):
        sample = Entry(kind, last, INCOME[0] if kind == "receipt" else SPENDING[0], "1.00", "bank", "示例")
        captured.clear()
        with connection.execute_wrapper(keep):
            voucher = post(union, user, accounts, sample)
        postings.append((voucher.pk, list(captured)))
    return postings


def sql_floor(database_url: str, postings, n: int) -> float:
    """The raw-SQL floor of posting: the statements our services send for a receipt and a payment, replayed
    ``n`` times (alternately, so the money stays put) on a bare psycopg connection, one transaction a voucher,
    each statement prepared on the server: no Python of ours, no ORM, no Django. Each replay writes a new voucher
    (the INSERT's new id stands in for the captured one), numbered, totalled and checked by the same triggers.
    Returns vouchers a second."""
    import psycopg

    def swap(value, old: int, new: int):
        if isinstance(value, list):
            return [swap(item, old, new) for item in value]
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value == old:
            return new
        if isinstance(value, str) and value == str(old):
            return str(new)
        return value

    count = "SELECT COUNT(*) FROM ledger_voucher WHERE state = 'posted'"
    with psycopg.connect(database_url) as conn:
        before = conn.execute(count).fetchone()[0]
        conn.commit()
        began = time.perf_counter()
        for i in range(n):
            old, statements = postings[i % len(postings)]
            with conn.transaction():
                new = None
                for sql, params in statements:
                    if new is not None:
                        params = [swap(value, old, new) for value in params]
                    cursor = conn.execute(sql, params, prepare=True)
                    if new is None and sql.startswith('INSERT INTO "ledger_voucher"'):
                        new = cursor.fetchone()[0]
        rate = n / (time.perf_counter() - began)
        posted = conn.execute(count).fetchone()[0] - before
    if posted != n:
        raise SystemExit(f"the raw-SQL floor posted {posted} vouchers, not {n}")
    return rate


# --- the peer --------------------------------------------------------------------------------------------


def peer_python(venv: Path) -> Path:
    """The throwaway virtualenv's python with django-hordak, made (with pip, from PyPI) if missing."""
    import django

    python = venv / "bin" / "python"
    requirements = [*HORDAK, f"Django=={django.get_version()}"]
    stamp = venv / "requirements.txt"
    if python.exists() and stamp.exists() and stamp.read_text() == "\n".join(requirements):
        return python
    shutil.rmtree(venv, ignore_errors=True)
    print(f"making the django-hordak virtualenv in {venv} …", flush=True)
    subprocess.run(
        [getattr(sys, "_base_executable", sys.executable), "-m", "venv", str(venv)],
        check=True,
        capture_output=True,
    )
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q", *requirements],
        capture_output=True,
        text=True,
    )
    if done.returncode:
        sys.exit(f"pip could not install {requirements}:\n{done.stdout}\n{done.stderr}")
    stamp.write_text("\n".join(requirements))
    return python


def run_peer(python: Path, mode: str, workload_path: Path, database_url: str) -> dict:
    done = subprocess.run(
        [
            str(python),
            str(Path(__file__).with_name("hordak_peer.py")),
            mode,
            str(workload_path),
            database_url,
        ],
        capture_output=True,
        text=True,
        cwd=workload_path.parent,
    )
    if done.returncode:
        sys.exit(f"the django-hordak side failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def write_workload(path: Path, opening: dict[str, str], entries: list[Entry], **extra) -> Path:
    path.write_text(
        json.dumps({"year": YEAR, "opening": opening, "entries": [asdict(e) for e in entries], **extra}),
        encoding="utf-8",
    )
    return path


# --- figures ---------------------------------------------------------------------------------------------


def deciles(seconds: list[float]) -> list[tuple[int, int, float]]:
    """(first voucher, last voucher, vouchers/s) for each tenth of the run."""
    n = len(seconds)
    rows = []
    for tenth in range(10):
        first, last = n * tenth // 10, n * (tenth + 1) // 10
        if last > first:
            rows.append((first + 1, last, (last - first) / sum(seconds[first:last])))
    return rows


def per_kind(entries: list[Entry], counts: list[int]) -> dict[str, str]:
    result = {}
    for kind in ("receipt", "payment"):
        mine = [c for e, c in zip(entries, counts, strict=True) if e.kind == kind]
        if mine:
            low, high = min(mine), max(mine)
            result[kind] = f"{low}" if low == high else f"{low}–{high} (median {statistics.median(mine):g})"
    return result


def growth(entries: list[Entry], seconds: list[float]) -> str:
    """Median milliseconds of a receipt and of a payment in the first tenth and in the last tenth of the run."""
    n = len(seconds)
    parts = []
    for kind in ("receipt", "payment"):
        ends = []
        for first, last in ((0, max(n // 10, 1)), (n - max(n // 10, 1), n)):
            mine = [
                t for e, t in zip(entries[first:last], seconds[first:last], strict=True) if e.kind == kind
            ]
            ends.append(f"{statistics.median(mine) * 1000:.1f}" if mine else "–")
        parts.append(f"{kind} {ends[0]} → {ends[1]} ms")
    return "median per voucher, first tenth → last tenth: " + "; ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="vouchers in the union-year")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--no-peer", action="store_true", help="post ours only (no django-hordak)")
    parser.add_argument(
        "--show-queries", action="store_true", help="print the SQL of a receipt and a payment"
    )
    parser.add_argument(
        "--peer-venv",
        type=Path,
        default=Path.home() / ".cache" / "unionledger-bench" / "hordak-venv",
        help="where the throwaway django-hordak virtualenv lives",
    )
    parser.add_argument(
        "--prefill",
        type=int,
        default=0,
        help="first write this many vouchers of the year in bulk (untimed), then post the N after them",
    )
    parser.add_argument("--keep", action="store_true", help="keep the throwaway databases")
    parser.add_argument(
        "--threads",
        type=int,
        default=0,
        help="instead: this many treasurers post at once for --seconds (PostgreSQL), then the books are checked",
    )
    parser.add_argument("--seconds", type=float, default=20.0, help="how long --threads posts")
    parser.add_argument(
        "--db-prefix",
        default="bench",
        help="PostgreSQL databases are named PREFIX_ul_… and PREFIX_hordak_… (several runs at once need their own)",
    )
    args = parser.parse_args()
    if args.n < 10:
        parser.error("--n must be at least 10")
    if args.threads:
        if args.db != "postgres":
            parser.error("--threads needs --db postgres (SQLite lets one writer at a time)")
        return concurrent(args)

    opening, everything = workload(args.prefill + args.n, args.seed)
    prefilled, entries = everything[: args.prefill], everything[args.prefill :]
    receipts = sum(entry.kind == "receipt" for entry in entries)
    print(
        f"workload: {args.n:,} two-line vouchers in {YEAR} (seed {args.seed}): {receipts:,} receipts into the bank, "
        f"{args.n - receipts:,} payments ({sum(e.via == 'cash' for e in entries):,} from cash); "
        f"opening cash {opening['101']}, bank {opening['102']}; db={args.db}",
        flush=True,
    )
    if prefilled:
        print(f"prefill: the year's first {len(prefilled):,} vouchers written in bulk, untimed", flush=True)
    workdir = Path(tempfile.mkdtemp(prefix="posting-bench-"))
    databases = Databases(
        args.db, workdir, (f"{args.db_prefix}_ul_posting", f"{args.db_prefix}_hordak_posting")
    )
    try:
        databases.create()
        setup_django(databases.ours, workdir)
        from django.db import connection

        print(f"ours: Django {__import__('django').get_version()} on {connection.vendor}", flush=True)
        union, user, accounts = open_books(opening)
        bulk_books(union, user, accounts, prefilled)
        ours = post_ours(union, user, accounts, entries)
        ours_rate = args.n / ours["total"]
        print(f"\nours: {args.n:,} vouchers in {ours['total']:.1f} s = {ours_rate:.1f} vouchers/s")
        counts = per_kind(entries, ours["queries"])
        print(f"ours: queries per receipt {counts.get('receipt')}, per payment {counts.get('payment')}")
        print("ours: vouchers/s per tenth of N:")
        for first, last, rate in deciles(ours["seconds"]):
            print(f"  {first:>7,}–{last:<7,} {rate:7.1f}/s")
        tenths = deciles(ours["seconds"])
        print(f"ours: last tenth / first tenth = {tenths[-1][2] / tenths[0][2]:.2f}")
        print(f"ours: {growth(entries, ours['seconds'])}")
        if args.show_queries:
            show_queries(union, user, accounts, entries)
        postings = (
            captured_postings(union, user, accounts, entries) if connection.vendor == "postgresql" else None
        )
        bulk_rate = None
        if not prefilled:
            # The same workload through the bulk service (the import's and load_demo's path), into a second union.
            bulk_union, _, bulk_accounts = open_books(opening, slug="bench-bulk", user=user)
            began = time.perf_counter()
            bulk_books(bulk_union, user, bulk_accounts, entries, batch=1000)
            bulk_rate = args.n / (time.perf_counter() - began)
            print(
                f"ours in bulk (record_many, 1,000 vouchers a transaction, every check): {bulk_rate:.1f} vouchers/s"
            )
        connection.close()
        floor_rate = None
        if postings:
            floor_rate = sql_floor(databases.ours, postings, args.n)
            print(
                f"raw-SQL floor (our statements replayed on bare psycopg, prepared, one transaction a voucher, no "
                f"Python of ours): {floor_rate:.1f} vouchers/s = {ours_rate / floor_rate:.2f} of it reached by ours",
                flush=True,
            )

        peer_rate = None
        if not args.no_peer:
            python = peer_python(args.peer_venv)
            path = write_workload(workdir / "workload.json", opening, everything, prefill=args.prefill)
            peer = run_peer(python, "post", path, databases.peer)
            peer_rate = args.n / peer["total"]
            versions = peer["versions"]
            print(
                f"\ndjango-hordak {versions['hordak']} (Django {versions['django']}) on {peer['vendor']}: "
                f"{args.n:,} vouchers in {peer['total']:.1f} s = {peer_rate:.1f} vouchers/s; "
                f"queries per voucher {per_kind(entries, peer['queries'])}"
            )
            if peer["vendor"] == "sqlite":
                print(
                    "django-hordak does not support SQLite (its migrations install PostgreSQL/MySQL triggers): "
                    "here its tables come from its models, without its database checks"
                )
            if args.show_queries:
                print(f"\n-- one django-hordak transfer_to: {len(peer['sample'])} queries")
                for number, sql in enumerate(peer["sample"], start=1):
                    sql = " ".join(sql.split())
                    print(f"{number:3d}. {sql[:400]}{' …' if len(sql) > 400 else ''}")
            print("django-hordak: vouchers/s per tenth of N:")
            for first, last, rate in deciles(peer["seconds"]):
                print(f"  {first:>7,}–{last:<7,} {rate:7.1f}/s")
            print(f"django-hordak: {growth(entries, peer['seconds'])}")

        queries = statistics.mean(ours["queries"])
        if peer_rate and floor_rate:
            print(f"raw-SQL floor ratio vs django-hordak: {floor_rate / peer_rate:.3f}")
        if peer_rate and bulk_rate:
            print(f"bulk ratio vs django-hordak's per-voucher rate: {bulk_rate / peer_rate:.3f}")
        if peer_rate:
            print(
                f"posting ratio vs django-hordak: {ours_rate / peer_rate:.3f} (ours {ours_rate:.1f}/s, "
                f"hordak {peer_rate:.1f}/s, queries per voucher {queries:.1f}, N={args.n}, db={args.db})"
            )
        else:
            print(
                f"posting ratio vs django-hordak: n/a (ours {ours_rate:.1f}/s, hordak not run, "
                f"queries per voucher {queries:.1f}, N={args.n}, db={args.db})"
            )
    finally:
        if args.keep:
            print(f"kept: {databases.ours} and {databases.peer}", file=sys.stderr)
        else:
            if "django.db" in sys.modules and os.environ.get("DATABASE_URL") == databases.ours:
                from django.db import connections

                connections.close_all()
            databases.drop()
            shutil.rmtree(workdir, ignore_errors=True)


def concurrent(args) -> None:
    """The --threads run: gapless numbers, an exact trial balance, no deadlock, and the throughput."""
    _, entries = workload(args.n, args.seed)
    # Opening balances that cover every payment of a lap in any order: the threads post out of date order.
    opening = {
        code: f"{sum(Decimal(e.amount) for e in entries if e.kind == 'payment' and e.via == via) + 1000:.2f}"
        for code, via in (("101", "cash"), ("102", "bank"))
    }
    workdir = Path(tempfile.mkdtemp(prefix="posting-threads-"))
    databases = Databases(
        args.db, workdir, (f"{args.db_prefix}_ul_threads", f"{args.db_prefix}_hordak_threads")
    )
    try:
        databases.create()
        setup_django(databases.ours, workdir)
        union, user, accounts = open_books(opening)
        print(
            f"{args.threads} threads post receipts and payments for {args.seconds:g} s (workload N={args.n}, "
            f"seed {args.seed}; from its second lap, receipts only); db={args.db}",
            flush=True,
        )
        run = threads_run(union, user, accounts, entries, args.threads, args.seconds)
        expected = {code: Decimal(opening[code]) + run["moved"][code] for code in ("101", "102")}
        exact = all(run["closing"].get(code) == expected[code] for code in expected)
        print(
            f"posted {run['count']:,} vouchers in {run['elapsed']:.1f} s = {run['count'] / run['elapsed']:.1f} vouchers/s"
        )
        print(f"errors: {run['errors'] or 'none'}; threads still running (deadlock or hang): {run['hung']}")
        print(
            f"numbers gapless: {run['gapless']}; trial balance balanced: {run['balanced']}; cash and bank exact: "
            f"{exact} ({run['closing'].get('101')}, {run['closing'].get('102')}); per-day totals off: {run['differences']}"
        )
        ok = (
            not run["errors"]
            and not run["hung"]
            and run["gapless"]
            and run["balanced"]
            and exact
            and not run["differences"]
        )
        print(
            f"threads: {'ok' if ok else 'FAILED'} ({args.threads} threads, {args.seconds:g} s, "
            f"{run['count'] / run['elapsed']:.1f} vouchers/s, gapless {run['gapless']}, exact {exact and run['balanced']}, "
            f"deadlocks/errors {len(run['errors']) + run['hung']}, db={args.db})"
        )
        if not ok:
            sys.exit(1)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            databases.drop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
