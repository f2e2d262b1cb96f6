"""The benchmarks stay runnable: the posting workload is valid, and a tiny run of each prints its closing lines.

Figures are not checked here (benchmarks print them; see benchmarks/README.md).
"""

import importlib.util
import os
import re
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
POSTING = ROOT / "benchmarks" / "posting.py"


def _posting_module():
    spec = importlib.util.spec_from_file_location("posting_benchmark", POSTING)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_workload_is_a_fifth_receipts_and_never_takes_cash_or_bank_below_zero():
    posting = _posting_module()
    opening, entries = posting.workload(500, seed=3)

    assert sum(entry.kind == "receipt" for entry in entries) == 100
    assert {entry.via for entry in entries if entry.kind == "receipt"} == {"bank"}
    assert {entry.account for entry in entries if entry.kind == "payment"} == set(posting.SPENDING)
    assert [entry.date for entry in entries] == sorted(entry.date for entry in entries)
    assert posting.workload(500, seed=3) == (opening, entries)
    moves = defaultdict(Decimal)
    for entry in entries:
        moves[entry.via, entry.date] += Decimal(entry.amount) * (1 if entry.kind == "receipt" else -1)
    for via, code in (("cash", "101"), ("bank", "102")):
        balance = Decimal(opening[code])
        for date in sorted({entry.date for entry in entries}):
            balance += moves[via, date]
            assert balance >= 0, (via, date)


def test_a_tiny_run_prints_the_closing_line():
    done = subprocess.run(
        [sys.executable, str(POSTING), "--n", "10", "--db", "sqlite", "--no-peer"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert any(re.fullmatch(r"ours: queries per receipt \d+.*, per payment \d+.*", line) for line in lines)
    assert re.fullmatch(
        r"posting ratio vs django-hordak: n/a \(ours \d+\.\d/s, hordak not run, "
        r"queries per voucher \d+\.\d, N=10, db=sqlite\)",
        lines[-1],
    ), lines[-1]


def test_a_tiny_book_pages_run_prints_every_page_and_its_closing_line():
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "book_pages.py"),
            "--lines",
            "400",
            "--db",
            "sqlite",
            "--repeat",
            "1",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert "200 vouchers (400 lines)" in done.stdout
    assert any(line.startswith("现金日记账 12月末页") for line in lines)
    assert re.fullmatch(
        r"book pages: slowest \d+ ms \(goal 200 ms\), lines=400, db=sqlite, queries \d+–\d+ per page",
        lines[-1],
    ), lines[-1]


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the federation benchmark is PostgreSQL only",
)
def test_a_tiny_federation_run_prints_a_line_for_each_goal():
    prefix = os.environ["DATABASE_URL"].rsplit("/", 1)[1] + "_fedsmoke"  # apart from other runs on the server
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "federation.py"),
            *("--unions", "3", "--vouchers", "10", "--years", "2", "--large-lines", "200"),
            *("--renders", "2", "--workers", "1", "--users", "2", "--repeat", "1", "--members", "3"),
            *("--db-prefix", prefix),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.strip().splitlines()
    assert any(line.startswith("报告数据") for line in lines)
    assert re.match(
        r"one union among 3: worst page \d+\.\d\d× alone \(goal ≤ 1\.20: (met|NOT met)\)", lines[-5]
    )
    assert re.match(r"rosters: 9 members and [\d,]+ dues of 2025 added in \d+ s", lines[-4])
    assert re.match(
        r"federation table: \d+ ms for 4 unions, 3 members a union with their figures kept "
        r"\(goal ≤ 1000 ms: (met|NOT met)\), \d+ queries; \d+ ms with 1 of the years changed since the last "
        r"reading; \d+ ms with every year computed \(the first reading, or after a release\), \d+ queries",
        lines[-3],
    )
    assert re.match(r"report season: 2/2 PDFs in \d+ s with 1 workers = .*; 0 failed", lines[-2])
    assert re.match(r"load during the drain: 2 users, [\d,]+ page requests, p95 \d+ ms, 0 errors", lines[-1])
