#!/usr/bin/env python
"""How long the annual report takes: data, PDF (first and cached) and workbook, for growing books.

    DEBUG=1 .venv/bin/python benchmarks/report_bench.py [--sizes 1000,10000,100000] [--repeat 5]

Builds a throwaway SQLite database (never the project's) with one union-year per size, each holding N posted
voucher lines (N/2 two-line vouchers) written in bulk: drafts with ``bulk_create``, then one UPDATE per year
that posts them (the database's triggers still check every voucher balances as it is posted). Then, for each
size, it prints:

- report data: ``build_annual_report`` time and its query count;
- PDF: the first render of the report, the median of fresh renders, the same layout set in a Latin font
  (DejaVu) as the baseline and the ratio; the cached download through the real view (sign-in, permission,
  cache lookup, file response) and its query count;
- workbook: ``render_xlsx`` time with the 明细账 streamed from the database, its size and the process's peak memory.

Not part of the test suite. The fonts must be prepared (``make install``).
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LATIN_CSS = (
    "html, body, h1, h2, th, td, p, span, figcaption, .run-in, .table-meta, .signatures, .report-note "
    "{ font-family: 'DejaVu Serif' !important; } svg, svg text { font-family: 'DejaVu Sans' !important; } "
    "@page { @top-center { font-family: 'DejaVu Sans' } @bottom-left { font-family: 'DejaVu Sans' } "
    "@bottom-center { font-family: 'DejaVu Sans'; content: 'Page ' counter(page) ' of ' counter(pages) } "
    "@bottom-right { font-family: 'DejaVu Sans' } }"
)


def latin(html: str) -> str:
    """The same markup with every non-ASCII character replaced by a Latin letter of similar width."""
    return re.sub(r"[^\x00-\x7f]", "M", html).replace('lang="zh-CN"', 'lang="en"')


def setup(workdir: Path) -> None:
    os.environ.setdefault("DEBUG", "1")
    os.environ["DJANGO_SETTINGS_MODULE"] = "unionledger.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["REPORT_CACHE_DIR"] = str(workdir / "cache")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def build_books(size: int, user):
    """A union-year with ``size`` posted voucher lines, like a hospital union's: dues, levy, activities."""
    import datetime
    import random
    from decimal import Decimal

    from django.db import connection, transaction
    from django.db.models import Max
    from django.utils import timezone

    from ledger import services
    from ledger.models import Union, Voucher, VoucherLine
    from ledger.money import money

    rng = random.Random(size)
    union = Union.objects.create(name=f"测试{size}行医院工会", slug=f"bench-{size}", review_required=False)
    union.members.add(user)
    year = services.open_year(union=union, year=2012)
    services.record_opening_balances(
        year=year, balances={"101": "5000.00", "102": "80000.00", "331": "85000.00"}, user=user
    )
    accounts = {
        code: services.resolve_account(year, code)
        for code in ("101", "102", "401", "402", "405", "50101", "50102", "50205", "503", "508")
    }
    for parent, name in (
        ("50104", "三八妇女节活动"),
        ("50104", "职工元旦活动"),
        ("50104", "会员生日慰问"),
        ("50204", "困难职工帮扶"),
    ):
        account = services.add_sub_account(
            union=union, parent=services.resolve_account(year, parent), name=name, user=user
        )
        accounts[name] = account
    income = ["401", "402", "405"]
    spending = [
        "50101",
        "50102",
        "50205",
        "503",
        "508",
        "三八妇女节活动",
        "职工元旦活动",
        "会员生日慰问",
        "困难职工帮扶",
    ]
    count = size // 2
    start = datetime.date(2012, 1, 2)
    now = timezone.now()
    with transaction.atomic():
        vouchers = []
        for index in range(count):
            date = start + datetime.timedelta(days=index * 360 // max(count, 1))
            vouchers.append(Voucher(year=year, date=date, summary=f"业务{index + 1}", prepared_by=user))
        Voucher.objects.bulk_create(vouchers, batch_size=2000)
        created = list(
            Voucher.objects.filter(year=year, state=Voucher.State.DRAFT)
            .order_by("id")
            .values_list("id", flat=True)
        )
        lines = []
        for index, voucher_id in enumerate(created):
            amount = Decimal(rng.randint(100, 500_000)) / 100
            money_account = accounts["101" if rng.random() < 0.4 else "102"]
            if index % 3 == 0:
                debit, credit = money_account, accounts[rng.choice(income)]
            else:
                debit, credit = accounts[rng.choice(spending)], money_account
            lines.append(
                VoucherLine(
                    voucher_id=voucher_id,
                    position=1,
                    account=debit,
                    debit=money(amount),
                    credit=money(Decimal("0.00")),
                )
            )
            lines.append(
                VoucherLine(
                    voucher_id=voucher_id,
                    position=2,
                    account=credit,
                    debit=money(Decimal("0.00")),
                    credit=money(amount),
                )
            )
        VoucherLine.objects.bulk_create(lines, batch_size=5000)
        year.refresh_from_db()
        last = dict(
            Voucher.objects.filter(year=year, state="posted").values_list("month").annotate(n=Max("number"))
        )
        rows = []
        for pk, date in (
            Voucher.objects.filter(year=year, state="draft").order_by("date", "id").values_list("id", "date")
        ):
            last[date.month] = last.get(date.month, 0) + 1  # numbered per month, as posting one by one would
            rows.append(("posted", date.month, last[date.month], now, user.pk, pk))
        with connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE ledger_voucher SET state = %s, month = %s, number = %s, posted_at = %s,"
                " posted_by_id = %s WHERE id = %s",
                rows,
            )
        year.next_number += len(rows)
        year.save(update_fields=["next_number"])
    return year


def timed(function, repeat: int = 1):
    """(result of the last call, list of seconds per call)."""
    times = []
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return result, times


def queries_of(function):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        result = function()
    return result, len(captured.captured_queries)


def workbook_peak_memory(slug: str) -> int:
    """MiB of peak resident memory of a new process that only builds the workbook (the 明细账 streams)."""
    script = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='unionledger.settings'; django.setup();"
        "from ledger.models import AccountingYear; from reports.data import build_annual_report;"
        "from ledger.queries import journal_rows; from reports.render.xlsx import render_xlsx;"
        f"year = AccountingYear.objects.get(union__slug='{slug}', year=2012);"
        "render_xlsx(build_annual_report(year), journal_rows(year));"
        # VmHWM, not ru_maxrss: a child process inherits its parent's ru_maxrss across fork and exec.
        "print(next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')) // 1024)"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout.strip().splitlines()[-1])


def fresh_process_render(html_path: Path, latin_path: Path) -> tuple[float, float]:
    """First render in a new Python process (imports, fontconfig and all), CJK and Latin."""
    script = (
        "import sys, time, django, os; os.environ['DJANGO_SETTINGS_MODULE']='unionledger.settings'; django.setup();"
        "from pathlib import Path; from reports.render.pdf import html_to_pdf;"
        "html=Path(sys.argv[1]).read_text(); latin=sys.argv[2]=='latin'; css=sys.argv[3] if latin else '';"
        "t=time.perf_counter(); html_to_pdf(html, extra_css=css, use_prepared_fonts=not latin); print(time.perf_counter()-t)"
    )
    results = []
    for path, kind in ((html_path, "cjk"), (latin_path, "latin")):
        out = subprocess.run(
            [sys.executable, "-c", script, str(path), kind, LATIN_CSS],
            cwd=ROOT,
            env=os.environ.copy(),
            capture_output=True,
            text=True,
            check=True,
        )
        results.append(float(out.stdout.strip().splitlines()[-1]))
    return results[0], results[1]


def measure(size: int, user, client, repeat: int):
    """Build books of ``size`` lines and print what the report costs on them; return a table row."""
    from django.urls import reverse

    from ledger.queries import journal_rows
    from reports.data import build_annual_report
    from reports.render.pdf import html_to_pdf, render_pdf, report_html
    from reports.render.xlsx import render_xlsx

    started = time.perf_counter()
    year = build_books(size, user)
    print(f"\n== {size:,} voucher lines (books built in {time.perf_counter() - started:.1f} s)")

    data, data_queries = queries_of(lambda: build_annual_report(year))
    _, data_times = timed(lambda: build_annual_report(year), repeat)
    print(f"report data:      {statistics.median(data_times) * 1000:8.1f} ms  {data_queries} queries")

    html = report_html(data)
    latin_html = latin(html)
    _, first = timed(lambda: render_pdf(data))
    _, latin_first = timed(lambda: html_to_pdf(latin_html, extra_css=LATIN_CSS, use_prepared_fonts=False))
    _, pdf_times = timed(lambda: render_pdf(data), repeat)
    _, latin_times = timed(
        lambda: html_to_pdf(latin_html, extra_css=LATIN_CSS, use_prepared_fonts=False), repeat
    )
    ratio = statistics.median(pdf_times) / statistics.median(latin_times)
    print(
        f"PDF render:       {first[0] * 1000:8.1f} ms the first time (Latin layout {latin_first[0] * 1000:.1f} ms); "
        f"median of {repeat} uncached renders {statistics.median(pdf_times) * 1000:.1f} ms "
        f"(Latin {statistics.median(latin_times) * 1000:.1f} ms): {ratio:.2f}×"
    )

    pdf_url = reverse("reports:annual_pdf", args=[year.union.slug, year.year])

    def download():
        response = client.get(pdf_url, HTTP_HOST="127.0.0.1")
        body = b"".join(response.streaming_content)
        return response, body

    (miss, body), miss_queries = queries_of(download)
    _, miss_time = timed(download)  # now a hit; timed again below
    (hit, _), hit_queries = queries_of(download)
    _, hit_times = timed(download, 20)
    assert miss["X-Report-Cache"] == "miss" and hit["X-Report-Cache"] == "hit", (miss, hit)
    print(
        f"PDF download:     first {miss_queries} queries; cached {statistics.median(hit_times) * 1000:.1f} ms median "
        f"(max {max(hit_times) * 1000:.1f} ms of 20), {hit_queries} queries, {len(body) // 1024} KiB"
    )

    (_, _, workbook), xlsx_queries = queries_of(
        lambda: render_xlsx(build_annual_report(year), journal_rows(year))
    )
    _, xlsx_times = timed(lambda: render_xlsx(build_annual_report(year), journal_rows(year)))
    peak = workbook_peak_memory(year.union.slug)
    print(
        f"workbook:         {xlsx_times[0]:8.2f} s   {xlsx_queries} queries, {len(workbook) // 1024} KiB; "
        f"peak memory of a fresh process writing it: {peak} MiB"
    )
    row = (
        size,
        statistics.median(data_times),
        data_queries,
        first[0],
        latin_first[0],
        statistics.median(pdf_times),
        statistics.median(latin_times),
        ratio,
        statistics.median(hit_times),
        hit_queries,
        xlsx_times[0],
        peak,
    )
    return row, html, latin_html


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default="1000,10000,100000", help="voucher lines per year, comma-separated"
    )
    parser.add_argument("--repeat", type=int, default=5, help="renders per measurement (median reported)")
    parser.add_argument(
        "--keep", action="store_true", help="keep the throwaway database and print where it is"
    )
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]

    workdir = Path(tempfile.mkdtemp(prefix="report-bench-"))
    try:
        setup(workdir)
        from django.contrib.auth import get_user_model
        from django.test import Client

        from reports import fonts

        status = fonts.status()
        print(
            f"fonts prepared: {status.fully_prepared} ({', '.join(status.prepared)}); libharfbuzz-subset: {status.harfbuzz_subset}"
        )
        for problem in status.problems:
            print("  !", problem)
        user = get_user_model().objects.create_superuser("bench", password="bench-password-1")
        client = Client()
        client.force_login(user)
        rows = []
        for size in sizes:
            row, html, latin_html = measure(size, user, client, args.repeat)
            rows.append(row)

        (workdir / "report.html").write_text(html)
        (workdir / "latin.html").write_text(latin_html)
        cjk_cold, latin_cold = fresh_process_render(workdir / "report.html", workdir / "latin.html")
        print(
            f"\nfirst render in a fresh process: CJK {cjk_cold * 1000:.0f} ms, Latin {latin_cold * 1000:.0f} ms ({cjk_cold / latin_cold:.2f}×)"
        )

        print(
            "\n| voucher lines | data (queries) | PDF first (Latin) | PDF median | Latin median | ratio "
            "| cached download (queries) | workbook | workbook peak RSS |"
        )
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for (
            size,
            data_t,
            data_q,
            first_t,
            latin_first_t,
            pdf_t,
            latin_t,
            ratio,
            hit_t,
            hit_q,
            xlsx_t,
            peak,
        ) in rows:
            print(
                f"| {size:,} | {data_t * 1000:.0f} ms ({data_q}) | {first_t * 1000:.0f} ms ({latin_first_t * 1000:.0f} ms) | {pdf_t * 1000:.0f} ms | "
                f"{latin_t * 1000:.0f} ms | {ratio:.2f}× | {hit_t * 1000:.1f} ms ({hit_q}) | {xlsx_t:.2f} s | {peak} MiB |"
            )
    finally:
        if args.keep:
            print(f"\nkept the throwaway database: DATABASE_URL=sqlite:///{workdir / 'bench.sqlite3'}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
