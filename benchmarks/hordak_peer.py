"""The django-hordak side of the posting and trial-balance benchmarks. Runs in its own throwaway virtualenv.

    <hordak venv>/bin/python benchmarks/hordak_peer.py post|bulk WORKLOAD.json DATABASE_URL

Started by ``posting.py`` and ``trial_balance.py``, never by hand and never with the project's packages: it
configures a minimal Django of its own (contenttypes, mptt, djmoney, hordak) on a separate database of the
same server. The workload file holds the opening balances and the entries of ``posting.workload``.

- ``post``: migrate, open the year's balances, then post every entry through hordak's public API,
  ``Account.transfer_to`` (one transaction per voucher, as a treasurer's request would be), timing each.
- ``bulk``: migrate and write the same entries with ``bulk_create`` (as hordak's own
  ``create_benchmark_transactions`` does), then time hordak's balance API for every account,
  ``Account.objects.with_balances()``.

Prints one JSON object on its last line of output.

hordak supports PostgreSQL and MySQL only: its migrations install triggers for those two. On SQLite the tables
are made from its models without its migrations, so there it runs without its database checks (balanced
legs, account types) and without its balance SQL function (``with_balances_orm`` stands in).
"""

import json
import statistics
import sys
import time
from decimal import Decimal


def configure(database_url: str) -> str:
    import dj_database_url
    import django
    from django.conf import settings

    database = dj_database_url.parse(database_url)
    vendor = "sqlite" if "sqlite" in database["ENGINE"] else "postgresql"
    settings.configure(
        DEBUG=False,
        SECRET_KEY="hordak-benchmark-only",
        USE_TZ=True,
        TIME_ZONE="Asia/Shanghai",
        DATABASES={"default": database},
        INSTALLED_APPS=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "mptt",
            "djmoney",
            "hordak",
        ],
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        CURRENCIES=("CNY",),
        DEFAULT_CURRENCY="CNY",
        HORDAK_INTERNAL_CURRENCY="CNY",
        # hordak's migrations refuse SQLite (they install PostgreSQL or MySQL triggers).
        MIGRATION_MODULES={"hordak": None} if vendor == "sqlite" else {},
    )
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False, run_syncdb=vendor == "sqlite")
    return vendor


def chart():
    """Accounts like ours: cash and bank, two income accounts, four spending accounts, and equity."""
    from hordak.models import Account, AccountType

    def account(code: str, name: str, type_: str) -> Account:
        return Account.objects.create(code=code, name=name, type=type_, currencies=["CNY"])

    accounts = {
        "101": account("101", "库存现金", AccountType.asset),
        "102": account("102", "银行存款", AccountType.asset),
        "331": account("331", "结余", AccountType.equity),
    }
    for code, name in (("401", "会费收入"), ("402", "拨缴经费收入")):
        accounts[code] = account(code, name, AccountType.income)
    for code, name in (
        ("50101", "职工教育费"),
        ("50102", "文体活动费"),
        ("50205", "送温暖费"),
        ("50302", "会议费"),
    ):
        accounts[code] = account(code, name, AccountType.expense)
    return accounts


def legs_of(entry: dict, accounts: dict):
    """(credited account, debited account) of an entry, as ``transfer_to`` takes them."""
    money_account = accounts["101" if entry["via"] == "cash" else "102"]
    if entry["kind"] == "receipt":
        return accounts[entry["account"]], money_account
    return money_account, accounts[entry["account"]]


def post(workload: dict) -> dict:
    import datetime

    from django.db import connection
    from moneyed import Money

    accounts = open_books(workload)
    prefill = int(workload.get("prefill", 0))
    bulk_write(workload["entries"][:prefill], accounts)

    from django.test.utils import CaptureQueriesContext

    seconds, query_counts, sample = [], [], []
    began = time.perf_counter()
    for entry in workload["entries"][prefill:]:
        source, target = legs_of(entry, accounts)
        connection.queries_log.clear()  # the log keeps 9,000 statements at most
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            source.transfer_to(
                target,
                Money(entry["amount"], "CNY"),
                date=datetime.date.fromisoformat(entry["date"]),
                description=entry["summary"],
            )
            seconds.append(time.perf_counter() - started)
        query_counts.append(len(captured.captured_queries))
        sample = [query["sql"] for query in captured.captured_queries]
    total = time.perf_counter() - began
    return {"seconds": seconds, "total": total, "queries": query_counts, "sample": sample}


def bulk_write(entries: list, accounts: dict) -> None:
    """``entries`` as transactions written with ``bulk_create``, as hordak's own benchmark command does."""
    import datetime

    from django.db import transaction
    from hordak.models import Leg, Transaction
    from moneyed import Money

    with transaction.atomic():
        for first in range(0, len(entries), 20_000):
            batch = entries[first : first + 20_000]
            transactions = Transaction.objects.bulk_create(
                [
                    Transaction(date=datetime.date.fromisoformat(entry["date"]), description=entry["summary"])
                    for entry in batch
                ]
            )
            legs = []
            for entry, made in zip(batch, transactions, strict=True):
                source, target = legs_of(entry, accounts)
                amount = Money(entry["amount"], "CNY")
                legs.append(Leg(transaction=made, account=source, credit=amount))
                legs.append(Leg(transaction=made, account=target, debit=amount))
            Leg.objects.bulk_create(legs, batch_size=10_000)


def open_books(workload: dict) -> dict:
    import datetime

    from moneyed import Money

    accounts = chart()
    start = datetime.date(workload["year"], 1, 1)
    for code in ("101", "102"):
        accounts["331"].transfer_to(
            accounts[code], Money(workload["opening"][code], "CNY"), date=start, description="期初余额"
        )
    return accounts


def bulk(workload: dict) -> dict:
    from hordak.models import Account

    accounts = open_books(workload)
    bulk_write(workload["entries"], accounts)

    from django.db import connection

    def balances():
        if connection.vendor == "sqlite":
            return {a.pk: a.balance for a in Account.objects.with_balances_orm()}
        return {a.pk: a.balance for a in Account.objects.with_balances()}

    def raw():
        with connection.cursor() as cursor:
            cursor.execute("SELECT account_id, SUM(debit), SUM(credit) FROM hordak_leg GROUP BY account_id")
            return cursor.fetchall()

    result = balances()
    raw()
    repeat = int(workload.get("repeat", 5))
    return {
        "balance_median": median_seconds(balances, repeat),
        "raw_median": median_seconds(raw, repeat),
        "bank_balance": str(result[accounts["102"].pk]),
    }


def median_seconds(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    mode, workload_path, database_url = sys.argv[1:4]
    with open(workload_path, encoding="utf-8") as handle:
        workload = json.load(handle)
    vendor = configure(database_url)
    import django
    import hordak

    result = post(workload) if mode == "post" else bulk(workload)
    result["vendor"] = vendor
    result["versions"] = {
        "hordak": getattr(hordak, "__version__", "") or _version("django-hordak"),
        "django": django.get_version(),
    }
    print(json.dumps(result, default=lambda value: str(value) if isinstance(value, Decimal) else value))


def _version(distribution: str) -> str:
    from importlib.metadata import version

    return version(distribution)


if __name__ == "__main__":
    main()
