"""The year's books as the import templates lay them out (for 导出 and the round trip). Three queries."""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from ledger.models import AccountingYear
from ledger.money import fen_to_decimal
from ledger.queries import fen, leaf_balances, period, posted_lines


@dataclass(frozen=True)
class VoucherRow:
    """One line of a posted voucher, as a row of the voucher template."""

    date: datetime.date
    number: int
    summary: str
    account: str  # "code name", which the import resolves on any chart (or offers to create)
    debit: Decimal
    credit: Decimal
    attachment_count: int | None  # on the voucher's first row only
    memo: str
    counterparty: str


@dataclass(frozen=True)
class OpeningRow:
    account: str
    debit: Decimal
    credit: Decimal


def voucher_rows(year: AccountingYear, *, chunk_size: int = 2000) -> Iterator[VoucherRow]:
    """Every posted line of the year but the opening's, in date and 凭证号 order, streamed (one query)."""
    _, inside = period(None, None, include_closing=True)
    rows = (
        posted_lines(year)
        .filter(inside)
        .annotate(debit_fen=fen("debit"), credit_fen=fen("credit"))
        .order_by("voucher__date", "voucher__number", "position")
        .values_list(
            "voucher__date",
            "voucher__number",
            "voucher__summary",
            "voucher__counterparty",
            "voucher__attachment_count",
            "account__code",
            "account__name",
            "memo",
            "debit_fen",
            "credit_fen",
        )
    )
    last = None
    for (
        date,
        number,
        summary,
        counterparty,
        attachments,
        code,
        name,
        memo,
        debit,
        credit,
    ) in rows.iterator(chunk_size=chunk_size):
        first = number != last
        last = number
        yield VoucherRow(
            date=date,
            number=number,
            summary=summary,
            account=f"{code} {name}",
            debit=fen_to_decimal(debit),
            credit=fen_to_decimal(credit),
            attachment_count=attachments if first else None,
            memo=memo,
            counterparty=counterparty if first else "",
        )


def opening_rows(year: AccountingYear) -> list[OpeningRow]:
    """The year's 期初余额 by account (借 or 贷), as the 科目余额表 template. Two queries."""
    rows = []
    for leaf in leaf_balances(year=year):
        if leaf.opening_debit:
            amount = leaf.opening_debit
            rows.append(
                OpeningRow(
                    account=f"{leaf.account.code} {leaf.account.name}",
                    debit=amount if amount > 0 else Decimal("0.00"),
                    credit=-amount if amount < 0 else Decimal("0.00"),
                )
            )
    return rows
