"""Round trip: the year exported in the import template (voucher list → 导出) imports into an empty union with
the very same 科目余额表; and the commands (import_ledger with its exit codes and dry run, create_union)."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from imports import services
from ledger import queries
from ledger import services as ledger_services
from ledger.models import Union, Voucher
from tests.conftest import download, snapshot
from tests.imports.conftest import cashbook


def _figures(year):
    return [
        (row.account.code, row.account.name, row.opening, row.debit, row.credit, row.closing)
        for row in queries.trial_balance(year=year)
    ]


def test_export_then_import_into_an_empty_union_gives_the_same_trial_balance(
    client, demo, treasurer, media_root
):
    # The demo year holds a 红字冲销 (a mistyped 会费 receipt and its reversal); one more, dated in another month
    # than its original, so that every kind of voucher a year holds travels.
    assert Voucher.objects.filter(year=demo, kind="reversal", state="posted").count() == 1
    payment = (
        Voucher.objects.filter(year=demo, kind="normal", state="posted", reversed_by__isnull=True, month=3)
        .order_by("number")
        .last()
    )
    ledger_services.reverse_voucher(
        voucher=payment, user=treasurer, reason="重复记账", date=datetime.date(2012, 11, 30)
    )
    client.force_login(treasurer)
    url = reverse("imports:export", args=[demo.union.slug, demo.year])
    assert client.get(url).status_code == 202  # written by a report worker, never in the request
    response = download(client, url)
    assert response.status_code == 200 and response["X-Report-Cache"] == "hit"
    content = b"".join(response.streaming_content) if response.streaming else response.content

    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content), read_only=True)
    assert workbook.sheetnames == ["凭证", "期初余额", "填写说明"]
    header = next(workbook["凭证"].iter_rows(values_only=True))
    assert header[:9] == (
        "日期",
        "凭证号",
        "摘要",
        "科目",
        "借方金额",
        "贷方金额",
        "对方科目",
        "附单据数",
        "备注",
    )

    # A reversal's rows keep their negative amounts and name the voucher they cancel, by its month and number.
    reversals = Voucher.objects.filter(year=demo, kind="reversal").select_related("reverses__year")
    red_rows = [
        row for row in workbook["凭证"].iter_rows(min_row=2, values_only=True) if (row[4] or row[5] or 0) < 0
    ]
    assert len(red_rows) == sum(v.lines.count() for v in reversals) >= 4
    assert {(row[0].date(), row[1], row[8].split(" ", 1)[1]) for row in red_rows} == {
        (v.date, f"记-{v.number:04d}", v.reverses.full_no) for v in reversals
    }
    assert all(row[8].startswith("红字冲销 2012年") for row in red_rows)

    union = ledger_services.create_union(name="空的工会", slug="empty-union")
    assert union.review_required  # a new union's default: the import posts past books all the same
    year = ledger_services.open_year(union=union, year=2012)
    opening = services.upload(
        year=year, kind="opening", file_name="导出.xlsx", content=content, user=treasurer
    )
    services.confirm(batch=opening, user=treasurer)
    batch = services.upload(
        year=year, kind="vouchers", file_name="导出.xlsx", content=content, user=treasurer
    )
    analysis = services.analyse(batch)
    assert (
        analysis.missing
    )  # the demo's own 明细科目: created in one step, under the parents their codes name
    services.add_missing_accounts(
        batch=batch, parents={missing.text: missing.parent for missing in analysis.missing}, user=treasurer
    )
    assert services.analyse(batch).ok
    services.confirm(batch=batch, user=treasurer)

    assert _figures(year) == _figures(demo)
    assert not Voucher.objects.filter(year=year).exclude(state="posted").exists()

    def red(of):
        return sorted(
            (v.date, v.summary, v.reverses.date, v.reverses.summary, v.reverses.state)
            for v in Voucher.objects.filter(year=of, kind="reversal").select_related("reverses__year", "year")
        )

    # (the numbers themselves may differ: the demo numbered at 记账, the import numbers in date order)
    assert red(year) == red(demo) and len(red(year)) == 2
    assert queries.trial_balance_totals(queries.trial_balance(year=year)).balanced
    assert (
        Voucher.objects.filter(year=year).exclude(kind="opening").count()
        == Voucher.objects.filter(year=demo).exclude(kind="opening").count()
    )


def test_import_ledger_command_exit_codes_and_dry_run(demo, treasurer, media_root, tmp_path):
    call_command(
        "create_union", name="旗医院工会", slug="qi-hospital", parent=demo.union.slug, province="内蒙古"
    )
    union = Union.objects.get(slug="qi-hospital")
    assert (union.parent, union.province) == (demo.union, "内蒙古")
    opening = tmp_path / "opening.xlsx"
    from tests.imports.conftest import xlsx

    opening.write_bytes(xlsx([["科目", "期初借方", "期初贷方"], ["101", 500, None], ["331", None, 500]]))
    good = tmp_path / "good.xlsx"
    good.write_bytes(
        cashbook(
            ["2013-01-05", "收会费", "会费收入", 100, None, "现金"],
            ["2013-01-06", "慰问", "50104", None, 50, "现金"],
        )
    )
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(cashbook(["2013-01-05", "收会费", "会费收入", "一百", None, "现金"]))

    before = snapshot()
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_ledger",
        str(good),
        union="qi-hospital",
        year=2013,
        opening=str(opening),
        dry_run=True,
        user="treasurer",
        stdout=out,
        stderr=err,
    )
    assert "没有写入任何数据" in out.getvalue()
    assert snapshot() == before  # not even the year

    with pytest.raises(CommandError, match="有1处问题，没有导入任何数据"):
        call_command("import_ledger", str(bad), union="qi-hospital", year=2013, user="treasurer", stderr=err)
    assert "bad.xlsx 第2行“收入金额”列：不是金额：一百" in err.getvalue()
    with pytest.raises(CommandError, match="没有简称为“nowhere”的工会"):
        call_command("import_ledger", str(good), union="nowhere", year=2013)

    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_ledger",
        str(good),
        union="qi-hospital",
        year=2013,
        opening=str(opening),
        user="treasurer",
        stdout=out,
        stderr=err,
    )
    assert "已导入2张凭证（2行）" in out.getvalue()
    assert "2/2" in err.getvalue()  # the progress bar
    year = ledger_services.get_year(union=union, year=2013)
    closing = {row.account.code: row.closing for row in queries.trial_balance(year=year)}
    assert (closing["101"], closing["331"], closing["401"]) == (550, 500, 100)
    with pytest.raises(CommandError, match="不能重复导入"):
        call_command("import_ledger", str(good), union="qi-hospital", year=2013, user="treasurer")


def test_create_union_refuses_a_taken_slug_or_a_bad_one(db):
    call_command("create_union", name="甲工会", slug="jia", stdout=io.StringIO())
    with pytest.raises(CommandError, match="已经存在"):
        call_command("create_union", name="乙工会", slug="jia")
    with pytest.raises(CommandError, match="只能用小写字母"):
        call_command("create_union", name="乙工会", slug="Yi Union")
    with pytest.raises(CommandError, match="没有简称为“none”的上级工会"):
        call_command("create_union", name="乙工会", slug="yi", parent="none")
