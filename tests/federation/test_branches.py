"""分工会: own books or a dimension, 补助下级 on both sides in one action, the parent reading the branch's books."""

import json
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import call_command

from ledger import queries, services
from ledger.errors import LedgerError
from ledger.models import Allocation, AuditEvent, Voucher, VoucherLine
from reports import jobs
from reports.consolidated import build_consolidated_report
from reports.data import build_annual_report
from reports.render.json import consolidated_dict, report_dict
from tests.conftest import download, receipt, snapshot
from tests.federation.conftest import on, signed_in

pytestmark = pytest.mark.django_db


def test_an_allocation_posts_both_vouchers_linked_in_one_action(hospital_year, neike_year, keeper):
    allocation = services.allocate_to_branch(
        year=hospital_year,
        branch=neike_year.union,
        date=on("2025-04-01"),
        amount="12345.67",
        summary="下拨内科分会活动经费",
        user=keeper,
    )
    out, received = allocation.parent_voucher, allocation.branch_voucher
    assert (out.year_id, received.year_id) == (hospital_year.pk, neike_year.pk)
    assert out.state == received.state == Voucher.State.POSTED
    assert allocation.amount_fen == 1234567
    assert [(line.account.code, line.debit.amount, line.credit.amount) for line in out.lines.all()] == [
        ("5601", D("12345.67"), D("0.00")),
        ("1002", D("0.00"), D("12345.67")),
    ]
    assert [(line.account.code, line.debit.amount, line.credit.amount) for line in received.lines.all()] == [
        ("1002", D("12345.67"), D("0.00")),
        ("4201", D("0.00"), D("12345.67")),
    ]
    assert queries.year_summary(hospital_year).expense == D("12345.67")
    assert queries.year_summary(neike_year).income == D("12345.67")
    assert AuditEvent.objects.filter(union=neike_year.union, action="voucher_posted").count() == 2  # and 期初


@pytest.mark.parametrize(
    "change, message",
    [
        ({"amount": "0"}, "金额必须大于零"),
        ({"amount": "200000.00"}, "银行存款"),  # more than the bank holds: neither side is written
        ({"date": on("2024-12-31")}, "不在2025年度内"),
        ({"branch": "waike"}, "外科分会尚未建立2025年度的账套"),
        ({"branch": "yaoji"}, "不单独建账"),
        ({"branch": "outside"}, "不是第一医院工会的分工会"),
    ],
)
def test_a_refused_allocation_writes_neither_side(
    hospital_year, neike_year, waike, yaoji, outside_year, keeper, change, message
):
    branches = {"neike": neike_year.union, "yaoji": yaoji, "outside": outside_year.union, "waike": waike}
    arguments = {"amount": "100.00", "date": on("2025-04-01"), "branch": "neike"} | change
    arguments["branch"] = branches[arguments["branch"]]
    before = snapshot()
    with pytest.raises(LedgerError, match=message):
        services.allocate_to_branch(year=hospital_year, summary="下拨", user=keeper, **arguments)
    assert snapshot() == before and not Allocation.objects.exists()


def test_a_branch_without_books_is_a_dimension_of_the_parents_lines(books, yaoji, neike_year, keeper):
    line = VoucherLine.objects.get(branch=yaoji)
    assert (line.account.code, line.debit.amount) == ("5101", D("321.09"))
    with pytest.raises(LedgerError, match="不单独建账的分工会"):  # a branch with books is no dimension
        services.record_voucher(
            year=books,
            posted_by=keeper,
            date=on("2025-03-06"),
            summary="x",
            lines=[
                services.Line("5101", debit="1.00", branch=neike_year.union_id),
                services.Line(services.Via("bank"), credit="1.00"),
            ],
        )
    reversal = services.reverse_voucher(
        voucher=line.voucher, user=keeper, date=on("2025-03-07"), reason="录错"
    )
    assert reversal.lines.get(position=1).branch_id == yaoji.pk  # the 红字 keeps the dimension


def test_only_a_branch_may_keep_no_books(db):
    with pytest.raises(LedgerError, match="只有分工会"):
        services.create_union(name="独立工会", slug="alone", keeps_books=False)


def test_create_union_command_makes_a_branch_without_books(hospital):
    out = StringIO()
    call_command(
        "create_union",
        "--name",
        "后勤分会",
        "--slug",
        "first-houqin",
        "--parent",
        "first-hospital",
        "--no-books",
        stdout=out,
    )
    branch = hospital.branches.get(slug="first-houqin")
    assert not branch.keeps_books and "后勤分会" in out.getvalue()


# --- the parent's users read the branch's books, read-only ------------------------------------------------


def test_the_parents_treasurer_reads_the_branch_books_and_cannot_write(books, neike_year, keeper):
    client = signed_in(keeper)
    base = "/u/first-neike/2025/"
    page = client.get(base)
    assert page.status_code == 200 and "只读：您以上级工会的身份查阅内科分会的账目" in page.content.decode()
    assert client.get(base + "vouchers/").status_code == 200
    assert client.get(base + "bank/").status_code == 200
    assert client.get("/reports/first-neike/2025/").status_code == 200
    before = snapshot()
    for path in ("receipt/", "payment/", "vouchers/new/", "close/"):
        assert client.post(base + path, {}).status_code == 403, path
    assert client.get(base + "audit/").status_code == 403  # the trail stays the branch's own auditor's
    assert client.get("/reports/first-neike/2025/text/").status_code == 403
    assert snapshot() == before


def test_the_branch_reads_only_its_own_books(books, branch_keeper):
    client = signed_in(branch_keeper)
    assert client.get("/u/first-neike/2025/").status_code == 200
    assert client.get("/u/first-hospital/2025/").status_code == 404  # never upward
    assert client.get("/u/first-waike/2025/").status_code == 404  # nor sideways
    assert client.get("/reports/first-hospital/2025/consolidated/").status_code == 404


# --- consolidation to the cent (both databases) ------------------------------------------------------------


def test_the_consolidated_figures_are_the_parts_less_the_eliminated_allocations(books):
    report = build_consolidated_report(books)
    parts = [
        (part.union_slug, part.opening_balance, part.total_income, part.total_expense, part.closing_balance)
        for part in report.parts
    ]
    assert parts == [
        ("first-hospital", D("100000.00"), D("50000.33"), D("20466.87"), D("129533.46")),
        ("first-neike", D("1000.00"), D("13580.23"), D("9999.99"), D("4580.24")),
        ("first-waike", D("500.00"), D("800.01"), D("1000.02"), D("299.99")),
    ]
    assert [(item.branch_slug, item.amount) for item in report.eliminated] == [
        ("first-neike", D("12345.67")),
        ("first-waike", D("800.01")),
    ]
    assert report.eliminated_total == D("13145.68")
    assert report.opening_balance == D("101500.00")
    assert report.total_income == D("51234.89") == D("64380.57") - D("13145.68")
    assert report.total_expense == D("18321.20") == D("31466.88") - D("13145.68")
    assert (
        report.closing_balance
        == D("134413.69")
        == report.opening_balance + report.total_income - report.total_expense
    )
    assert report.bank == D("134413.69") and report.cash == D("0.00")
    assert {line.name: (line.amount, line.eliminated) for line in report.expense} == {
        "职工活动支出": (D("18321.20"), D("0.00")),
        "补助下级支出": (D("0.00"), D("13145.68")),
    }
    assert {line.name: (line.amount, line.eliminated) for line in report.income} == {
        "会费收入": (D("1234.56"), D("0.00")),
        "上级补助收入": (D("0.00"), D("13145.68")),
        "行政补助收入": (D("50000.33"), D("0.00")),
    }
    assert [(t.slug, t.income, t.expense) for t in report.tracked] == [
        ("first-yaoji", D("0.00"), D("321.09"))
    ]
    assert all(check.ok for check in report.checks)


def test_a_reversed_allocation_is_no_longer_eliminated(books, waike_year, keeper):
    receipt(waike_year, keeper, "2025-05-01", "4001", "1000.00", summary="外科会费")
    allocation = Allocation.objects.get(branch_voucher__year__union__slug="first-waike")
    services.reverse_voucher(
        voucher=allocation.parent_voucher, user=keeper, date=on("2025-05-02"), reason="下拨有误"
    )
    report = build_consolidated_report(books)
    assert [item.branch_slug for item in report.eliminated] == ["first-neike"]
    # both sides reversed together: 外科's 上级补助收入 leaves its books too, so the consolidation is as before
    assert report.total_income == D("64380.57") + D("1000.00") - D("800.01") - D("12345.67")


def test_annual_report_consolidated_json_has_the_same_keys_plus_branches_and_eliminated(books):
    out = StringIO()
    call_command(
        "annual_report",
        "--union",
        "first-hospital",
        "--year",
        "2025",
        "--format",
        "json",
        "--output",
        "-",
        "--consolidated",
        stdout=out,
    )
    data = json.loads(out.getvalue())
    alone = report_dict(build_annual_report(books))
    assert set(data) == set(alone) | {"branches", "eliminated", "tracked_branches"}
    assert (
        data["opening_balance"],
        data["total_income"],
        data["total_expense"],
        data["closing_balance"],
    ) == ("101500.00", "51234.89", "18321.20", "134413.69")
    assert [branch["slug"] for branch in data["branches"]] == ["first-neike", "first-waike"]
    for branch in data["branches"]:
        assert set(branch) == set(alone) | {"slug"}
    assert (
        data["branches"][0]["total_income"] == "13580.23"
        and data["branches"][1]["closing_balance"] == "299.99"
    )
    assert [(item["branch"], item["amount"]) for item in data["eliminated"]] == [
        ("first-neike", "12345.67"),
        ("first-waike", "800.01"),
    ]
    assert data == consolidated_dict(build_consolidated_report(books))


def test_the_consolidated_page_and_pdf(books, keeper):
    client = signed_in(keeper)
    page = client.get("/reports/first-hospital/2025/consolidated/").content.decode()
    assert "第一医院工会2025年度合并财务工作报告" in page and "13,145.68" in page and "134,413.69" in page
    pdf = download(client, "/reports/first-hospital/2025/consolidated/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    import io  # noqa: PLC0415

    from pypdf import PdfReader  # noqa: PLC0415

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(b"".join(pdf.streaming_content))).pages)
    assert "合并财务工作报告" in text and "134,413.69" in text


def test_the_consolidated_pdf_is_rendered_anew_when_a_branch_records(books, neike_year, keeper):
    """The union's own cache key would not see a 分工会's voucher; the consolidated file's key does."""
    key = jobs.consolidated_key(books)
    assert jobs.consolidated_key(books) == key  # the same books, the same file
    receipt(neike_year, keeper, "2025-06-01", "4001", "10.00", summary="内科会费补收")
    assert jobs.consolidated_key(books) != key
    assert build_consolidated_report(books).total_income == D("51244.89")  # 51,234.89 and the 10.00


def test_dues_a_branch_collects_count_in_the_parents_rate(books, neike, keeper):
    from plan import services as plan_services  # noqa: PLC0415
    from plan.queries import dues_summary  # noqa: PLC0415

    hospital = books.union
    plan_services.save_member(
        union=hospital, name="李四", department="行政", wage_base="8000.00", joined=on("2024-01-01")
    )
    plan_services.save_member(
        union=neike, name="张三", department="内科", wage_base="6000.00", joined=on("2024-01-01")
    )
    plan_services.record_dues(
        union=neike, month=1, department="内科", date=on("2025-01-31"), into="bank", user=keeper
    )
    today = on("2025-02-15")
    branch = dues_summary(neike, 2025, today=today)
    whole = dues_summary(hospital, 2025, today=today)
    assert (branch.members, branch.collected) == (1, D("30.00"))
    assert (whole.members, whole.collected) == (2, D("30.00"))  # collected in the branch's books
    assert whole.due == branch.due + D("40.00") * len(branch.months)  # 8000 × 5‰ a month for 李四
    assert (whole.due, whole.rate) == (D("140.00"), D("21.4"))  # 30 of 140 (the branch alone: 30 of 60, 50.0)
    assert branch.rate == D("50.0")


def test_the_treasurer_allocates_on_the_branches_page_once(hospital_year, neike_year, waike_year, keeper):
    client = signed_in(keeper)
    page = client.get("/u/first-hospital/2025/branches/")
    token = page.context["form"]["token"].value()
    form = {
        "branch": "first-neike",
        "amount": "1,234.50",
        "date": "2025-04-01",
        "via": "bank",
        "summary": "下拨内科分会活动经费",
        "token": token,
    }
    response = client.post("/u/first-hospital/2025/branches/", form, follow=True)
    assert (
        "已记账：本工会2025年4月 记-0001（补助下级支出）和内科分会2025年4月 记-0001（上级补助收入），各1,234.50元。"
        in (response.content.decode())
    )
    again = client.post("/u/first-hospital/2025/branches/", form, follow=True)
    assert "这张表单已经提交过" in again.content.decode()
    assert Allocation.objects.count() == 1
    assert queries.year_summary(neike_year).income == D("1234.50")
    refused = client.post("/u/first-hospital/2025/branches/", form | {"token": "0" * 32, "amount": "-1"})
    assert refused.status_code == 400 and Allocation.objects.count() == 1


def test_the_branches_page_refuses_a_reader(books, branch_keeper, keeper):
    before = snapshot()
    form = {
        "branch": "first-neike",
        "amount": "1.00",
        "date": "2025-04-01",
        "via": "bank",
        "summary": "x",
        "token": "a" * 32,
    }
    assert signed_in(keeper).post("/u/first-neike/2025/branches/", form).status_code == 403  # from above
    assert signed_in(branch_keeper).post("/u/first-hospital/2025/branches/", form).status_code == 404
    assert snapshot() == before


def test_an_allocation_into_a_closed_branch_year_writes_neither_side(hospital_year, neike_year, keeper):
    from ledger.models import AccountingYear  # noqa: PLC0415

    AccountingYear.objects.filter(pk=neike_year.pk).update(is_closed=True)
    before = snapshot()
    with pytest.raises(LedgerError, match="已结账"):
        services.allocate_to_branch(
            year=hospital_year,
            branch=neike_year.union,
            date=on("2025-04-01"),
            amount="10.00",
            summary="下拨",
            user=keeper,
        )
    assert snapshot() == before and not Allocation.objects.exists()


def test_the_federation_tables_rates_are_the_unions_own(books, neike, keeper):
    """``dues_rates_of_unions`` (the 总工会's table) gives each union the rate ``dues_summary`` gives it: its own
    and its 分工会's members, dues collected in either's books, a 红字冲销 of dues left out, a member who left."""
    from ledger import services  # noqa: PLC0415
    from ledger.models import Union  # noqa: PLC0415
    from plan import services as plan_services  # noqa: PLC0415
    from plan.models import MemberStatus  # noqa: PLC0415
    from plan.queries import dues_rates_of_unions, dues_summary  # noqa: PLC0415

    hospital = books.union
    plan_services.save_member(
        union=hospital, name="李四", department="行政", wage_base="8000.00", joined=on("2024-01-01")
    )
    plan_services.save_member(
        union=hospital, name="王五", department="行政", wage_base="7333.00", joined=on("2025-02-10")
    )
    gone = plan_services.save_member(
        union=hospital, name="赵六", department="行政", wage_base="9000.00", joined=on("2023-05-01")
    )
    plan_services.save_member(
        union=neike, name="张三", department="内科", wage_base="6000.00", joined=on("2024-01-01")
    )
    plan_services.record_dues(
        union=neike, month=1, department="内科", date=on("2025-01-31"), into="bank", user=keeper
    )
    plan_services.record_dues(
        union=hospital, month=1, department="行政", date=on("2025-01-31"), into="bank", user=keeper
    )
    wrong = plan_services.record_dues(
        union=hospital, month=2, department="行政", date=on("2025-02-28"), into="bank", user=keeper
    )
    services.reverse_voucher(voucher=wrong, user=keeper, reason="重复收取")
    type(gone).objects.filter(pk=gone.pk).update(status=MemberStatus.LEFT)
    today = on("2025-03-15")
    whole, branch = dues_summary(hospital, 2025, today=today), dues_summary(neike, 2025, today=today)
    assert dues_rates_of_unions([hospital], 2025, today=today) == {hospital.pk: whole.rate}
    assert dues_rates_of_unions([neike], 2025, today=today) == {neike.pk: branch.rate}
    assert (
        dues_rates_of_unions(list(Union.objects.filter(parent=hospital.parent)), 2025, today=today)[
            hospital.pk
        ]
        == whole.rate
    )  # among the 总工会's unions
    assert whole.collected == D("30.00") + D("40.00") + D(
        "45.00"
    )  # January: 张三, 李四, 赵六; February reversed
    assert whole.rate == (whole.collected * 100 / whole.due).quantize(D("0.1"))
