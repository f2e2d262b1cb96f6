"""The 总工会's table: each union under it with the figures its own pages show, sorted, in Excel, in a fixed
number of queries however many unions."""

import io
import re
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from federation.queries import federation_rows
from ledger import queries, services
from plan import queries as plan_queries
from plan import services as plan_services
from reports.models import RenderJob
from tests.conftest import (
    FAILED_RENDER,
    break_report_cache,
    download,
    mend_report_cache_and_retry,
    run_worker,
)
from tests.federation.conftest import on, opened, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def members(books, federation, keeper):
    """Under the federation: the hospital (with its branches), 二院 with a fixed asset, a 应付上级经费 and a
    member, and 三院 with no 2025 books."""
    second = services.create_union(
        name="第二医院工会", slug="second-hospital", parent=federation, province="内蒙古"
    )
    second.members.add(keeper)
    year = opened(second, "20000.00", keeper)
    services.record_voucher(
        year=year,
        posted_by=keeper,
        date=on("2025-02-01"),
        summary="收到拨缴经费",
        lines=[
            services.Line(services.Via("bank"), debit="1000.00"),
            services.Line("4101", credit="600.00"),
            services.Line("2301", credit="400.00"),
        ],
    )
    services.record_voucher(
        year=year,
        posted_by=keeper,
        date=on("2025-03-01"),
        summary="购置电脑",
        lines=[
            services.Line("5501", debit="5000.00"),
            services.Line(services.Via("bank"), credit="5000.00"),
            services.Line("1601", debit="5000.00"),
            services.Line("3001", credit="5000.00"),
        ],
    )
    services.record_payment(
        union=second,
        date=on("2025-03-05"),
        account="5101",
        amount="2600.00",
        via="bank",
        summary="发放购物卡",
        user=keeper,
    )
    plan_services.save_member(
        union=second, name="王五", department="门诊", wage_base="5000.00", joined=on("2024-01-01")
    )
    services.create_union(name="第三医院工会", slug="third-hospital", parent=federation)
    return federation


def test_each_row_holds_the_figures_of_the_unions_own_pages(members):
    rows = {row.slug: row for row in federation_rows(members, 2025)}
    assert list(rows) == ["first-hospital", "third-hospital", "second-hospital"]  # by name: 一 < 三 < 二
    for slug in ("first-hospital", "second-hospital"):
        year = services.find_year(slug=slug, year=2025)
        summary = queries.year_summary(year)
        row = rows[slug]
        assert (row.year, row.is_closed) == (2025, False)
        assert (row.income, row.expense, row.closing) == (
            summary.income,
            summary.expense,
            summary.closing_funds,
        )
        assert row.owed_upward == plan_queries.owed_upward(summary)
        assert row.findings == len(plan_queries.findings(year))
        dues = plan_queries.dues_summary(year.union, 2025)
        assert row.dues_rate == (dues.rate if dues else None)
    first, second = rows["first-hospital"], rows["second-hospital"]
    assert (first.income, first.expense, first.closing) == (D("50000.33"), D("20466.87"), D("129533.46"))
    # 资产基金 is not 经费: 20,000 + 600 − (5,000 + 2,600)
    assert (second.income, second.expense, second.closing, second.owed_upward) == (
        D("600.00"),
        D("7600.00"),
        D("13000.00"),
        D("400.00"),
    )
    assert second.dues_rate == D("0.0")
    assert not rows["third-hospital"].has_books and rows["third-hospital"].income is None


def test_the_table_takes_the_same_queries_for_one_union_or_three(
    members, federation, hospital, keeper, django_assert_num_queries
):
    """Seventeen queries when the years' figures are computed (and kept), eight when the kept ones hold."""
    from ledger.models import Union  # noqa: PLC0415

    with django_assert_num_queries(17):
        computed = federation_rows(members, 2025)
    with django_assert_num_queries(8):
        assert federation_rows(members, 2025) == computed
    Union.objects.filter(parent=federation).exclude(slug="first-hospital").update(parent=None)
    with django_assert_num_queries(8):
        federation_rows(members, 2025)
    services.record_payment(
        union=hospital,
        date=on("2025-04-01"),
        account="5101",
        amount="10.00",
        via="bank",
        summary="慰问品",
        user=keeper,
    )
    with django_assert_num_queries(17):
        federation_rows(members, 2025)


def _row(federation, slug: str):
    return next(row for row in federation_rows(federation, 2025) if row.slug == slug)


def _fresh(slug: str):
    """What the union's own pages say now, computed without the table."""
    year = services.find_year(slug=slug, year=2025)
    summary = queries.year_summary(year)
    return (summary.income, summary.expense, summary.closing_funds, len(plan_queries.findings(year)))


def test_a_kept_row_is_read_while_the_books_and_the_rules_stay_as_they_were(members, keeper):
    """The table reads the figures it kept (a kept row altered by hand shows), and computes them again the moment
    the year's basis moves: a posting, a 红字冲销, a rule added or edited."""
    from federation.models import YearFigures  # noqa: PLC0415
    from plan.models import SpendingRule  # noqa: PLC0415

    first = _row(members, "second-hospital")
    assert (first.income, first.expense, first.closing, first.findings) == _fresh("second-hospital")
    year = services.find_year(slug="second-hospital", year=2025)
    YearFigures.objects.filter(year=year).update(income_fen=123)
    assert _row(members, "second-hospital").income == D("1.23")  # read, not computed
    services.record_voucher(
        year=year,
        posted_by=keeper,
        date=on("2025-04-01"),
        summary="提取现金",
        lines=[
            services.Line(services.Via("cash"), debit="2000.00"),
            services.Line(services.Via("bank"), credit="2000.00"),
        ],
    )

    payment = services.record_payment(
        union=year.union,
        date=on("2025-04-02"),
        account="5101",
        amount="800.00",
        via="cash",
        summary="慰问困难职工",
        user=keeper,
    )
    row = _row(members, "second-hospital")
    assert (row.income, row.expense, row.closing, row.findings) == _fresh("second-hospital")
    assert (row.income, row.expense) == (first.income, first.expense + D("800.00"))

    services.reverse_voucher(voucher=payment, user=keeper, reason="重复记账")
    row = _row(members, "second-hospital")
    assert (row.income, row.expense, row.closing, row.findings) == _fresh("second-hospital")
    assert row.expense == first.expense

    services.record_payment(
        union=year.union,
        date=on("2025-04-03"),
        account="5101",
        amount="900.00",
        via="cash",
        summary="慰问困难职工",
        user=keeper,
    )
    before = _row(members, "second-hospital").findings
    rule = SpendingRule.objects.create(
        code="test-cash-500", title="现金支付限额", kind="cash_threshold", limit=D("500.00"), source="测试"
    )
    row = _row(members, "second-hospital")
    assert row.findings == _fresh("second-hospital")[3] > before
    rule.limit = D("5000.00")
    rule.save()
    assert _row(members, "second-hospital").findings == _fresh("second-hospital")[3] == before


def test_the_page_sorts_and_drills_down(members, fed_user):
    client = signed_in(fed_user)
    page = client.get("/u/city-federation/2025/federation/?sort=expense&dir=desc").content.decode()
    assert page.index("第一医院工会") < page.index("第二医院工会") < page.index("第三医院工会")
    page = client.get("/u/city-federation/2025/federation/?sort=expense").content.decode()
    assert page.index("第二医院工会") < page.index("第一医院工会") < page.index("第三医院工会")  # none last
    assert 'href="/reports/first-hospital/2025/"' in page and "2025年度未建账" in page
    assert client.get("/u/city-federation/2025/federation/?sort=password").status_code == 200  # by name
    report = client.get("/reports/first-hospital/2025/")
    assert report.status_code == 200 and "第一医院工会2025年度财务工作报告" in report.content.decode()


def test_the_figures_are_right_aligned(members, fed_user):
    """Money, counts and percentages take the site's ``num`` class (right-aligned), headings and cells alike."""
    page = signed_in(fed_user).get("/u/city-federation/2025/federation/").content.decode()
    headings = re.findall(r'<th scope="col"( class="num")?><a [^>]*data-sort="(\w+)"', page)
    assert [column for figure, column in headings if figure] == [
        "income",
        "expense",
        "closing",
        "findings",
        "owed_upward",
        "dues_rate",
    ]
    row = re.search(r'<tr data-union="first-hospital">(.*?)</tr>', page, re.S).group(1)
    cells = re.findall(r"<td( class=\"num\")?>", row)
    assert [bool(figure) for figure in cells] == [False, False, False] + [True] * 6
    assert 'class="amount"' not in page


def test_the_table_in_excel(members, federation, fed_user):
    client = signed_in(fed_user)
    url = "/u/city-federation/2025/federation/xlsx/?sort=closing&dir=desc"
    waiting = client.get(url)  # rendered by a report worker, never in the request
    assert waiting.status_code == 202
    assert "市总工会2025年度所属工会汇总表（Excel）" in waiting.content.decode()
    job = RenderJob.objects.get()
    assert (job.year, job.union, job.of_year, job.param) == (None, federation, 2025, "closing-desc")
    status = client.get(f"/reports/city-federation/2025/renders/{job.pk}/")
    assert status.status_code == 200 and status.json()["state"] == "queued"
    response = download(client, url)
    assert response.status_code == 200 and response["X-Report-Cache"] == "hit"
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.get(f"/reports/city-federation/2025/renders/{job.pk}/").json()["download"] == (
        "/u/city-federation/2025/federation/xlsx/?sort=closing&dir=desc"
    )
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "市总工会所属工会2025年度经费汇总表"
    assert rows[1] == (
        "工会",
        "年度",
        "结账",
        "本年收入",
        "本年支出",
        "年末经费余额",
        "开支规定提示",
        "应上缴上级经费",
        "会费收缴率（%）",
    )
    assert rows[2][:3] == ("第一医院工会", 2025, "未结账")
    assert D(str(rows[2][5])).quantize(D("0.01")) == D("129533.46")
    assert rows[3][0] == "第二医院工会" and D(str(rows[3][7])).quantize(D("0.01")) == D("400.00")
    assert rows[4][:2] == ("第三医院工会", "未建账")
    assert sheet.cell(row=3, column=4).number_format == "#,##0.00"


def test_the_workbook_follows_the_books_under_the_federation(members, fed_user, keeper, hospital):
    """The cache key is the rows as built: a payment in a union under the federation renders the table afresh."""
    client = signed_in(fed_user)
    url = "/u/city-federation/2025/federation/xlsx/"
    before = load_workbook(io.BytesIO(b"".join(download(client, url).streaming_content))).active
    assert client.get(url)["X-Report-Cache"] == "hit"
    assert client.get(url + "?sort=income").status_code == 202  # another order, another file
    services.record_payment(
        union=hospital,
        date=on("2025-04-01"),
        account="5101",
        amount="33.00",
        via="bank",
        summary="慰问",
        user=keeper,
    )
    assert client.get(url).status_code == 202
    after = load_workbook(io.BytesIO(b"".join(download(client, url).streaming_content))).active
    assert before.cell(row=3, column=1).value == after.cell(row=3, column=1).value == "第一医院工会"
    spent = D(str(after.cell(row=3, column=5).value)) - D(str(before.cell(row=3, column=5).value))
    assert spent.quantize(D("0.01")) == D("33.00")


def test_a_failed_table_render_is_shown_and_retried(members, fed_user, settings, tmp_path):
    break_report_cache(settings, tmp_path)
    client = signed_in(fed_user)
    url = "/u/city-federation/2025/federation/xlsx/"
    assert client.get(url).status_code == 202
    run_worker()
    job = RenderJob.objects.get()
    status = client.get(f"/reports/city-federation/2025/renders/{job.pk}/").json()
    assert status["state"] == "retrying" and status["message"].startswith("无法保存生成的文件")
    page = client.get(url)
    assert page.status_code == 202 and FAILED_RENDER in page.content.decode()
    mend_report_cache_and_retry(settings, tmp_path)
    assert client.get(f"/reports/city-federation/2025/renders/{job.pk}/").json()["state"] == "done"
    assert client.get(url)["X-Report-Cache"] == "hit"


def test_only_the_federation_user_follows_the_tables_render(
    members, federation, fed_user, keeper, outside_keeper
):
    assert signed_in(fed_user).get("/u/city-federation/2025/federation/xlsx/").status_code == 202
    job = RenderJob.objects.get()
    status = f"/reports/city-federation/2025/renders/{job.pk}/"
    assert signed_in(keeper).get(status).status_code == 404  # not a member of the federation
    assert signed_in(outside_keeper).get(status).status_code == 404
    federation.members.add(keeper)  # a member without the 总工会 role
    assert signed_in(keeper).get(status).status_code == 403
    assert signed_in(keeper).get("/u/city-federation/2025/federation/xlsx/").status_code == 403
    assert signed_in(fed_user).get(f"/reports/city-federation/2024/renders/{job.pk}/").status_code == 404
    assert signed_in(fed_user).get("/u/city-federation/99999/federation/xlsx/").status_code == 404


def test_the_kept_dues_rate_follows_the_roster_the_dues_and_the_settings(members, keeper):
    """The 收缴率 is kept with a basis of its own and computed again when a member is written (even past the
    services), dues are posted, or the dues rate changes: always the rate the union's own 会费 page shows."""
    from federation.models import YearFigures  # noqa: PLC0415
    from plan.models import Member, RosterChanges  # noqa: PLC0415

    second = services.find_year(slug="second-hospital", year=2025).union

    def shown_and_own():
        return _row(members, "second-hospital").dues_rate, plan_queries.dues_summary(second, 2025).rate

    assert shown_and_own() == (D("0.0"), D("0.0"))
    YearFigures.objects.filter(year__union=second).update(dues_rate=D("12.3"))
    assert shown_and_own() == (D("12.3"), D("0.0"))  # kept, not computed

    plan_services.record_dues(
        union=second, month=1, department="门诊", date=on("2025-01-31"), into="bank", user=keeper
    )
    shown, own = shown_and_own()
    assert shown == own == D("8.3")  # one month of twelve

    changes = RosterChanges.objects.get(union=second).changes
    Member.objects.filter(union=second).update(wage_base=D("9000.00"))  # past the services
    assert RosterChanges.objects.get(union=second).changes == changes + 2  # as it was, as it is
    shown, own = shown_and_own()
    assert shown == own == D("4.6")  # 25.00 of 12 × 45.00

    plan_services.save_settings(union=second, dues_permille=D("2.5"))
    shown, own = shown_and_own()
    assert shown == own == D("9.3")  # 25.00 of 12 × 22.50


def test_the_database_counts_every_write_to_a_roster(members):
    from plan.models import Member, RosterChanges  # noqa: PLC0415

    second = services.find_year(slug="second-hospital", year=2025).union
    before = RosterChanges.objects.get(union=second).changes
    Member.objects.bulk_create(
        [
            Member(
                union=second,
                name=f"会员{n}",
                department="药剂",
                wage_base=D("4000.00"),
                joined=on("2025-01-01"),
            )
            for n in range(3)
        ]
    )
    assert RosterChanges.objects.get(union=second).changes == before + 3
    Member.objects.filter(union=second, department="药剂").delete()
    assert RosterChanges.objects.get(union=second).changes == before + 6
