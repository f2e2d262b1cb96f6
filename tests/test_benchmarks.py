"""The posting benchmark stays runnable: its workload is valid, and a tiny run prints its closing line.

Figures are not checked here (benchmarks print them; see benchmarks/README.md).
"""

import importlib.util
import re
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

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
