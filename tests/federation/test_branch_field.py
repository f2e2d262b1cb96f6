"""The 分会 (辅助核算) on 记收入, 记支出 and 记凭证: offered only where the union has 分工会 without books, only those;
kept on the line, shown on the voucher, in the 明细账 and summed by 分会 on the 分工会 page."""

from decimal import Decimal as D

import pytest

from ledger import services
from ledger.models import Union, Voucher, VoucherLine
from ledger.queries.consolidation import tracked_figures
from tests.conftest import snapshot
from tests.federation.conftest import on, signed_in

pytestmark = pytest.mark.django_db

BOOK = "/u/first-hospital/2025/"


@pytest.fixture
def hospital_books(hospital_year, neike_year, yaoji):
    """The hospital's year with one 分工会 keeping books (内科) and one without (药剂科)."""
    return hospital_year


def test_the_receipt_form_offers_only_the_branches_without_books(hospital_books, yaoji, keeper):
    form = signed_in(keeper).get(BOOK + "receipt/").context["form"]
    assert form.fields["branch"].choices == [("", "（不选）"), (str(yaoji.pk), "药剂科分会")]
    assert list(form.fields)[:2] == ["category", "branch"]


def test_a_union_without_such_branches_is_not_offered_the_field(hospital_year, neike_year, keeper):
    client = signed_in(keeper)
    for page in ("receipt/", "payment/"):
        assert "branch" not in client.get(BOOK + page).context["form"].fields
    assert "branch" not in client.get(BOOK + "vouchers/new/").context["lines"].forms[0].fields
    assert "<th>分会</th>" not in client.get(BOOK + "vouchers/new/").content.decode()


def entry(client, page, **changes):
    form = client.get(BOOK + page).context["form"]
    token = form["token"].value()
    wanted = "4401" if page == "receipt/" else "5101"
    category = min(
        (a for a in form.fields["category"].accounts.values() if a.code.startswith(wanted)),
        key=lambda a: a.code,
    )
    form = {
        "category": str(category.pk),
        "amount": "1,234.56",
        "date": "2025-03-01",
        "via": "bank",
        "summary": "药剂科活动",
        "token": token,
    }
    return client.post(BOOK + page, form | changes, follow=True)


@pytest.mark.parametrize("page, code", [("receipt/", "4401"), ("payment/", "5101")])
def test_a_receipt_or_payment_marks_its_category_line_and_shows_it(hospital_books, yaoji, keeper, page, code):
    client = signed_in(keeper)
    response = entry(client, page, branch=str(yaoji.pk))
    assert response.status_code == 200
    voucher = Voucher.objects.get(summary="药剂科活动")
    marked = [(line.account.code[:4], line.branch_id) for line in voucher.lines.order_by("position")]
    assert marked == (
        [("1002", None), ("4401", yaoji.pk)] if page == "receipt/" else [("5101", yaoji.pk), ("1002", None)]
    )
    detail = response.content.decode()
    assert "<th>分会</th>" in detail and '<td class="branch">药剂科分会</td>' in detail
    printed = client.get(BOOK + f"vouchers/{voucher.pk}/print/").content.decode()
    assert "（分会：药剂科分会）" in printed
    account = voucher.lines.get(account__code__startswith=code).account
    ledger = client.get(BOOK + f"accounts/{account.pk}/?month=3").content.decode()
    assert "［分会：药剂科分会］" in ledger
    figures = tracked_figures(hospital_books)
    assert [(item.name, item.income, item.expense) for item in figures] == [
        (
            "药剂科分会",
            D("1234.56") if page == "receipt/" else D("0.00"),
            D("0.00") if page == "receipt/" else D("1234.56"),
        )
    ]
    listed = client.get(BOOK + "vouchers/").content.decode()
    assert '<span class="muted branch">（药剂科分会）</span>' in listed
    branches = client.get(BOOK + "branches/").content.decode()
    assert 'id="tracked-table"' in branches and "1,234.56" in branches


@pytest.mark.parametrize("forged", ["neike", "outside", "nonsense"])
def test_a_forged_branch_is_refused_and_nothing_written(
    hospital_books, neike_year, outside_year, keeper, forged
):
    value = {"neike": str(neike_year.union.pk), "outside": str(outside_year.union.pk), "nonsense": "x"}[
        forged
    ]
    client = signed_in(keeper)
    before = snapshot()
    response = entry(client, "receipt/", branch=value)
    assert "请从列表中选择分会（本工会不单独建账的分工会）" in response.content.decode()
    assert snapshot() == before


def test_a_voucher_line_takes_a_branch_and_editing_keeps_it(hospital_books, yaoji, keeper):
    Union.objects.filter(pk=hospital_books.union_id).update(
        review_required=True
    )  # so the draft may be edited
    client = signed_in(keeper)
    page = client.get(BOOK + "vouchers/new/")
    assert "<th>分会</th>" in page.content.decode()
    year = hospital_books
    cash = services.resolve_account(year, "1001")
    bank = services.resolve_account(year, "1002")
    offered = page.context["lines"].forms[0].fields["account"].accounts.values()
    spend = min((a for a in offered if a.code.startswith("5101")), key=lambda a: a.code)
    form = {
        "token": page.context["form"]["token"].value(),
        "date": "2025-03-02",
        "summary": "药剂科提现活动",
        "lines-TOTAL_FORMS": "6",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "30",
        "lines-0-account": str(spend.pk),
        "lines-0-debit": "100.01",
        "lines-0-branch": str(yaoji.pk),
        "lines-1-account": str(bank.pk),
        "lines-1-credit": "100.01",
    }
    made = client.post(BOOK + "vouchers/new/", form)
    assert made.status_code == 302, made.context["form"].errors or made.context["lines"].errors
    voucher = Voucher.objects.get(summary="药剂科提现活动")
    assert voucher.state == Voucher.State.DRAFT
    assert list(voucher.lines.order_by("position").values_list("branch_id", flat=True)) == [yaoji.pk, None]
    edit = client.get(BOOK + f"vouchers/{voucher.pk}/edit/")
    assert edit.context["lines"].forms[0].initial["branch"] == str(yaoji.pk)
    changed = form | {
        "token": edit.context["form"]["token"].value(),
        "lines-0-branch": "",
        "lines-1-account": str(cash.pk),
        "lines-1-branch": str(yaoji.pk),
    }
    client.post(BOOK + f"vouchers/{voucher.pk}/edit/", changed)
    assert list(voucher.lines.order_by("position").values_list("branch_id", flat=True)) == [None, yaoji.pk]
    # a row with only a 分会 chosen is no blank row
    lonely = form | {"token": "b" * 32, "lines-2-branch": str(yaoji.pk)}
    refused = client.post(BOOK + "vouchers/new/", lonely)
    assert "请为这一行选择会计科目" in refused.content.decode()


def test_save_and_new_keeps_the_branch(hospital_books, yaoji, keeper):
    client = signed_in(keeper)
    response = entry(client, "payment/", branch=str(yaoji.pk), then="new")
    assert response.context["form"].initial["branch"] == str(yaoji.pk)


def test_dues_of_a_bookless_branchs_members_count_in_the_parents_rate(hospital_books, yaoji, keeper):
    """A 分工会 without books keeps no roster or books of its own: its members are on the union's roster (their
    department the branch) and their dues are the union's, so they count in its 收缴率."""
    from plan import services as plan_services  # noqa: PLC0415
    from plan.queries import dues_summary  # noqa: PLC0415

    hospital = hospital_books.union
    plan_services.save_member(
        union=hospital, name="王五", department="药剂科", wage_base="6000.00", joined=on("2024-01-01")
    )
    plan_services.record_dues(
        union=hospital, month=1, department="药剂科", date=on("2025-01-31"), into="bank", user=keeper
    )
    whole = dues_summary(hospital, 2025, today=on("2025-02-15"))
    assert (whole.members, whole.collected, whole.rate) == (1, D("30.00"), D("50.0"))
    assert VoucherLine.objects.filter(branch=yaoji).count() == 0  # the dues voucher is not marked by 分会


def test_vouchers_posted_in_bulk_keep_their_branch(hospital_books, yaoji, keeper):
    (voucher,) = services.record_many(
        year=hospital_books,
        user=keeper,
        entries=[
            services.payment_entry(
                date=on("2025-03-01"),
                account="510101",
                amount="10.00",
                via="bank",
                summary="批量",
                branch=yaoji.pk,
            )
        ],
    )
    assert list(voucher.lines.order_by("position").values_list("branch_id", flat=True)) == [yaoji.pk, None]


def test_a_bulk_part_checks_its_branches_in_one_query_however_many_vouchers(
    hospital_books, yaoji, keeper, django_assert_num_queries
):
    """The 分会 of every line of a part are checked against the union's 分工会 once: 3 vouchers and 30 cost the
    same statements (the part's 9 of ``test_bulk_posting``, and one for the 分会)."""

    def payments(n: int):
        return [
            services.payment_entry(
                date=on("2025-03-01"),
                account="510101",
                amount="1.00",
                via="bank",
                summary=f"批量{i}",
                branch=yaoji.pk,
            )
            for i in range(n)
        ]

    for n in (3, 30):
        with django_assert_num_queries(10):
            services.record_many(year=hospital_books, user=keeper, entries=payments(n))
