"""补助下级 in the voucher's life: under the parent's review it waits, 记账 of the parent's side posts both, deleting
the parent's draft deletes both; 红字冲销 of either side reverses both, or nothing when a year is closed."""

from decimal import Decimal as D

import pytest
from django.db.models import Q

from ledger import queries, roles, services
from ledger.errors import LedgerError
from ledger.models import AccountingYear, Allocation, AuditEvent, Union, Voucher
from reports.consolidated import build_consolidated_report
from tests.conftest import receipt, snapshot
from tests.federation.conftest import on, person, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def checker(hospital):
    return person("checker", roles.REVIEWER, hospital)


@pytest.fixture
def reviewing(hospital_year):
    """The hospital now requires review (its opening was posted in one step)."""
    Union.objects.filter(pk=hospital_year.union_id).update(review_required=True)
    return AccountingYear.objects.select_related("union", "chart").get(pk=hospital_year.pk)


def allocate(year, branch_year, keeper, amount="12345.67", date="2025-04-01"):
    return services.allocate_to_branch(
        year=year,
        branch=branch_year.union,
        date=on(date),
        amount=amount,
        summary="下拨内科分会活动经费",
        user=keeper,
    )


@pytest.fixture
def funded(books, neike_year, keeper):
    """The books, and 8,000.00 more 会费 for 内科 on 1 April: enough in its bank to give the 12,345.67 back."""
    receipt(neike_year, keeper, "2025-04-01", "4001", "8000.00", summary="内科会费补收")
    return books


def figures(*years):
    return [(queries.year_summary(year).income, queries.year_summary(year).expense) for year in years]


def test_under_review_both_sides_wait_and_posting_the_parents_posts_both(
    reviewing, neike_year, keeper, branch_keeper, checker
):
    allocation = allocate(reviewing, neike_year, keeper)
    out, received = allocation.parent_voucher, allocation.branch_voucher
    assert out.state == received.state == Voucher.State.DRAFT
    assert (out.number, received.number) == (None, None)
    assert figures(reviewing, neike_year) == [(D("0"), D("0"))] * 2  # a draft counts nowhere
    # the branch's side is never handled on its own, by anyone
    for step in (
        lambda: services.review_voucher(voucher=received, user=checker),
        lambda: services.post_voucher(voucher=received, posted_by=branch_keeper),
        lambda: services.delete_draft(voucher=received, user=keeper),
        lambda: services.sign_voucher(voucher=received, user=branch_keeper),
    ):
        with pytest.raises(LedgerError, match="随上级工会的凭证审核、记账或删除"):
            step()
    with pytest.raises(LedgerError, match="补助下级（下拨）凭证不能修改"):
        services.update_draft(
            voucher=out,
            user=keeper,
            date=on("2025-04-01"),
            summary="改",
            lines=[services.Line("5601", debit="1.00"), services.Line("1002", credit="1.00")],
        )
    with pytest.raises(LedgerError, match="须经他人审核"):
        services.post_voucher(voucher=out, posted_by=keeper)
    assert services.next_steps(received, branch_keeper, may_record=True, may_review=True) == frozenset()
    assert services.next_steps(out, keeper, may_record=True, may_review=False) == {"delete"}

    services.review_voucher(voucher=out, user=checker)
    services.unreview_voucher(voucher=out, user=checker)  # 反审核 leaves the branch's side waiting as it was
    received.refresh_from_db()
    assert received.state == Voucher.State.DRAFT
    services.review_voucher(voucher=out, user=checker)
    services.post_voucher(voucher=out, posted_by=checker)
    out.refresh_from_db()
    received.refresh_from_db()
    assert out.state == received.state == Voucher.State.POSTED
    assert (out.full_no, received.full_no) == ("2025年4月 记-0001", "2025年4月 记-0001")  # each in its books
    assert figures(reviewing, neike_year) == [(D("0"), D("12345.67")), (D("12345.67"), D("0"))]
    assert [item.amount for item in build_consolidated_report(reviewing).eliminated] == [D("12345.67")]
    assert AuditEvent.objects.filter(
        union=neike_year.union, action="voucher_posted", object_id=str(received.pk)
    ).exists()


def test_deleting_the_parents_draft_deletes_both(reviewing, neike_year, keeper):
    before = snapshot()
    allocation = allocate(reviewing, neike_year, keeper)
    services.delete_draft(voucher=allocation.parent_voucher, user=keeper)
    assert snapshot() == before and not Allocation.objects.exists()
    assert AuditEvent.objects.filter(union=neike_year.union, action="draft_deleted").count() == 1


def test_posting_the_parents_side_into_a_closed_branch_year_posts_neither(
    reviewing, neike_year, keeper, checker
):
    allocation = allocate(reviewing, neike_year, keeper)
    services.review_voucher(voucher=allocation.parent_voucher, user=checker)
    AccountingYear.objects.filter(pk=neike_year.pk).update(is_closed=True)
    before = snapshot()
    with pytest.raises(LedgerError, match="分工会一方（内科分会）不能记账，两方都未记账：.*已结账"):
        services.post_voucher(voucher=allocation.parent_voucher, posted_by=checker)
    assert snapshot() == before


def test_without_review_one_action_still_posts_both(hospital_year, neike_year, keeper):
    allocation = allocate(hospital_year, neike_year, keeper)
    assert allocation.parent_voucher.is_posted and allocation.branch_voucher.is_posted


def test_the_branchs_side_is_not_reversed_alone(funded, neike_year, branch_keeper):
    """The 分工会's users do not write into the parent's books: the branch's side is reversed with the parent's."""
    allocation = Allocation.objects.get(branch_voucher__year=neike_year)
    before = snapshot()
    with pytest.raises(LedgerError, match="由上级工会在其凭证2025年4月 记-0001上红字冲销，两方一同冲销"):
        services.reverse_voucher(voucher=allocation.branch_voucher, user=branch_keeper, reason="下拨有误")
    assert snapshot() == before


def test_reversing_the_parents_side_reverses_both(funded, neike_year, keeper):
    before = build_consolidated_report(funded)
    allocation = Allocation.objects.get(branch_voucher__year=neike_year)
    side = "parent_voucher"
    red = services.reverse_voucher(
        voucher=getattr(allocation, side), user=keeper, date=on("2025-04-02"), reason="下拨有误"
    )
    out_red = Voucher.objects.get(reverses=allocation.parent_voucher)
    in_red = Voucher.objects.get(reverses=allocation.branch_voucher)
    assert red in (out_red, in_red) and red.reverses_id == getattr(allocation, side).pk
    assert out_red.is_posted and in_red.is_posted
    assert (out_red.year_id, in_red.year_id) == (funded.pk, neike_year.pk)
    link = Allocation.objects.get(parent_voucher=out_red)
    assert (link.branch_voucher_id, link.amount_fen) == (in_red.pk, 1234567)
    assert [(line.account.code, line.debit.amount, line.credit.amount) for line in in_red.lines.all()] == [
        ("1002", D("-12345.67"), D("0.00")),
        ("4201", D("0.00"), D("-12345.67")),
    ]
    after = build_consolidated_report(funded)
    assert [item.branch_slug for item in after.eliminated] == ["first-waike"]
    # the pair nets to zero on both sides: the consolidated figures are what they were, to the cent
    assert (after.total_income, after.total_expense) == (before.total_income, before.total_expense)
    assert (after.total_income, after.total_expense) == (D("59234.89"), D("18321.20"))
    assert all(check.ok for check in after.checks)
    assert queries.year_summary(neike_year).income == D("9234.56")  # 会费 only: 上级补助收入 nets to zero
    assert queries.year_summary(funded).expense == D("7000.10") + D("321.09") + D("800.01")
    with pytest.raises(LedgerError, match="已经冲销过"):
        services.reverse_voucher(voucher=allocation.branch_voucher, user=keeper, reason="再冲")


def test_a_reversal_under_review_waits_and_posts_both(funded, neike_year, keeper, checker):
    Union.objects.filter(pk=funded.union_id).update(review_required=True)
    allocation = Allocation.objects.get(branch_voucher__year=neike_year)
    out_red = services.reverse_voucher(
        voucher=allocation.parent_voucher, user=keeper, date=on("2025-04-02"), reason="下拨有误"
    )
    red = Voucher.objects.get(reverses=allocation.branch_voucher)
    assert red.state == out_red.state == Voucher.State.DRAFT
    with pytest.raises(LedgerError, match="随上级工会"):
        services.post_voucher(voucher=red, posted_by=keeper)
    services.review_voucher(voucher=out_red, user=checker)
    services.post_voucher(voucher=out_red, posted_by=checker)
    red.refresh_from_db()
    assert red.is_posted and red.full_no == "2025年4月 记-0005"  # after four April vouchers of 内科
    assert queries.year_summary(neike_year).income == D("9234.56")


def test_deleting_a_waiting_pair_reversal_frees_both_originals(funded, neike_year, keeper):
    Union.objects.filter(pk=funded.union_id).update(review_required=True)
    allocation = Allocation.objects.get(branch_voucher__year=neike_year)
    services.reverse_voucher(
        voucher=allocation.parent_voucher, user=keeper, date=on("2025-04-02"), reason="x"
    )
    out_red = Voucher.objects.get(reverses=allocation.parent_voucher)
    services.delete_draft(voucher=out_red, user=keeper)
    assert not Voucher.objects.filter(kind=Voucher.Kind.REVERSAL).exists()
    assert Allocation.objects.count() == 2


@pytest.mark.parametrize("closed, side", [("branch", "parent_voucher"), ("parent", "parent_voucher")])
def test_a_reversal_is_refused_when_the_other_sides_year_is_closed(funded, neike_year, keeper, closed, side):
    allocation = Allocation.objects.get(branch_voucher__year=neike_year)
    AccountingYear.objects.filter(pk=neike_year.pk if closed == "branch" else funded.pk).update(
        is_closed=True
    )
    before = snapshot()
    message = (
        "内科分会2025年度已结账：补助下级（下拨）的两方须一同冲销，不能只冲销上级工会一方，未做任何更改"
        if closed == "branch"
        else "第一医院工会2025年度已结账：补助下级（下拨）的两方须一同冲销，不能只冲销分工会一方，未做任何更改"
    )
    with pytest.raises(LedgerError, match=message):
        services.reverse_voucher(
            voucher=getattr(allocation, side), user=keeper, date=on("2025-04-02"), reason="x"
        )
    assert snapshot() == before and Allocation.objects.count() == 2


def test_a_side_reversed_alone_before_completes_alone(funded, neike_year, keeper):
    """A pair one side of which was reversed alone (before sides were reversed together) is completed one by one."""
    allocation = Allocation.objects.get(branch_voucher__year=neike_year)
    services._mirror(
        allocation.parent_voucher, year=funded, date=on("2025-04-02"), user=keeper, summary="旧的单方冲销"
    )
    services.reverse_voucher(
        voucher=allocation.branch_voucher, user=keeper, date=on("2025-04-02"), reason="补冲"
    )
    assert (
        Voucher.objects.filter(
            Q(reverses=allocation.parent_voucher) | Q(reverses=allocation.branch_voucher)
        ).count()
        == 2
    )
    assert Allocation.objects.count() == 2


def test_the_branches_page_under_review_says_both_wait(reviewing, neike_year, keeper):
    client = signed_in(keeper)
    token = client.get("/u/first-hospital/2025/branches/").context["form"]["token"].value()
    form = {
        "branch": "first-neike",
        "amount": "100.00",
        "date": "2025-04-01",
        "via": "bank",
        "summary": "下拨",
        "token": token,
    }
    page = client.post("/u/first-hospital/2025/branches/", form, follow=True).content.decode()
    assert "已保存，等待审核：补助下级" in page
    allocation = Allocation.objects.get()
    received = allocation.branch_voucher
    branch_page = client.get(f"/u/first-neike/2025/vouchers/{received.pk}/").content.decode()
    assert "本凭证随上级工会的凭证审核、记账，不能单独处理" in branch_page
    out_page = client.get(f"/u/first-hospital/2025/vouchers/{allocation.parent_voucher.pk}/").content.decode()
    assert "本凭证记账时一并记账" in out_page and "内科分会" in out_page


def test_the_branchs_page_offers_no_reversal_and_the_parents_reverses_both(
    funded, neike_year, branch_keeper, keeper
):
    allocation = Allocation.objects.get(branch_voucher__year=neike_year)
    client = signed_in(branch_keeper)
    page = client.get(f"/u/first-neike/2025/vouchers/{allocation.branch_voucher.pk}/")
    text = page.content.decode()
    assert "上级补助（下拨）：上级工会一方为 第一医院工会 2025年4月 记-0001" in text
    assert "由上级工会在其凭证上红字冲销" in text and not page.context["can_reverse"]
    token = page.context["reverse_form"]["token"].value()
    before = snapshot()
    refused = client.post(
        f"/u/first-neike/2025/vouchers/{allocation.branch_voucher.pk}/reverse/",
        {"reason": "下拨有误", "token": token},
        follow=True,
    )
    assert "分工会不能单独冲销" in refused.content.decode() and snapshot() == before
    parent = signed_in(keeper)
    page = parent.get(f"/u/first-hospital/2025/vouchers/{allocation.parent_voucher.pk}/")
    response = parent.post(
        f"/u/first-hospital/2025/vouchers/{allocation.parent_voucher.pk}/reverse/",
        {"reason": "下拨有误", "token": page.context["reverse_form"]["token"].value()},
        follow=True,
    )
    assert "补助下级（下拨）的另一方已一同冲销" in response.content.decode()
    assert Voucher.objects.filter(reverses=allocation.branch_voucher, state=Voucher.State.POSTED).exists()
    branch_page = client.get(f"/u/first-neike/2025/vouchers/{allocation.branch_voucher.pk}/")
    assert "本凭证已被" in branch_page.content.decode()
