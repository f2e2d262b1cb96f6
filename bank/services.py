"""Writes of the bank reconciliation and the cash count. None of them touches the books.

- ``upload_statement``: read a statement by the bank's column mapping (remembered), keep its rows, then
  ``auto_match``;
- ``auto_match``: propose one-to-one matches (a row with exactly one candidate line that has exactly that
  one candidate row: same side, same amount, dates at most ``WINDOW_DAYS`` apart); the rest are left for
  suggestions and matching by hand;
- ``confirm_matches``, ``match_by_hand``, ``unmatch``: the treasurer's decisions;
- ``record_cash_count``: a 现金盘点 with its witness, against the cash journal at that date.

A row or a line is matched at most once: the database refuses a second match (unique columns).
"""

import datetime
import hashlib
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction

from audit import trail as audit
from bank import queries
from bank.models import COLUMNS, DENOMINATIONS, CashCount, ColumnMapping, Match, Statement, StatementRow
from bank.reading import StatementError, read_statement
from ledger.errors import LedgerError
from ledger.models import AccountingYear, AuditEvent
from ledger.money import ZERO, fen_to_decimal


@transaction.atomic
def upload_statement(
    *,
    year: AccountingYear,
    user: AbstractBaseUser,
    bank_name: str,
    name: str,
    content: bytes,
    mapping: dict[str, str],
    period_end: datetime.date | None = None,
) -> Statement:
    bank_name = (bank_name or "").strip()[:60]
    if not bank_name:
        raise LedgerError("请填写开户银行")
    missing = [
        COLUMNS[field]
        for field in ("date_column", "income_column", "expense_column", "balance_column")
        if not (mapping.get(field) or "").strip()
    ]
    if missing:
        raise LedgerError(f"请设置对账单的列：{'、'.join(missing)}")
    sha256 = hashlib.sha256(content).hexdigest()
    if Statement.objects.filter(year=year, sha256=sha256).exists():
        raise StatementError("这份对账单已经上传过了")
    parsed = read_statement(name=name, content=content, mapping=mapping)
    outside = [row for row in parsed if row.date.year != year.year]
    if outside:
        raise StatementError(
            f"第{outside[0].line}行的日期{outside[0].date}不在{year.year}年度内，请只上传本年度的对账单"
        )
    last = max(row.date for row in parsed)
    period_end = period_end or last
    if period_end < last or period_end.year != year.year:
        raise StatementError("对账单截止日期应在本年度内，且不早于最后一笔交易")
    clean = {field: (mapping.get(field) or "").strip()[:60] for field in COLUMNS}
    ColumnMapping.objects.update_or_create(union=year.union, bank_name=bank_name, defaults=clean)
    statement = Statement.objects.create(
        year=year,
        bank_name=bank_name,
        file_name=name[:200],
        sha256=sha256,
        period_end=period_end,
        uploaded_by=user,
    )
    StatementRow.objects.bulk_create(
        StatementRow(
            statement=statement,
            position=position,
            date=row.date,
            summary=row.summary,
            counterparty=row.counterparty,
            income_fen=row.income_fen,
            expense_fen=row.expense_fen,
            balance_fen=row.balance_fen,
        )
        for position, row in enumerate(parsed, start=1)
    )
    audit.record(
        AuditEvent.Action.STATEMENT_UPLOADED,
        user=user,
        union=year.union,
        obj=statement,
        summary=f"{bank_name} 对账单 {name}（{len(parsed)}笔，截至{period_end:%Y-%m-%d}）",
        changes={"rows": len(parsed), "period_end": f"{period_end}"},
    )
    auto_match(year=year, user=user)
    return statement


@transaction.atomic
def auto_match(*, year: AccountingYear, user: AbstractBaseUser) -> int:
    """Propose the one-to-one matches among the year's unmatched rows and lines. Returns how many."""
    lines = queries.bank_lines(year)
    rows = [row for row in queries.statement_rows(year) if not hasattr(row, "match")]
    row_candidates = {row.pk: queries.candidates(row, lines) for row in rows}
    line_rows: dict[int, list[int]] = {}
    for row_id, found in row_candidates.items():
        for line in found:
            line_rows.setdefault(line.pk, []).append(row_id)
    pairs = [
        (row_id, found[0].pk)
        for row_id, found in row_candidates.items()
        if len(found) == 1 and line_rows[found[0].pk] == [row_id]
    ]
    Match.objects.bulk_create(Match(row_id=row_id, line_id=line_id, by=user) for row_id, line_id in pairs)
    if pairs:
        audit.record(
            AuditEvent.Action.BANK_MATCHED,
            user=user,
            union=year.union,
            summary=f"自动匹配对账单与银行存款日记账 {len(pairs)} 笔，待确认",
            changes={"proposed": len(pairs)},
        )
    return len(pairs)


@transaction.atomic
def confirm_matches(*, year: AccountingYear, user: AbstractBaseUser, row_ids: list[int] | None = None) -> int:
    """Confirm the proposed matches (all of the year's, or those of ``row_ids``)."""
    found = Match.objects.filter(row__statement__year=year, confirmed=False)
    if row_ids is not None:
        found = found.filter(row_id__in=row_ids)
    count = found.update(confirmed=True, by=user)
    if count:
        audit.record(
            AuditEvent.Action.BANK_MATCHED,
            user=user,
            union=year.union,
            summary=f"确认对账匹配 {count} 笔",
            changes={"confirmed": count},
        )
    return count


@transaction.atomic
def match_by_hand(*, year: AccountingYear, user: AbstractBaseUser, row: StatementRow, line_id: int) -> Match:
    """Match a row to a line the treasurer chose: same side and amount, any date of the year."""
    row = StatementRow.objects.select_related("statement").get(pk=row.pk)
    if row.statement.year_id != year.pk:
        raise LedgerError("这笔对账单明细不属于本年度")
    if Match.objects.filter(row=row).exists():
        raise LedgerError(f"对账单第{row.position}行已经匹配过了，请先取消原匹配")
    line = next((item for item in queries.bank_lines(year) if item.pk == line_id), None)
    if line is None:
        raise LedgerError("找不到这笔银行存款日记账记录")
    if line.match_row_id is not None:
        raise LedgerError(f"{line.voucher_no}的这笔记录已经与对账单的另一行匹配")
    if (line.income_fen, line.expense_fen) != (row.income_fen, row.expense_fen):
        raise LedgerError("金额或收付方向不一致，不能匹配")
    try:
        with transaction.atomic():
            match = Match.objects.create(row=row, line_id=line.pk, confirmed=True, by=user)
    except IntegrityError:
        raise LedgerError("这笔记录刚刚已被匹配，请刷新后重试") from None
    audit.record(
        AuditEvent.Action.BANK_MATCHED,
        user=user,
        union=year.union,
        obj=row.statement,
        summary=f"手工匹配：对账单第{row.position}行 {row.date} {fen_to_decimal(row.income_fen or row.expense_fen)} ↔ {line.voucher_no}",
        changes={"row": row.pk, "line": line.pk},
    )
    return match


@transaction.atomic
def unmatch(*, year: AccountingYear, user: AbstractBaseUser, row: StatementRow) -> None:
    match = (
        Match.objects.select_related("row__statement", "line__voucher")
        .filter(row=row, row__statement__year=year)
        .first()
    )
    if match is None:
        raise LedgerError("这笔对账单明细没有匹配")
    label = f"对账单第{match.row.position}行 ↔ {match.line.voucher.voucher_no}"
    match.delete()
    audit.record(
        AuditEvent.Action.BANK_MATCHED,
        user=user,
        union=year.union,
        obj=match.row.statement,
        summary=f"取消匹配：{label}",
        changes={"row": row.pk},
    )


# --- the cash count ------------------------------------------------------------------------------------


def _pieces(pieces: dict[str, int]) -> tuple[dict[str, int], int]:
    clean, total = {}, 0
    for denomination in DENOMINATIONS:
        count = pieces.get(denomination) or 0
        if not isinstance(count, int) or count < 0 or count > 1_000_000:
            raise LedgerError(f"{denomination}元的张（枚）数不正确")
        if count:
            clean[denomination] = count
            total += int(Decimal(denomination) * 100) * count
    unknown = set(pieces) - set(DENOMINATIONS)
    if unknown:
        raise LedgerError(f"没有这种券别：{'、'.join(sorted(unknown))}")
    return clean, total


@transaction.atomic
def record_cash_count(
    *,
    year: AccountingYear,
    user: AbstractBaseUser,
    date: datetime.date,
    pieces: dict[str, int],
    witness: str,
    explanation: str = "",
) -> CashCount:
    """现金盘点 at ``date``: the count by denomination against the cash journal's balance that day."""
    if date.year != year.year:
        raise LedgerError(f"盘点日期应在{year.year}年度内")
    witness = (witness or "").strip()[:50]
    if not witness:
        raise LedgerError("请填写监盘人")
    if witness == user.get_full_name() or witness == user.get_username():
        raise LedgerError("监盘人不能是盘点人本人")
    clean, counted = _pieces(pieces)
    book = int(queries.cash_balance(year, date) * 100)
    explanation = (explanation or "").strip()
    if len(explanation) > 1000:
        raise LedgerError("差异说明不能超过1000字")
    if counted != book and not explanation:
        kind = "长款" if counted > book else "短款"
        raise LedgerError(
            f"实存{fen_to_decimal(counted)}元与账存{fen_to_decimal(book)}元不符（{kind}{fen_to_decimal(abs(counted - book))}元），请填写差异说明"
        )
    count = CashCount.objects.create(
        year=year,
        date=date,
        pieces=clean,
        counted_fen=counted,
        book_fen=book,
        explanation=explanation,
        counted_by=user,
        witness=witness,
    )
    difference = fen_to_decimal(counted - book)
    audit.record(
        AuditEvent.Action.CASH_COUNTED,
        user=user,
        union=year.union,
        obj=count,
        summary=f"{date:%Y-%m-%d} 现金盘点：实存{fen_to_decimal(counted)}元，账存{fen_to_decimal(book)}元"
        + ("，相符" if difference == ZERO else f"，{'长款' if difference > 0 else '短款'}{abs(difference)}元")
        + f"，监盘人{witness}",
    )
    return count
