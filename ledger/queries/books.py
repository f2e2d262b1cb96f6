"""Reads of the books as the treasurer and the auditor page through them: 日记账 and 明细账 with a running
balance, the voucher list, the accounts a voucher may use, every line of a year for the workbook, and the
state of the books a cached report depends on. Each is a fixed number of queries.
"""

import calendar
import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.core.paginator import Page, Paginator
from django.db.models import (
    BigIntegerField,
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from ledger.charts import facts_for
from ledger.models import Account, AccountingYear, Attachment, Voucher, VoucherLine, voucher_no
from ledger.money import ZERO, fen_to_decimal
from ledger.queries.balances import (
    Balance,
    day_period,
    day_sum,
    day_totals,
    directed,
    fen,
    fen_sum,
    period,
    posted_lines,
    subtree,
    year_accounts,
)

JOURNAL_PAGE_SIZE = 100


@dataclass(frozen=True, order=True)
class LineKey:
    """Where a line stands in a book: (date, 凭证号, line id). Pages within a month are keyed on it, never
    on an OFFSET, so the last page of a month costs what the first does."""

    date: datetime.date
    number: int
    line_id: int

    def __str__(self) -> str:
        return f"{self.date.isoformat()}.{self.number}.{self.line_id}"

    @classmethod
    def parse(cls, text: str) -> "LineKey":
        """From ``str(key)``; ValueError for anything else."""
        date, number, line_id = text.split(".")
        key = cls(datetime.date.fromisoformat(date), int(number), int(line_id))
        if not (0 < key.number < 2**31 and 0 < key.line_id < 2**63):  # what the columns can hold
            raise ValueError(text)
        return key

    def before(self) -> Q:
        """The lines that come before this key in the book. (The plain date bound lets the database start
        its index range at the key instead of filtering the month up to it.)"""
        return Q(voucher__date__lte=self.date) & (
            Q(voucher__date__lt=self.date)
            | Q(voucher__date=self.date, voucher__number__lt=self.number)
            | Q(voucher__date=self.date, voucher__number=self.number, pk__lt=self.line_id)
        )

    def after(self) -> Q:
        return Q(voucher__date__gte=self.date) & (
            Q(voucher__date__gt=self.date)
            | Q(voucher__date=self.date, voucher__number__gt=self.number)
            | Q(voucher__date=self.date, voucher__number=self.number, pk__gt=self.line_id)
        )


VoucherState = Voucher.State  # for the pages, which never import a model


@dataclass(frozen=True)
class JournalLine:
    """One line of a 日记账 or 明细账 as the paper book prints it, with the balance after it.

    ``debit`` and ``credit`` are negative on a 红字 line (a reversal repeats the original's sides with
    negative amounts), so the month's totals net out; ``balance`` is a direction and a positive amount.
    """

    line_id: int
    voucher_id: int
    number: int
    date: datetime.date
    summary: str
    counterparty: str
    kind: str
    account_code: str
    account_name: str
    memo: str
    debit: Decimal
    credit: Decimal
    other_accounts: str
    balance: Balance
    branch: str = ""  # the 分会 of the line (辅助核算), if it is marked with one

    @property
    def voucher_no(self) -> str:
        return voucher_no(self.number)

    @property
    def key(self) -> LineKey:
        return LineKey(self.date, self.number, self.line_id)

    @property
    def is_red(self) -> bool:
        return self.debit < 0 or self.credit < 0

    @property
    def text(self) -> str:
        """摘要 as printed: the line's own memo, else the voucher's."""
        return self.memo or self.summary


@dataclass(frozen=True)
class Totals:
    """借方 and 贷方 over a stretch of the book (本月合计, 本年累计), with the balance at its end."""

    debit: Decimal
    credit: Decimal
    balance: Balance


@dataclass(frozen=True)
class JournalPage:
    """One page of a 日记账 or 明细账: a month, or part of a month when the month holds many lines.

    ``opening`` is the balance before the page: 上年结转 (January's first page), 上月结转 (another month's
    first page) or 承前页 (a later page of the month). ``month_total`` and ``year_total`` (本月合计,
    本年累计) are on the page that ends the month, else None.
    """

    account: Account
    year: int
    month: int
    opening_label: str
    opening: Balance
    lines: list[JournalLine]
    month_total: Totals | None
    year_total: Totals | None
    page: int
    pages: int
    previous: LineKey | None  # the page before ends just before this key (?before=)
    next: LineKey | None  # the page after starts just after this key (?after=)

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, self.month, 1)

    @property
    def last_day(self) -> datetime.date:
        return datetime.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])


def _in_book(year: AccountingYear, account: Account) -> QuerySet[VoucherLine]:
    """The posted lines of ``account`` and its 明细科目 in the year, the 期初余额 voucher left out.

    Filtered by the account's code, not by ``subtree``'s ids as the sums over the per-day totals are: a page reads at
    most a page of lines from a key, and the planner must walk the vouchers' (year, date) index from the key. Given
    the ids it expects a fair share of the lines per account and reads every line of the account by its index
    instead (measured at a million lines: 0.8–1.3 s for December's bank page, against 2–25 ms).
    """
    opening, _ = period(None, None, include_closing=True)
    return posted_lines(year).filter(account__code__startswith=account.code).exclude(opening)


def _month_bounds(year: AccountingYear, month: int) -> tuple[datetime.date, datetime.date]:
    last = calendar.monthrange(year.year, month)[1]
    return datetime.date(year.year, month, 1), datetime.date(year.year, month, last)


def _page_rows(
    year: AccountingYear,
    account: Account,
    *,
    first: datetime.date,
    last: datetime.date,
    after: LineKey | None = None,
    before: LineKey | None = None,
    from_end: bool = False,
    limit: int,
) -> list[tuple]:
    """Up to ``limit`` lines between ``first`` and ``last`` in book order, after or before a key. One query.

    ``from_end`` (or ``before``) reads backwards from the end (by the same index) and returns the rows in
    book order: the month's last page costs what its first does.
    """
    rows = _in_book(year, account).filter(voucher__date__gte=first, voucher__date__lte=last)
    if after:
        rows = rows.filter(after.after())
    if before:
        rows = rows.filter(before.before())
    order = ["voucher__date", "voucher__number", "id"]
    backwards = from_end or before is not None
    if backwards:
        order = [f"-{name}" for name in order]
    found = list(
        rows.annotate(debit_fen=fen("debit"), credit_fen=fen("credit"))
        .order_by(*order)
        .values_list(
            "id",
            "voucher_id",
            "voucher__number",
            "voucher__date",
            "voucher__summary",
            "voucher__counterparty",
            "voucher__kind",
            "account__code",
            "account__name",
            "memo",
            "debit_fen",
            "credit_fen",
            "branch__name",
        )[:limit]
    )
    return found[::-1] if backwards else found


def other_accounts(account: Account, voucher_ids: list[int]) -> dict[int, str]:
    """对方科目 of each voucher, as Chinese books print it: the one other account's name, or the first
    name + "等" when there are several. One query over these vouchers' lines only."""
    if not voucher_ids:
        return {}
    names: dict[int, list[str]] = {}
    rows = (
        VoucherLine.objects.filter(voucher_id__in=voucher_ids)
        .exclude(account__code__startswith=account.code)
        .order_by("voucher_id", "position")
        .values_list("voucher_id", "account__name")
    )
    for voucher_id, name in rows:
        seen = names.setdefault(voucher_id, [])
        if name not in seen:
            seen.append(name)
    return {voucher_id: seen[0] + ("等" if len(seen) > 1 else "") for voucher_id, seen in names.items()}


def lines_with_balances(rows: list[tuple], opening: Decimal, others: dict[int, str]) -> list[JournalLine]:
    """The page's lines with the balance after each (借 minus 贷, from ``opening``): a bounded page."""
    lines = []
    balance = opening
    for (
        line_id,
        voucher_id,
        number,
        date,
        summary,
        counterparty,
        kind,
        code,
        name,
        memo,
        debit_fen,
        credit_fen,
        branch,
    ) in rows:
        debit, credit = fen_to_decimal(debit_fen), fen_to_decimal(credit_fen)
        balance += debit - credit
        lines.append(
            JournalLine(
                line_id=line_id,
                voucher_id=voucher_id,
                number=number,
                date=date,
                summary=summary,
                counterparty=counterparty,
                kind=kind,
                account_code=code,
                account_name=name,
                memo=memo,
                debit=debit,
                credit=credit,
                other_accounts=others.get(voucher_id, ""),
                balance=directed(balance),
                branch=branch or "",
            )
        )
    return lines


@dataclass(frozen=True)
class _BookTotals:
    """What one aggregate over the book up to a month's end gives, in 分, 借 minus 贷 for balances."""

    year_opening: int  # the 期初余额 voucher: 上年结转
    before_month: int  # everything before the month, 上年结转 included
    ytd_debit: int  # 本年累计 up to the month's end
    ytd_credit: int
    month_debit: int
    month_credit: int
    month_lines: int
    before_page: int  # the month's lines before the page's first line, 借 minus 贷
    before_page_lines: int


def book_totals(
    year: AccountingYear, account: Account, month: int, page_start: LineKey | None = None
) -> _BookTotals:
    """The balance before a month (and before a page inside it), the month's totals and 本年累计, and how many
    lines the month and the part of it before the page hold. Neither of its queries grows with the year:

    - the per-day totals of the account and its 明细科目 up to the month's end (≤ 366 rows an account): 上年结转,
      before the month, the month, 本年累计, the days of the month before the page's first day, and their lines;
    - with ``page_start``, the lines of that one day before it (the book's own rows, as ``_page_rows`` reads them).

    What counts as 上年结转 (the opening voucher and its reversals) is ``day_period``'s rule, as everywhere else.
    """
    first, last = _month_bounds(year, month)
    opening, _ = day_period(None, last, include_closing=True)
    before, inside = day_period(first, last, include_closing=True)
    _, to_month_end = day_period(None, last, include_closing=True)
    sums = {
        "open_d": day_sum("debit_fen", opening),
        "open_c": day_sum("credit_fen", opening),
        "before_d": day_sum("debit_fen", before),
        "before_c": day_sum("credit_fen", before),
        "month_d": day_sum("debit_fen", inside),
        "month_c": day_sum("credit_fen", inside),
        "month_n": day_sum("line_count", inside),
        "ytd_d": day_sum("debit_fen", to_month_end),
        "ytd_c": day_sum("credit_fen", to_month_end),
    }
    if page_start is not None and page_start.date > first:
        _, earlier_days = day_period(
            first, page_start.date - datetime.timedelta(days=1), include_closing=True
        )
        sums |= {
            "page_d": day_sum("debit_fen", earlier_days),
            "page_c": day_sum("credit_fen", earlier_days),
            "page_n": day_sum("line_count", earlier_days),
        }
    days = day_totals(year).filter(account_id__in=subtree(year, account), date__lte=last).aggregate(**sums)
    same_day = {"day_d": 0, "day_c": 0, "day_n": 0}
    if page_start is not None:
        same_day = (
            _in_book(year, account)
            .filter(page_start.before(), voucher__date=page_start.date)
            .aggregate(day_d=fen_sum("debit"), day_c=fen_sum("credit"), day_n=Count("id"))
        )
    return _BookTotals(
        year_opening=days["open_d"] - days["open_c"],
        before_month=days["before_d"] - days["before_c"],
        ytd_debit=days["ytd_d"],
        ytd_credit=days["ytd_c"],
        month_debit=days["month_d"],
        month_credit=days["month_c"],
        month_lines=days["month_n"],
        before_page=days.get("page_d", 0) - days.get("page_c", 0) + same_day["day_d"] - same_day["day_c"],
        before_page_lines=days.get("page_n", 0) + same_day["day_n"],
    )


def latest_month(year: AccountingYear) -> int:
    """The month of the year's latest posted voucher (January for an empty year): a book opens there. One
    query, read backwards along the (year, date) index."""
    latest = (
        Voucher.objects.filter(year=year, state=Voucher.State.POSTED)
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )
    return latest.month if latest else 1


def journal_page(
    *,
    year: AccountingYear,
    account: Account,
    month: int,
    after: LineKey | None = None,
    before: LineKey | None = None,
    last: bool = False,
    size: int = JOURNAL_PAGE_SIZE,
) -> JournalPage:
    """A page of the 日记账 / 明细账 of ``account`` (and its 明细科目) in ``month``: four queries, whatever
    the number of vouchers — the page's lines (by key, never OFFSET), ``book_totals`` (the balance before the
    page, 本月合计, 本年累计 and the month's line count from the per-day totals; the page's first day up to it
    from its lines), and 对方科目 for the page's vouchers only.

    Without a key the page is the month's first (``last``: its last). Balances are 借 minus 贷 shown as a
    direction and a positive amount.
    """
    first, end = _month_bounds(year, month)
    rows = _page_rows(
        year, account, first=first, last=end, after=after, before=before, from_end=last, limit=size
    )
    start_key = LineKey(rows[0][3], rows[0][2], rows[0][0]) if rows else None
    totals = book_totals(year, account, month, start_key)
    others = other_accounts(account, sorted({row[1] for row in rows}))
    opening = totals.before_month + totals.before_page
    lines = lines_with_balances(rows, fen_to_decimal(opening), others)
    shown = totals.before_page_lines + len(lines)
    ends_month = shown >= totals.month_lines
    if totals.before_page_lines:
        label = "承前页"
    else:
        label = "上年结转" if month == 1 else "上月结转"
    closing = directed(fen_to_decimal(totals.before_month + totals.month_debit - totals.month_credit))
    return JournalPage(
        account=account,
        year=year.year,
        month=month,
        opening_label=label,
        opening=directed(fen_to_decimal(opening)),
        lines=lines,
        month_total=(
            Totals(fen_to_decimal(totals.month_debit), fen_to_decimal(totals.month_credit), closing)
            if ends_month
            else None
        ),
        year_total=(
            Totals(fen_to_decimal(totals.ytd_debit), fen_to_decimal(totals.ytd_credit), closing)
            if ends_month
            else None
        ),
        page=-(-totals.before_page_lines // size) + 1 if totals.before_page_lines else 1,
        pages=max(1, -(-totals.month_lines // size)),
        previous=start_key if totals.before_page_lines else None,
        next=lines[-1].key if lines and not ends_month else None,
    )


@dataclass(frozen=True)
class MonthEnd:
    """The 本月合计 and 本年累计 rows that close a month of a book."""

    month: int
    month_total: Totals
    year_total: Totals


@dataclass(frozen=True)
class JournalBook:
    """A 日记账 / 明细账 over whole months for the workbook: the opening, then ``rows`` — each month's lines
    (``JournalLine``) followed by its ``MonthEnd`` — streamed from the database a chunk at a time."""

    account: Account
    year: int
    first_month: int
    last_month: int
    opening_label: str
    opening: Balance
    opening_ytd_debit: Decimal  # 本年累计 before the first month (to start the 本年累计 rows)
    opening_ytd_credit: Decimal
    rows: Iterator["JournalLine | MonthEnd"]


def journal_book(
    *, year: AccountingYear, account: Account, first_month: int, last_month: int, chunk: int = 2000
) -> JournalBook:
    """The book from ``first_month`` to ``last_month``: ``book_totals`` (two queries), then two per ``chunk`` lines
    (keyed, as the pages are), so memory stays flat however long the year."""
    totals = book_totals(year, account, first_month)
    before_ytd_debit = totals.ytd_debit - totals.month_debit
    before_ytd_credit = totals.ytd_credit - totals.month_credit

    def rows() -> Iterator[JournalLine | MonthEnd]:
        balance = fen_to_decimal(totals.before_month)
        ytd_debit, ytd_credit = fen_to_decimal(before_ytd_debit), fen_to_decimal(before_ytd_credit)
        start, _ = _month_bounds(year, first_month)
        _, end = _month_bounds(year, last_month)
        month = first_month
        month_debit = month_credit = ZERO

        def close(month: int) -> MonthEnd:
            return MonthEnd(
                month,
                Totals(month_debit, month_credit, directed(balance)),
                Totals(ytd_debit, ytd_credit, directed(balance)),
            )

        after = None
        while True:
            found = _page_rows(year, account, first=start, last=end, after=after, limit=chunk)
            others = other_accounts(account, sorted({row[1] for row in found}))
            for line in lines_with_balances(found, balance, others):
                while line.date.month > month:
                    yield close(month)
                    month, month_debit, month_credit = month + 1, ZERO, ZERO
                month_debit += line.debit
                month_credit += line.credit
                ytd_debit += line.debit
                ytd_credit += line.credit
                balance = line.balance.signed
                yield line
            if len(found) < chunk:
                break
            after = LineKey(found[-1][3], found[-1][2], found[-1][0])
        while month <= last_month:
            yield close(month)
            month, month_debit, month_credit = month + 1, ZERO, ZERO

    opening = totals.before_month
    return JournalBook(
        account=account,
        year=year.year,
        first_month=first_month,
        last_month=last_month,
        opening_label="上年结转" if first_month == 1 else "上月结转",
        opening=directed(fen_to_decimal(opening)),
        opening_ytd_debit=fen_to_decimal(before_ytd_debit),
        opening_ytd_credit=fen_to_decimal(before_ytd_credit),
        rows=rows(),
    )


def voucher_totals(voucher: str = "pk") -> Subquery:
    """A voucher's 借方合计 in 分, to annotate a voucher list in the same query (no query per voucher).
    ``voucher`` names the outer query's voucher id (``"voucher_id"`` when annotating rows that point at one)."""
    return Subquery(
        VoucherLine.objects.filter(voucher=OuterRef(voucher))
        .values("voucher")
        .annotate(total=fen_sum("debit"))
        .values("total")[:1],
        output_field=BigIntegerField(),
    )


def postable_accounts(*, year: AccountingYear, types: list[str] | None = None) -> QuerySet[Account]:
    """The active accounts a voucher line of this year may use (leaves only: no active 明细科目 below).

    Leaves are what the treasurer posts to; a parent's figures are the sum of its 明细科目.
    """
    children = Account.objects.filter(parent=OuterRef("pk"), is_active=True).filter(
        Q(union__isnull=True) | Q(union_id=year.union_id)
    )
    accounts = year_accounts(year).filter(is_active=True).exclude(Exists(children)).select_related("parent")
    return accounts.filter(type__in=types) if types else accounts


def vouchers(
    *,
    year: AccountingYear,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    accounts: list[Account] | tuple = (),
    min_amount: Decimal | None = None,
    max_amount: Decimal | None = None,
    text: str = "",
    states: tuple[str, ...] = (Voucher.State.POSTED,),
    scans_differ: bool = False,
) -> QuerySet[Voucher]:
    """The year's vouchers in ``states`` (posted by default) by date, then 凭证号, filtered, each annotated
    with ``total_fen`` (借方合计, 分) and ``scan_count`` (attached scans) in the same query; lines and their
    accounts come in one more.

    Each of ``accounts`` must be matched by a line of the voucher on that account or one of its 明细科目.
    ``scans_differ`` keeps the vouchers whose 附单据数 is not the number of scans attached.
    """
    scans = (
        Attachment.objects.filter(voucher=OuterRef("pk"))
        .values("voucher")
        .annotate(n=Count("id"))
        .values("n")[:1]
    )
    result = (
        Voucher.objects.filter(year=year)
        .annotate(
            total_fen=Coalesce(voucher_totals(), Value(0), output_field=BigIntegerField()),
            scan_count=Coalesce(Subquery(scans, output_field=BigIntegerField()), Value(0)),
        )
        .select_related("year", "reverses__year", "reversed_by__year", "prepared_by", "reviewed_by")
        .prefetch_related(
            Prefetch(
                "lines", queryset=VoucherLine.objects.select_related("account", "branch").order_by("position")
            )
        )
        .order_by(F("month").asc(nulls_last=True), "date", "number", "id")
    )
    if set(states) != set(Voucher.State.values):
        # Every state is the list's default: no condition then, so that its count reads only the (year, date)
        # index (at 500,000 vouchers a year, the state condition made it read the table: 110 ms a page).
        result = result.filter(state__in=states)
    if start:
        result = result.filter(date__gte=start)
    if end:
        result = result.filter(date__lte=end)
    for account in accounts:
        result = result.filter(
            Exists(VoucherLine.objects.filter(voucher=OuterRef("pk"), account__code__startswith=account.code))
        )
    if min_amount is not None:
        result = result.filter(total_fen__gte=int(min_amount * 100))
    if max_amount is not None:
        result = result.filter(total_fen__lte=int(max_amount * 100))
    if text:
        result = result.filter(Q(summary__icontains=text) | Q(counterparty__icontains=text))
    if scans_differ:
        result = result.exclude(attachment_count=F("scan_count"))
    return result


class JournalRow(NamedTuple):
    """One posted voucher line of the year, as the 明细账 sheet of the workbook prints it."""

    date: datetime.date
    number: int
    kind: str
    summary: str
    memo: str
    code: str
    name: str
    debit: Decimal
    credit: Decimal

    @property
    def voucher_no(self) -> str:
        return voucher_no(self.number)

    @property
    def kind_label(self) -> str:
        return Voucher.Kind(self.kind).label


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
    """What a figure of this year depends on in the books of this year and the previous one. Two queries.

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


def with_totals(found) -> list[Voucher]:
    """Vouchers from ``vouchers()`` as a list, each with its 借方合计 as ``total`` (元)."""
    rows = list(found)
    for voucher in rows:
        voucher.total = fen_to_decimal(voucher.total_fen)
    return rows


@dataclass(frozen=True)
class VoucherLines:
    """A voucher's lines in order, with its 借方合计 and 贷方合计."""

    lines: list[VoucherLine]
    debit: Decimal
    credit: Decimal


def voucher_lines(voucher: Voucher) -> VoucherLines:
    """One query."""
    lines = list(voucher.lines.select_related("account__parent", "branch").order_by("position"))
    return VoucherLines(
        lines=lines,
        debit=sum((line.debit.amount for line in lines), ZERO),
        credit=sum((line.credit.amount for line in lines), ZERO),
    )


def sub_account_suggestions(year: AccountingYear, parents: list[Account]) -> list[tuple[Account, str]]:
    """The chart's common 明细科目 (from its data file) that the union has not added yet, with their parents."""
    by_code = {account.code: account for account in parents}
    taken = {(account.parent_id, account.name) for account in parents}
    return [
        (by_code[code], name)
        for code, name in facts_for(year.chart).suggested_sub_accounts
        if code in by_code and (by_code[code].pk, name) not in taken
    ]


def scans(year: AccountingYear) -> QuerySet[Attachment]:
    """The scans attached to the year's vouchers (a scan is looked up only within its year)."""
    return Attachment.objects.filter(voucher__year=year)


def voucher_in(year: AccountingYear) -> QuerySet[Voucher]:
    """The year's vouchers, with what a voucher's page shows of its people and its reversal."""
    return Voucher.objects.select_related(
        "year__union",
        "year__chart",
        "prepared_by",
        "reviewed_by",
        "cashier_signed_by",
        "posted_by",
        "reverses__year",
        "reversed_by__year",
        "allocation_out__branch_voucher__year__union",
        "allocation_in__parent_voucher__year__union",
    ).filter(year=year)


class VoucherPaginator(Paginator):
    """Pages of the voucher list that read from the nearer end: the last page is the list read backwards
    from its start (OFFSET 0), not an OFFSET over the whole year. The list must be ordered."""

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        if top + self.orphans >= self.count:
            top = self.count
        if bottom <= self.count - top or not isinstance(self.object_list, QuerySet):
            return self._get_page(self.object_list[bottom:top], number, self)
        backwards = self.object_list.reverse()[self.count - top : self.count - bottom]
        return self._get_page(list(backwards)[::-1], number, self)
