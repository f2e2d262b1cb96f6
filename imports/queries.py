"""The year's books as the import templates lay them out (for 导出 and the round trip), and the posted vouchers a
file's 红字冲销 name."""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from imports.models import ImportBatch, ImportedVoucher
from ledger.models import (
    AccountingYear,
    CounterpartyKind,
    Voucher,
    VoucherLine,
    voucher_full_no,
    voucher_no,
)
from ledger.money import fen_to_decimal
from ledger.queries import fen, leaf_balances, period, posted_lines


@dataclass(frozen=True)
class VoucherRow:
    """One line of a posted voucher, as a row of the voucher template."""

    date: datetime.date
    number: str  # 凭证号 as printed (记-0005), numbered per month: with the date it keeps a voucher's rows together
    summary: str
    account: str  # "code name", which the import resolves on any chart (or offers to create)
    debit: Decimal
    credit: Decimal
    attachment_count: int | None  # on the voucher's first row only
    memo: str
    counterparty: str
    counterparty_kind: str  # 单位, 个人 or "" (as the template writes it)


KIND_LABELS = dict(CounterpartyKind.choices)


@dataclass(frozen=True)
class OpeningRow:
    account: str
    debit: Decimal
    credit: Decimal


def voucher_rows(year: AccountingYear, *, chunk_size: int = 2000) -> Iterator[VoucherRow]:
    """Every posted line of the year but the opening's, in date and 凭证号 order, streamed (one query). A 红字冲销's
    rows keep their negative amounts and say in 备注 which voucher they cancel (红字冲销 2012年12月 记-0005)."""
    _, inside = period(None, None, include_closing=True)
    rows = (
        posted_lines(year)
        .filter(inside)
        .annotate(debit_fen=fen("debit"), credit_fen=fen("credit"))
        .order_by("voucher__date", "voucher__number", "position")
        .values_list(
            "voucher__date",
            "voucher__number",
            "voucher__reverses__year__year",
            "voucher__reverses__month",
            "voucher__reverses__number",
            "voucher__summary",
            "voucher__counterparty",
            "voucher__counterparty_kind",
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
        reverses_year,
        reverses_month,
        reverses_number,
        summary,
        counterparty,
        counterparty_kind,
        attachments,
        code,
        name,
        memo,
        debit,
        credit,
    ) in rows.iterator(chunk_size=chunk_size):
        first = (date, number) != last  # numbers run per month: a voucher is its date and number
        last = (date, number)
        if reverses_number:  # 红字冲销: each row names the voucher it cancels, as the import reads it back
            note = f"红字冲销 {voucher_full_no(reverses_year, reverses_month, reverses_number)}"
            memo = f"{note} {memo}".strip()
        yield VoucherRow(
            date=date,
            number=voucher_no(number),
            summary=summary,
            account=f"{code} {name}",
            debit=fen_to_decimal(debit),
            credit=fen_to_decimal(credit),
            attachment_count=attachments if first else None,
            memo=memo,
            counterparty=counterparty if first else "",
            counterparty_kind=str(KIND_LABELS.get(counterparty_kind, "")) if first else "",
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


@dataclass
class PostedVoucher:
    """A posted voucher of the books, as a 红字冲销 of the import is checked against it."""

    pk: int
    kind: str
    date: datetime.date
    reversed: bool  # a reversal of it exists (posted or not)
    lines: list[tuple[int, Decimal, Decimal]]  # (account id, debit, credit)


def posted_vouchers(year: AccountingYear, keys: set[tuple[int, int]]) -> dict[tuple[int, int], PostedVoucher]:
    """The year's posted vouchers by (month, number) among ``keys``, with their lines. One query."""
    found: dict[tuple[int, int], PostedVoucher] = {}
    if not keys:
        return found
    rows = (
        VoucherLine.objects.filter(
            voucher__year=year,
            voucher__state=Voucher.State.POSTED,
            voucher__month__in={month for month, _ in keys},
            voucher__number__in={number for _, number in keys},
        )
        .annotate(debit_fen=fen("debit"), credit_fen=fen("credit"))
        .order_by("voucher_id", "position")
        .values_list(
            "voucher_id",
            "voucher__month",
            "voucher__number",
            "voucher__kind",
            "voucher__date",
            "voucher__reversed_by",
            "account_id",
            "debit_fen",
            "credit_fen",
        )
    )
    for pk, month, number, kind, date, reversed_by, account_id, debit, credit in rows:
        if (month, number) not in keys:
            continue
        voucher = found.setdefault(
            (month, number), PostedVoucher(pk, kind, date, reversed_by is not None, [])
        )
        voucher.lines.append((account_id, fen_to_decimal(debit), fen_to_decimal(credit)))
    return found


def imported_vouchers(batch: ImportBatch, rows: set[int]) -> dict[int, int]:
    """The vouchers the batch has written so far, by the first row of the file they came from, among ``rows``:
    voucher ids. One query (none for no rows)."""
    if not rows:
        return {}
    return dict(ImportedVoucher.objects.filter(batch=batch, row__in=rows).values_list("row", "voucher_id"))
