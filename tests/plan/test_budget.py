"""预算: set, approve, adjust (at most as the union allows, each kept), execution on the home page, the
over-budget warning at entry, Excel import, next year's draft from the actuals."""

import io
from decimal import Decimal as D

import pytest
from django.urls import reverse
from openpyxl import Workbook

from ledger import services as ledger
from ledger.errors import LedgerError
from ledger.models import Voucher
from plan import queries, services
from plan.models import BudgetAdjustment, PaymentFacts

from .conftest import d


def xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def budgeted(book, keeper, activities, festival):
    services.set_budget(
        year=book, amounts={activities.code: "1000.00"}, approved_on=d("2025-01-10"), user=keeper
    )
    return activities


def test_execution_reads_the_books(book, keeper, budgeted, festival):
    ledger.record_payment(
        union=book.union,
        date=d("2025-02-01"),
        account=festival,
        amount="250.00",
        via="bank",
        summary="活动",
        user=keeper,
    )
    execution = queries.budget_execution(book)
    (row,) = execution.rows
    assert (row.budget, row.actual, row.percent, row.remaining, row.over) == (
        D("1000.00"),
        D("250.00"),
        D("25.0"),
        D("750.00"),
        False,
    )
    assert execution.approved_on == d("2025-01-10")


def test_an_approved_budget_is_adjusted_with_a_reason_at_most_as_often_as_allowed(book, keeper, budgeted):
    with pytest.raises(LedgerError, match="调整预算须填写调整原因"):
        services.set_budget(year=book, amounts={budgeted.code: "1500.00"}, user=keeper)
    services.set_budget(
        year=book,
        amounts={budgeted.code: "1500.00"},
        user=keeper,
        reason="追加职工活动",
        date=d("2025-06-01"),
    )
    (kept,) = BudgetAdjustment.objects.all()
    assert (kept.reason, kept.changes) == ("追加职工活动", {budgeted.code: ["1000.00", "1500.00"]})
    with pytest.raises(LedgerError, match="本会规定预算每年最多调整1次"):
        services.set_budget(year=book, amounts={budgeted.code: "1800.00"}, user=keeper, reason="再追加")
    assert queries.budget_execution(book).rows[0].budget == D("1500.00")
    services.save_settings(union=book.union, budget_adjustments=2)
    services.set_budget(year=book, amounts={budgeted.code: "1800.00"}, user=keeper, reason="再追加")
    assert queries.budget_execution(book).adjustments == 2


def payment_post(book, category, amount, **facts):
    data = {
        "category": category.pk,
        "amount": amount,
        "date": "2025-03-01",
        "via": "bank",
        "summary": "职工活动",
        "payee": "",
        "attachment_count": "0",
    }
    data.update({f"facts-{key}": value for key, value in facts.items()})
    return data


def test_spending_over_the_budget_is_warned_at_entry_and_recorded_only_with_a_reason(
    book, keeper_client, budgeted, festival
):
    url = reverse("ledger:payment", args=[book.union.slug, 2025])
    token = keeper_client.get(url).context["form"]["token"].value()
    data = payment_post(book, festival, "1,200.00")
    data["token"] = token
    warned = keeper_client.post(url, data)
    assert warned.status_code == 200
    text = warned.content.decode()
    assert "超预算：" in text and "预算1000.00元，已支出0.00元，本笔1200.00元后超出200.00元" in text
    assert not Voucher.objects.filter(year=book, summary="职工活动").exists()
    data["facts-reason"] = "委员会同意，年中调整预算"
    recorded = keeper_client.post(url, data)
    assert recorded.status_code == 302
    voucher = Voucher.objects.get(year=book, summary="职工活动")
    facts = PaymentFacts.objects.get(voucher=voucher)
    assert facts.over_budget and facts.reason == "委员会同意，年中调整预算"
    assert queries.budget_execution(book).rows[0].over
    page = keeper_client.get(reverse("ledger:dashboard", args=[book.union.slug, 2025])).content.decode()
    assert 'class="over-budget"' in page and "120.0%" in page


def test_within_the_budget_no_warning(book, keeper_client, budgeted, festival):
    url = reverse("ledger:payment", args=[book.union.slug, 2025])
    data = payment_post(book, festival, "999.99")
    data["token"] = keeper_client.get(url).context["form"]["token"].value()
    assert keeper_client.post(url, data).status_code == 302
    assert not PaymentFacts.objects.exists()  # nothing to keep: no facts, no warning


def test_the_budget_page_saves_and_imports(book, keeper, keeper_client, activities):
    url = reverse("plan:budget", args=[book.union.slug, 2025])
    page = keeper_client.get(url)
    assert page.status_code == 200
    response = keeper_client.post(url, {f"a_{activities.code}": "3,000.00", "approved_on": "", "reason": ""})
    assert response.status_code == 302
    assert queries.budget_execution(book).rows[0].budget == D("3000.00")
    levy = queries.income_account(book, queries.LEVY_INCOME)
    content = xlsx(
        [["科目编码", "科目名称", "预算金额"], [activities.code, "", 4000], ["", "拨缴经费收入", "96000.50"]]
    )
    upload = io.BytesIO(content)
    upload.name = "预算.xlsx"
    keeper_client.post(reverse("plan:budget_import", args=[book.union.slug, 2025]), {"file": upload})
    rows = {row.code: row.budget for row in queries.budget_execution(book).rows}
    assert rows == {activities.code: D("4000.00"), levy.code: D("96000.50")}


def test_a_bad_import_row_changes_nothing(book, keeper, activities):
    services.set_budget(year=book, amounts={activities.code: "100.00"}, user=keeper)
    with pytest.raises(LedgerError, match="第3行：找不到科目"):
        services.import_budget(
            year=book, content=xlsx([["科目编码", "预算金额"], [activities.code, 5], ["", 7]]), user=keeper
        )
    assert queries.budget_execution(book).rows[0].budget == D("100.00")
    with pytest.raises(LedgerError, match="无法读取Excel文件"):
        services.import_budget(year=book, content=b"not a workbook", user=keeper)


def test_next_years_draft_starts_from_this_years_actuals(book, keeper, activities, festival):
    ledger.record_payment(
        union=book.union,
        date=d("2025-02-01"),
        account=festival,
        amount="250.50",
        via="bank",
        summary="活动",
        user=keeper,
    )
    ledger.open_year(union=book.union, year=2026)
    draft = services.draft_next_budget(year=book, user=keeper)
    assert draft.approved_on is None
    assert {line.account.code: line.amount for line in draft.lines.all()} == {
        activities.code: D("250.50"),
        festival.code: D("250.50"),
    }


def test_the_budget_page_takes_a_fixed_number_of_queries(
    book, keeper, keeper_client, activities, django_assert_num_queries
):
    url = reverse("plan:budget", args=[book.union.slug, 2025])
    services.set_budget(year=book, amounts={activities.code: "100.00"}, user=keeper)
    keeper_client.get(url)
    with django_assert_num_queries(15):
        assert keeper_client.get(url).status_code == 200
    for day in range(1, 11):
        ledger.record_payment(
            union=book.union,
            date=d(f"2025-02-{day:02d}"),
            account=activities,
            amount="1.00",
            via="bank",
            summary="活动",
            user=keeper,
        )
    with django_assert_num_queries(15):
        assert keeper_client.get(url).status_code == 200


def test_a_refusal_of_the_books_shows_before_any_warning(book, keeper_client, budgeted, festival):
    """Cash 5,000.00 in hand: a 6,000.00 cash payment is over its budget and over the cash threshold, but
    what the treasurer reads first is that the cash is short; nothing is written, the token stays usable."""
    url = reverse("ledger:payment", args=[book.union.slug, 2025])
    data = payment_post(book, festival, "6,000.00")
    data.update(via="cash", token=keeper_client.get(url).context["form"]["token"].value())
    before = Voucher.objects.count()
    text = keeper_client.post(url, data).content.decode()
    assert "余额不足" in text
    assert Voucher.objects.count() == before
    data.update(via="bank", **{"facts-reason": "委员会同意"})
    assert keeper_client.post(url, data).status_code == 302
    assert Voucher.objects.count() == before + 1
