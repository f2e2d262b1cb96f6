"""Reads of the books that only the reports need, built on ``ledger.queries``' exact 分 expressions."""

import datetime
from collections.abc import Iterator
from typing import NamedTuple

from django.db.models import Count, Max

from ledger.models import AccountingYear, Voucher
from ledger.money import fen_to_decimal
from ledger.queries import fen, posted_lines


class JournalRow(NamedTuple):
    """One posted voucher line of the year, as the 明细账 sheet prints it."""

    date: datetime.date
    number: int
    kind: str
    summary: str
    memo: str
    code: str
    name: str
    debit: object  # Decimal
    credit: object

    @property
    def voucher_no(self) -> str:
        return f"记-{self.number:04d}"


def journal_rows(year: AccountingYear, *, chunk_size: int = 2000) -> Iterator[JournalRow]:
    """Every posted line of the year in date and voucher order, streamed from the database (one query)."""
    rows = (
        posted_lines(year)
        .annotate(debit_fen=fen("debit"), credit_fen=fen("credit"))
        .order_by("voucher__date", "voucher__number", "position")
        .values_list(
            "voucher__date",
            "voucher__number",
            "voucher__kind",
            "voucher__summary",
            "memo",
            "account__code",
            "account__name",
            "debit_fen",
            "credit_fen",
        )
    )
    for date, number, kind, summary, memo, code, name, debit, credit in rows.iterator(chunk_size=chunk_size):
        yield JournalRow(
            date, number, kind, summary, memo, code, name, fen_to_decimal(debit), fen_to_decimal(credit)
        )


def books_state(year: AccountingYear) -> dict:
    """What a rendered report depends on in the books of this year and the previous one. Two queries.

    Posted vouchers are never changed or deleted (the database refuses it): any change to the books is a
    new posted voucher, so the count and highest id of posted vouchers, with the years' closed flags, tell
    whether a cached report is still right.
    """
    vouchers = Voucher.objects.filter(
        year__union_id=year.union_id, year__year__in=(year.year - 1, year.year), state=Voucher.State.POSTED
    ).aggregate(count=Count("id"), last=Max("id"))
    years = sorted(
        AccountingYear.objects.filter(
            union_id=year.union_id, year__in=(year.year - 1, year.year)
        ).values_list("year", "is_closed", "chart_id")
    )
    return {"vouchers": [vouchers["count"], vouchers["last"]], "years": years}
