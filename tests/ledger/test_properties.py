"""Property-based tests: whatever comes in, money stays exact, errors are Chinese and the books unchanged."""

import calendar
import datetime
from dataclasses import asdict, dataclass
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ledger import queries, services
from ledger.errors import AmountError, LedgerError, NegativeBalance
from ledger.models import VoucherLine
from ledger.money import amount_in_words, parse_amount_input, to_decimal
from ledger.queries.balances import leaf_sums
from tests.conftest import settle_year_end, snapshot

FAST = settings(max_examples=300, deadline=None, database=None)
DB = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

hostile_text = st.one_of(
    st.text(),
    st.text(alphabet="0123456789.,¥￥ -+eE"),
    st.sampled_from(
        [
            "NaN",
            "Infinity",
            "-0",
            "1e3",
            "１２３.４５",
            "一百元",
            "壹佰元整",
            "1,23",
            "0.001",
            "9" * 40,
            "¥",
            "",
            " ",
        ]
    ),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


@FAST
@given(hostile_text)
def test_parse_amount_input_is_exact_or_refuses_in_chinese(text):
    try:
        amount = parse_amount_input(text)
    except AmountError as error:
        assert has_chinese(error.message)
    else:
        assert amount > 0 and amount.as_tuple().exponent == -2
        assert Decimal(text.strip().lstrip("¥￥").strip().replace(",", "")) == amount


@FAST
@given(
    st.one_of(
        st.floats(allow_nan=True),
        st.decimals(allow_nan=True, allow_infinity=True),
        st.integers(),
        st.text(),
        st.none(),
        st.booleans(),
    )
)
def test_to_decimal_never_rounds(value):
    try:
        amount = to_decimal(value)
    except AmountError as error:
        assert has_chinese(error.message)
    else:
        assert not isinstance(value, float)
        assert amount == Decimal(str(value) if not isinstance(value, Decimal) else value)


DIGITS = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
UNITS = {"拾": 10, "佰": 100, "仟": 1000}


def words_to_fen(words: str) -> int:
    """A reader of 大写金额, written independently of the writer, for the round trip."""
    negative = words.startswith("负")
    words = words.removeprefix("负").removesuffix("整")
    yuan_part, _, small = words.partition("元") if "元" in words else ("", "", words)
    total = section = number = 0
    for char in yuan_part:
        if char in DIGITS:
            number = DIGITS[char]
        elif char in UNITS:
            section += number * UNITS[char]
            number = 0
        elif char == "万":
            total += (section + number) * 10_000
            section = number = 0
        elif char == "亿":
            total = (total + section + number) * 100_000_000
            section = number = 0
    yuan = total + section + number
    jiao = DIGITS[small[small.index("角") - 1]] if "角" in small else 0
    fen = DIGITS[small[small.index("分") - 1]] if "分" in small else 0
    value = yuan * 100 + jiao * 10 + fen
    return -value if negative else value


@FAST
@given(st.integers(min_value=-99_999_999_999_999, max_value=99_999_999_999_999))
def test_amount_in_words_round_trips(fen):
    amount = Decimal(fen) / 100
    words = amount_in_words(amount)
    assert words_to_fen(words) == fen
    assert words.endswith(("整", "分"))
    assert "零零" not in words and not words.startswith("零") or words == "零元整"


@pytest.fixture
def bank(year):
    return queries.year_accounts(year).get(code="102")


@DB
@given(
    amount=st.one_of(
        hostile_text, st.decimals(allow_nan=True, allow_infinity=True), st.floats(), st.integers()
    ),
    summary=st.text(max_size=250),
    day=st.dates(min_value=datetime.date(2011, 12, 1), max_value=datetime.date(2013, 1, 31)),
    into=st.sampled_from(["bank", "cash", "wallet", ""]),
)
def test_record_receipt_posts_exactly_or_changes_nothing(year, user, union, bank, amount, summary, day, into):
    before = snapshot()
    balance = queries.account_movement(year=year, account=bank).closing
    try:
        voucher = services.record_receipt(
            union=union, date=day, account="401", amount=amount, into=into, summary=summary, user=user
        )
    except LedgerError as error:
        assert has_chinese(error.message)
        assert snapshot() == before
    else:
        assert voucher.is_posted and day.year == 2012 and summary.strip()
        received = to_decimal(amount)
        assert received > 0
        if into == "bank":
            assert queries.account_movement(year=year, account=bank).closing == balance + received


MONEY = {"cash": "101", "bank": "102"}
money_postings = st.lists(
    st.tuples(
        st.sampled_from(["receipt", "payment", "voucher"]),
        st.dates(min_value=datetime.date(2012, 1, 1), max_value=datetime.date(2012, 12, 31)),
        st.integers(min_value=1, max_value=400_000),  # 分
        st.sampled_from(["cash", "bank"]),
    ),
    min_size=1,
    max_size=6,
)


def lowest_end_of_day(movements: list[tuple[datetime.date, str, int]]) -> dict[str, int]:
    """The lowest end-of-day balance of each money account, recomputed from the movements alone."""
    lowest = {}
    for account in MONEY:
        days = sorted({day for day, which, _ in movements if which == account})
        lowest[account] = min(
            (sum(fen for day, which, fen in movements if which == account and day <= end) for end in days),
            default=0,
        )
    return lowest


def posted_movements(year) -> list[tuple[datetime.date, str, int]]:
    rows = VoucherLine.objects.filter(
        voucher__year=year, voucher__state="posted", account__code__in=MONEY.values()
    ).values_list("voucher__date", "account__code", "debit", "credit")
    account_of = {code: account for account, code in MONEY.items()}
    return [(day, account_of[code], int((debit - credit) * 100)) for day, code, debit, credit in rows]


@settings(DB, max_examples=40)
@given(postings=money_postings)
def test_back_dated_payments_and_vouchers_never_leave_cash_or_bank_below_zero(year, user, union, postings):
    """Receipts, payments and cash↔bank vouchers on random days, in random order: a posting is refused exactly
    when some day from its date to 31 December would end below zero, and no day ever does."""
    movements = posted_movements(year)
    for kind, day, fen, via in postings:
        amount = Decimal(fen) / 100
        other = "bank" if via == "cash" else "cash"
        change = {
            "receipt": [(day, via, fen)],
            "payment": [(day, via, -fen)],
            "voucher": [(day, via, -fen), (day, other, fen)],
        }[kind]
        allowed = all(low >= 0 for low in lowest_end_of_day(movements + change).values())
        common = {"union": union, "date": day, "amount": amount, "summary": kind, "user": user}
        try:
            if kind == "receipt":
                services.record_receipt(account="401", into=via, **common)
            elif kind == "payment":
                services.record_payment(account="50102", via=via, **common)
            else:
                services.record_voucher(
                    year=year,
                    posted_by=user,
                    date=day,
                    summary="提现" if via == "bank" else "存现",
                    lines=[
                        services.Line(MONEY[other], debit=amount),
                        services.Line(MONEY[via], credit=amount),
                    ],
                )
        except NegativeBalance as error:
            assert not allowed and has_chinese(error.message)
        else:
            assert allowed
            movements += change
    assert sorted(posted_movements(year)) == sorted(movements)
    assert all(low >= 0 for low in lowest_end_of_day(posted_movements(year)).values())
    assert queries.year_checks(year)[-1].ok is True


# --- the per-day totals always equal the lines --------------------------------------------------------------

# Any day of the year, or one of two days that many postings share (a page may start inside a day; 31 December also
# holds the reversals below and the closing voucher).
ledger_days = st.one_of(
    st.dates(min_value=datetime.date(2012, 1, 1), max_value=datetime.date(2012, 12, 31)),
    st.sampled_from([datetime.date(2012, 3, 15), datetime.date(2012, 12, 31)]),
)

ledger_steps = st.lists(
    st.one_of(
        st.tuples(
            st.sampled_from(["receipt", "payment"]),
            ledger_days,
            st.integers(min_value=1, max_value=300_000),  # 分
            st.sampled_from(["cash", "bank"]),
            st.sampled_from(["50101", "50102", "50205", "401", "402"]),
        ),
        st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=20)),
        st.tuples(st.just("close_and_reopen")),
        st.tuples(st.just("close")),
    ),
    min_size=1,
    max_size=12,
)


def _lines_recomputed(year) -> dict[str, tuple[Decimal, Decimal, Decimal]]:
    """Each account's own (opening, 借, 贷) of ``year``, summed in Python line by line (the period rule's opening:
    the opening voucher and its reversals)."""
    found: dict[str, list[Decimal]] = {}
    for line in VoucherLine.objects.filter(voucher__year=year, voucher__state="posted").select_related(
        "account", "voucher__reverses"
    ):
        voucher = line.voucher
        opening = voucher.kind == "opening" or (
            voucher.reverses is not None and voucher.reverses.kind == "opening"
        )
        row = found.setdefault(line.account.code, [Decimal("0.00")] * 3)
        if opening:
            row[0] += line.debit.amount - line.credit.amount
        else:
            row[1] += line.debit.amount
            row[2] += line.credit.amount
    return {code: tuple(values) for code, values in found.items()}


_examples = iter(range(1_000_000))


MARCH_15, DECEMBER_31 = datetime.date(2012, 3, 15), datetime.date(2012, 12, 31)


@settings(DB, max_examples=25)
@given(steps=ledger_steps)
# Always tried as well: pages that start inside a busy day (several lines of cash, bank and 501 on one day, 红字 ones
# among them), the closing voucher and its reversal, the next year's opening voucher and its reversal.
@example(
    steps=[
        ("receipt", MARCH_15, 12_345, "cash", "401"),
        ("payment", MARCH_15, 2_001, "cash", "50101"),
        ("receipt", MARCH_15, 30_000, "bank", "402"),
        ("payment", MARCH_15, 999, "bank", "50102"),
        ("payment", MARCH_15, 5_000, "cash", "50101"),
        ("reverse", 1),
        ("receipt", DECEMBER_31, 700, "cash", "401"),
        ("reverse", 2),
        ("close_and_reopen",),
        ("payment", DECEMBER_31, 100, "cash", "50205"),
        ("close",),
    ]
)
def test_day_totals_equal_the_lines_after_postings_reversals_closing_and_reopening(db, user, steps):
    """Receipts, payments, 冲销 (through ``reverse_voucher``, whatever side it books), 结账 and 反结账 in random
    order: the per-day totals are what the lines say, to the 分, and every balance read from them is too."""
    from django.contrib.auth import get_user_model

    from ledger import totals
    from ledger.models import AccountingYear, Union

    n = next(_examples)
    # Posted at once (no review step): what is summed must be posted.
    union = Union.objects.create(name=f"性质测试工会{n}", slug=f"property-{n}", review_required=False)
    admin = get_user_model().objects.create_superuser(f"property-admin-{n}", password="pw-unionledger-1")
    year = services.open_year(union=union, year=2012)
    services.record_opening_balances(
        year=year, balances={"101": "1000.00", "102": "9000.00", "331": "10000.00"}, user=user
    )
    posted = []
    for step in steps:
        year.refresh_from_db()
        try:
            if step[0] in ("receipt", "payment"):
                kind, day, fen, via, account = step
                common = {
                    "union": union,
                    "date": day,
                    "amount": Decimal(fen) / 100,
                    "summary": kind,
                    "user": user,
                }
                if kind == "receipt":
                    posted.append(services.record_receipt(account=account, into=via, **common))
                else:
                    posted.append(services.record_payment(account=account, via=via, **common))
            elif step[0] == "reverse" and posted:
                services.reverse_voucher(
                    voucher=posted[step[1] % len(posted)],
                    user=user,
                    reason="性质测试",
                    date=datetime.date(2012, 12, 31),
                )
            elif step[0] == "close_and_reopen" and not year.is_closed:
                settle_year_end(year, user)
                services.close_year(year=year, user=user)
                services.reopen_year(year=year, user=admin, reason="性质测试")
            elif step[0] == "close" and not year.is_closed:
                settle_year_end(year, user)
                services.close_year(year=year, user=user)
        except LedgerError as error:
            assert has_chinese(error.message)
    assert totals.differences() == []
    for each in AccountingYear.objects.filter(union=union):
        leaves = {
            leaf.account.code: (leaf.opening_debit, leaf.debit, leaf.credit)
            for leaf in queries.leaf_balances(year=each)
        }
        assert leaves == _lines_recomputed(each)
        _assert_book_aggregates_equal_the_lines(each)


# --- the books' aggregates, read from the per-day totals, equal the lines ----------------------------------------


@dataclass(frozen=True)
class _Line:
    code: str
    date: datetime.date
    number: int
    line_id: int
    debit: int  # 分, negative on a 红字 line
    credit: int
    part: str  # the period rule's place, decided here from the voucher and what it reverses


def _posted_lines(year) -> list[_Line]:
    found = []
    for line in VoucherLine.objects.filter(voucher__year=year, voucher__state="posted").select_related(
        "account", "voucher__reverses"
    ):
        voucher = line.voucher
        kinds = {voucher.kind, voucher.reverses.kind if voucher.reverses is not None else None}
        part = "opening" if "opening" in kinds else "closing" if "closing" in kinds else "normal"
        found.append(
            _Line(
                line.account.code,
                voucher.date,
                voucher.number,
                line.pk,
                int(line.debit.amount * 100),
                int(line.credit.amount * 100),
                part,
            )
        )
    return found


def _book_totals_from_lines(lines: list[_Line], year: int, code: str, month: int, key) -> dict[str, int]:
    """What ``book_totals`` summed from the lines before the per-day totals: the same figures, line by line."""
    first = datetime.date(year, month, 1)
    last = first.replace(day=calendar.monthrange(year, month)[1])
    mine = [line for line in lines if line.code.startswith(code) and line.date <= last]
    opening = [line for line in mine if line.part == "opening"]
    own = [line for line in mine if line.part != "opening"]
    month_lines = [line for line in own if line.date >= first]
    before_key = [line for line in month_lines if key and (line.date, line.number, line.line_id) < key]
    year_opening = sum(line.debit - line.credit for line in opening)
    return {
        "year_opening": year_opening,
        "before_month": year_opening + sum(line.debit - line.credit for line in own if line.date < first),
        "ytd_debit": sum(line.debit for line in own),
        "ytd_credit": sum(line.credit for line in own),
        "month_debit": sum(line.debit for line in month_lines),
        "month_credit": sum(line.credit for line in month_lines),
        "month_lines": len(month_lines),
        "before_page": sum(line.debit - line.credit for line in before_key),
        "before_page_lines": len(before_key),
    }


def _assert_book_aggregates_equal_the_lines(year) -> None:
    """``book_totals`` (balance before a month and a page, 本月合计, 本年累计), the 科目余额表's per-account sums
    and the 总账's months, all read from the per-day totals, equal the same figures summed line by line."""
    from ledger.queries.books import LineKey, book_totals

    lines = _posted_lines(year)
    accounts = {account.code: account for account in queries.year_accounts(year)}
    for code in ("101", "102", "331", "401", "501", "50101", "502"):
        account = accounts[code]
        mine = sorted(
            (line for line in lines if line.code.startswith(code)),
            key=lambda line: (line.date, line.number, line.line_id),
        )
        months = {1, 12} | {line.date.month for line in mine}
        for month in sorted(months):
            keys = [None] + [
                (line.date, line.number, line.line_id)
                for line in mine
                if line.date.month == month and line.part != "opening"
            ]
            for key in keys:
                found = book_totals(year, account, month, LineKey(*key) if key else None)
                assert asdict(found) == _book_totals_from_lines(lines, year.year, code, month, key), (
                    code,
                    month,
                    key,
                )

        ledger = queries.general_ledger(year=year, account=account)
        opening = sum(line.debit - line.credit for line in mine if line.part == "opening")
        balance, ytd, expected = opening, [0, 0], []
        for month in range(1, 13):
            own = [line for line in mine if line.part != "opening" and line.date.month == month]
            if not own:
                continue
            debit, credit = sum(line.debit for line in own), sum(line.credit for line in own)
            balance += debit - credit
            ytd = [ytd[0] + debit, ytd[1] + credit]
            expected.append((month, debit, credit, *ytd, balance))
        assert ledger.opening.signed * 100 == opening
        assert [
            (
                m.month,
                m.debit * 100,
                m.credit * 100,
                m.ytd_debit * 100,
                m.ytd_credit * 100,
                m.balance.signed * 100,
            )
            for m in ledger.months
        ] == expected

    ids = {account.pk: code for code, account in accounts.items()}
    for first_month, last_month in ((1, 12), (1, 1), (3, 5), (12, 12)):
        start, end = queries.month_span(year.year, first_month, last_month)
        for include_closing in (True, False):
            sums = leaf_sums(year, start, end, include_closing=include_closing, year_to_date=True)
            expected = {}
            for line in lines:
                if line.date > end:
                    continue
                row = expected.setdefault(line.code, [0] * 6)
                before = line.part == "opening" or line.date < start
                counted = include_closing or line.part != "closing"
                if before:
                    row[0] += line.debit
                    row[1] += line.credit
                elif counted:
                    row[2] += line.debit
                    row[3] += line.credit
                if line.part != "opening" and counted:
                    row[4] += line.debit
                    row[5] += line.credit
            assert {
                ids[pk]: [
                    row["before_debit"],
                    row["before_credit"],
                    row["sum_debit"],
                    row["sum_credit"],
                    row["ytd_debit"],
                    row["ytd_credit"],
                ]
                for pk, row in sums.items()
                if any(value for key, value in row.items() if key != "account_id") or ids[pk] in expected
            } == expected, (first_month, last_month, include_closing)
