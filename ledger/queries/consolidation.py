"""The reads that consolidate a union with its 分工会 (合并): which branch years join it, the 补助下级 (下拨) pairs to
eliminate, and the figures of the branches kept as a dimension (辅助核算) of its own lines.

The figures themselves stay ``year_summary``'s, one union at a time; the report (``reports.consolidated``) adds
them and takes the eliminated pairs out. Each read here is one query.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from ledger.models import Account, AccountingYear, AccountType, Allocation, Union, Voucher, VoucherLine
from ledger.money import fen_to_decimal
from ledger.queries.balances import fen_sum

# The two sides of 补助下级 (下拨), first-level accounts of both charts by name (2009: 506 and 403; 2021: 5601 and 4201).
ALLOCATION_EXPENSE = "补助下级支出"  # the parent's
ALLOCATION_INCOME = "上级补助收入"  # the branch's


def branch_years(year: AccountingYear) -> list[AccountingYear]:
    """The same year of each 分工会 of ``year``'s union that keeps books of its own, by name. One query."""
    return list(
        AccountingYear.objects.select_related("union", "chart")
        .filter(union__parent_id=year.union_id, union__keeps_books=True, year=year.year)
        .order_by("union__name", "union__slug")
    )


def branches_of(union: Union) -> list[Union]:
    """Every 分工会 of ``union``, with books of its own or not, by name. One query."""
    return list(Union.objects.filter(parent=union).order_by("name", "slug"))


def tracked_branches(union: Union) -> list[Union]:
    """The 分工会 kept as a dimension of ``union``'s lines (no books of their own), by name. One query."""
    return list(Union.objects.filter(parent=union, keeps_books=False).order_by("name", "slug"))


@dataclass(frozen=True)
class Eliminated:
    """One 补助下级 pair: the parent's 补助下级支出 and the branch's 上级补助收入 of the same amount."""

    date: datetime.date
    branch_slug: str
    branch_name: str
    amount: Decimal
    summary: str
    parent_voucher: str  # 2025年3月 记-0004
    branch_voucher: str


def eliminations(year: AccountingYear) -> tuple[Eliminated, ...]:
    """The year's 补助下级 pairs that count: both vouchers posted and neither reversed (a 红字冲销 of either side
    takes its figures out, and so the pair; the red pair itself, linked as an ``Allocation`` too, is no allocation
    and cancels its original on both sides alike). One query."""
    live = Q(state=Voucher.State.POSTED, reversed_by__isnull=True)
    rows = (
        Allocation.objects.filter(parent_voucher__year=year, parent_voucher__kind=Voucher.Kind.NORMAL)
        .filter(
            parent_voucher__in=Voucher.objects.filter(live), branch_voucher__in=Voucher.objects.filter(live)
        )
        .select_related("parent_voucher__year", "branch_voucher__year__union")
        .order_by("parent_voucher__date", "parent_voucher__month", "parent_voucher__number")
    )
    return tuple(
        Eliminated(
            date=row.parent_voucher.date,
            branch_slug=row.branch_voucher.year.union.slug,
            branch_name=row.branch_voucher.year.union.name,
            amount=fen_to_decimal(row.amount_fen),
            summary=row.parent_voucher.summary,
            parent_voucher=row.parent_voucher.full_no,
            branch_voucher=row.branch_voucher.full_no,
        )
        for row in rows
    )


@dataclass(frozen=True)
class TrackedFigures:
    """A 分工会 without books: what the parent's lines marked with it took in and paid out over the year."""

    slug: str
    name: str
    income: Decimal
    expense: Decimal


def tracked_figures(year: AccountingYear) -> tuple[TrackedFigures, ...]:
    """Income and spending of ``year``'s lines by 分会 (辅助核算), before the year-end 结转. One query."""
    closing = Q(voucher__kind=Voucher.Kind.CLOSING) | Q(voucher__reverses__kind=Voucher.Kind.CLOSING)
    rows = (
        VoucherLine.objects.filter(
            voucher__year=year, voucher__state=Voucher.State.POSTED, branch__isnull=False
        )
        .exclude(closing)
        .values("branch__slug", "branch__name")
        .annotate(
            income_credit=fen_sum("credit", Q(account__type=AccountType.INCOME)),
            income_debit=fen_sum("debit", Q(account__type=AccountType.INCOME)),
            expense_debit=fen_sum("debit", Q(account__type=AccountType.EXPENSE)),
            expense_credit=fen_sum("credit", Q(account__type=AccountType.EXPENSE)),
        )
        .order_by("branch__name", "branch__slug")
    )
    return tuple(
        TrackedFigures(
            slug=row["branch__slug"],
            name=row["branch__name"],
            income=fen_to_decimal(row["income_credit"] - row["income_debit"]),
            expense=fen_to_decimal(row["expense_debit"] - row["expense_credit"]),
        )
        for row in rows
    )


def allocation_codes(year: AccountingYear) -> dict[str, str]:
    """The codes of the two sides of 补助下级 in ``year``'s chart: {``ALLOCATION_EXPENSE``: "5601",
    ``ALLOCATION_INCOME``: "4201"} (2009: 506, 403), the first-level accounts ``allocate_to_branch`` posts to.
    One query."""
    return dict(
        Account.objects.filter(
            chart_id=year.chart_id,
            union__isnull=True,
            parent__isnull=True,
            name__in=(ALLOCATION_EXPENSE, ALLOCATION_INCOME),
            is_active=True,
        ).values_list("name", "code")
    )
