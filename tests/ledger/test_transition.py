"""The charts of 2009 and 2021: which chart a year opens on, and 新旧制度衔接 when 2021 closes into 2022."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from ledger import queries, roles, services, transition
from ledger.errors import LedgerError
from ledger.models import Account, AccountingYear, Union, Voucher
from tests.conftest import settle_year_end, snapshot


@pytest.fixture
def keeper(db):
    user = get_user_model().objects.create_user("keeper", password="pw-unionledger-1")
    user.groups.add(Group.objects.get(name=roles.TREASURER))
    return user


@pytest.fixture
def old_books(keeper):
    """A union that started on the 2009 chart in 2021: balances on nine balance-sheet accounts, two of them
    the union's own 明细, and a year of income and spending."""
    union = Union.objects.create(name="旗医院工会", slug="qi-hospital", review_required=False)
    union.members.add(keeper)
    year = services.open_year(union=union, year=2021)
    assert year.chart.code == "2009"
    loan = services.add_sub_account(
        union=union, parent=services.resolve_account(year, "135"), name="张三借款", user=keeper
    )
    gifts = services.add_sub_account(
        union=union, parent=services.resolve_account(year, "50104"), name="节日慰问", user=keeper
    )
    services.record_opening_balances(
        year=year,
        balances={
            "101": "1200.10",
            "102": "50000.00",
            loan: "800.00",
            "162": "12000.00",
            "221": "3000.00",
            "201": "500.00",
            "202": "250.00",
            "301": "12000.00",
            "322": "1000.00",
            "331": "47250.10",
        },
        user=keeper,
    )
    services.record_receipt(
        union=union,
        date=d("2021-03-01"),
        account="401",
        amount="6200.00",
        into="bank",
        summary="会费",
        user=keeper,
    )
    services.record_payment(
        union=union,
        date=d("2021-09-20"),
        account=gifts,
        amount="4300.55",
        via="bank",
        summary="中秋",
        user=keeper,
    )
    return year


def d(text):
    import datetime

    return datetime.date.fromisoformat(text)


def test_a_year_from_2022_opens_on_the_2021_chart_and_earlier_on_2009(keeper):
    union = Union.objects.create(name="新工会", slug="new-union", review_required=False)
    assert services.open_year(union=union, year=2021).chart.code == "2009"
    assert services.open_year(union=union, year=2026).chart.code == "2021"
    assert services.open_year(union=union, year=2023, chart="2009").chart.code == "2009"
    with pytest.raises(LedgerError, match="没有编码为“1998”的会计制度"):
        services.open_year(union=union, year=2030, chart="1998")


def test_the_open_year_form_offers_the_charts_and_defaults_by_year(keeper):
    union = Union.objects.create(name="新工会", slug="new-union", review_required=False)
    union.members.add(keeper)
    client = Client()
    client.force_login(keeper)
    page = client.get(reverse("ledger:union", args=[union.slug])).content.decode()
    assert (
        "按年度自动选择（推荐）" in page and "工会会计制度（2021）" in page and "工会会计制度（2009）" in page
    )
    url = reverse("ledger:open_year", args=[union.slug])
    before = snapshot()
    response = client.post(url, {"year": "2026", "chart": "1998"})
    assert response.status_code == 200 and "请从列表中选择会计制度" in response.content.decode()
    assert snapshot() == before
    assert client.post(url, {"year": "2026", "chart": ""}).status_code == 302
    assert client.post(url, {"year": "2024", "chart": "2009"}).status_code == 302
    charts = dict(AccountingYear.objects.filter(union=union).values_list("year", "chart__code"))
    assert charts == {2026: "2021", 2024: "2009"}
    accounts = client.get(reverse("ledger:accounts", args=[union.slug, 2026]) + "?all=1").content.decode()
    assert "5101" in accounts and "职工服务支出" in accounts and "科目编码待核对" in accounts


def test_closing_2021_on_the_2009_chart_maps_every_balance_to_the_cent(old_books, keeper):
    page = Client()
    page.force_login(keeper)
    close_url = reverse("ledger:year_close", args=["qi-hospital", 2021])
    preview = page.get(close_url).content.decode()
    assert "新旧制度衔接" in preview and "331 结余" in preview and "3202 工会资金结余" in preview
    assert "张三借款（新建明细）" in preview and "无对应科目" not in preview
    planned = transition.preview(old_books)
    old_closing = transition.closing_balances(old_books)

    settle_year_end(old_books, keeper)
    following = services.close_year(year=old_books, user=keeper)

    assert following.year == 2022 and following.chart.code == "2021"
    opening = Voucher.objects.get(year=following, kind=Voucher.Kind.OPENING)
    lines = {line.account.code: line for line in opening.lines.select_related("account")}
    balances = {code: line.debit.amount - line.credit.amount for code, line in lines.items()}
    assert balances == {
        "1001": Decimal("1200.10"),
        "1002": Decimal("51899.45"),  # 50000.00 + 6200.00 − 4300.55
        "121801": Decimal("800.00"),  # 张三借款, made under 1218 其他应收款
        "1601": Decimal("12000.00"),
        "2201": Decimal("-750.00"),  # 201 and 202 together
        "2301": Decimal("-3000.00"),
        "3001": Decimal("-12000.00"),
        "3202": Decimal("-50149.55"),  # 结余 47250.10 + 1000.00 后备金 + 6200.00 − 4300.55
    }
    # Every old balance arrives, to the cent, in total and per new account.
    assert sum(old_closing.values()) == sum(balances.values()) == 0
    per_new: dict[str, Decimal] = {}
    for move in planned.moves:
        code = move.new.code if move.new else "121801"
        per_new[code] = per_new.get(code, Decimal("0")) + move.amount
    assert per_new == balances
    assert sum(abs(amount) for amount in old_closing.values()) == sum(abs(a) for a in balances.values())
    loan = Account.objects.get(chart=following.chart, union=old_books.union, name="张三借款")
    assert loan.parent.code == "1218"
    assert lines["2201"].memo == (
        "新旧制度衔接：旧科目201 应付工资(离退休费) → 新科目2201 应付职工薪酬；"
        "新旧制度衔接：旧科目202 应付地方(部门)津贴补贴 → 新科目2201 应付职工薪酬"
    )
    assert lines["3202"].memo.startswith("新旧制度衔接：旧科目322 后备金 → 新科目3202 工会资金结余")
    assert "张三借款（新建明细）" in lines["121801"].memo
    summary = queries.year_summary(following)
    # 经费余额 leaves out 固定基金 (2009) and 资产基金 (2021): 62149.55 of net assets less 12000.00
    assert summary.opening_funds == queries.year_summary(old_books).closing_funds == Decimal("50149.55")
    # every required check of the new year passes, but December's bank statement and cash count, still to come
    december = ("12月银行存款余额调节表平衡", "年末月份已盘点库存现金")
    checks = [
        check for check in queries.year_checks(following) if check.required and check.title not in december
    ]
    assert checks and all(check.ok is not False for check in checks)
    # The 对照表 of the new year reads the same moves.
    into = transition.into(following)
    assert [(m.old.code, m.amount) for m in into.moves] == [(m.old.code, m.amount) for m in planned.moves]


def test_an_unmapped_balance_refuses_the_close_naming_the_account(old_books, keeper):
    extra = Account.objects.create(chart=old_books.chart, code="109", name="其他货币资金", type="asset")
    services.record_voucher(
        year=old_books,
        posted_by=keeper,
        date=d("2021-10-01"),
        summary="转存其他货币资金",
        lines=[services.Line(extra, debit="100.00"), services.Line("102", credit="100.00")],
    )
    page = Client()
    page.force_login(keeper)
    preview = page.get(reverse("ledger:year_close", args=["qi-hospital", 2021])).content.decode()
    assert "109 其他货币资金（余额100.00）" in preview
    before = snapshot()
    accounts = Account.objects.count()
    with pytest.raises(LedgerError, match=r"没有对应的新科目：109 其他货币资金（余额100.00）"):
        settle_year_end(old_books, keeper)
        services.close_year(year=old_books, user=keeper)
    assert snapshot() == before and Account.objects.count() == accounts
    old_books.refresh_from_db()
    assert not old_books.is_closed


def test_union_sub_accounts_carry_over_when_the_chart_stays(keeper):
    union = Union.objects.create(name="新工会", slug="new-union", review_required=False)
    year = services.open_year(union=union, year=2024)
    own = services.add_sub_account(
        union=union, parent=services.resolve_account(year, "510105"), name="春节慰问品", user=keeper
    )
    services.record_opening_balances(year=year, balances={"1002": "100.00", "3202": "100.00"}, user=keeper)
    settle_year_end(year, keeper)
    following = services.close_year(year=year, user=keeper)
    assert following.chart_id == year.chart_id
    assert services.resolve_account(following, own.code) == own
    assert transition.into(following) is None


def test_the_mapping_page_and_workbook_show_the_table_and_the_amounts_moved(old_books, keeper):
    import io

    import openpyxl

    settle_year_end(old_books, keeper)
    services.close_year(year=old_books, user=keeper)
    client = Client()
    client.force_login(keeper)
    for year in (2021, 2022):  # the old year (its 结账 moved the balances) and the new one
        page = client.get(reverse("reports:transition", args=["qi-hospital", year])).content.decode()
        assert "2009年《工会会计制度》科目与2021年《工会会计制度》科目对照表" in page
        assert "301 固定基金" in page and "3001 资产基金" in page and "固定基金转入资产基金" in page
        assert "49,149.55" in page  # 331 结余 with the year's surplus, into 3202 工会资金结余
    response = client.get(reverse("reports:transition_xlsx", args=["qi-hospital", 2022]))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    moved = book["结转金额"]
    rows = list(moved.iter_rows(min_row=3, values_only=True))
    assert rows[-1][0] == "合计" and rows[-1][4] == f"=SUM(E3:E{moved.max_row - 1})"
    debit = sum(Decimal(str(row[4])) for row in rows[:-1] if row[4] is not None)
    credit = sum(Decimal(str(row[5])) for row in rows[:-1] if row[5] is not None)
    assert debit == credit == Decimal("65899.55")  # 1200.10 + 51899.45 + 800.00 + 12000.00
    table = {row[0]: row for row in book["科目对照表"].iter_rows(min_row=2, values_only=True) if row[0]}
    assert table["201"][2:4] == ("2201", "应付职工薪酬") and table["201"][4] == -500
    assert table["135"][4] == 800  # 张三借款, a 明细 of 135
    assert len([code for code in table if code and code[0].isdigit()]) == 64  # every 2009 account


def test_a_year_on_the_same_chart_as_its_neighbours_has_no_mapping(keeper):
    union = Union.objects.create(name="新工会", slug="new-union", review_required=False)
    union.members.add(keeper)
    services.open_year(union=union, year=2024)
    client = Client()
    client.force_login(keeper)
    page = client.get(reverse("reports:transition", args=["new-union", 2024])).content.decode()
    assert "没有新旧科目对照" in page
    assert client.get(reverse("reports:transition_xlsx", args=["new-union", 2024])).status_code == 404


def test_a_new_user_opens_2026_after_a_closed_2021_and_sees_the_2021_chart(old_books, keeper):
    settle_year_end(old_books, keeper)
    services.close_year(year=old_books, user=keeper)
    newcomer = get_user_model().objects.create_user("newcomer", password="pw-unionledger-1")
    newcomer.groups.add(Group.objects.get(name=roles.TREASURER))
    old_books.union.members.add(newcomer)
    client = Client()
    client.force_login(newcomer)
    response = client.post(reverse("ledger:open_year", args=["qi-hospital"]), {"year": "2026", "chart": ""})
    assert response["Location"] == reverse("ledger:dashboard", args=["qi-hospital", 2026])
    assert AccountingYear.objects.get(union=old_books.union, year=2026).chart.code == "2021"
    page = client.get(reverse("ledger:accounts", args=["qi-hospital", 2026]) + "?all=1").content.decode()
    assert "职工服务支出" in page and "510105" in page and "科目编码待核对" in page
    assert "50104" not in page  # not the 2009 chart
