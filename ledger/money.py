"""Pure helpers for money, numbers and dates as Chinese finance writes them. No database here.

Money is ``Decimal`` with exactly two places (元.角分). Anything that is not already exact is refused,
never rounded: a float, a third decimal place, NaN or infinity.
"""

import datetime
import re
from decimal import Decimal

from moneyed import Money

from ledger.errors import AmountError

CURRENCY = "CNY"
CENT = Decimal("0.01")

ZERO = Decimal("0.00")

# --- How much the books hold: every bound in this one place -------------------------------------------
# A grassroots union's yearly funds are at most some millions of 元 (2% of payroll, of which it keeps
# 60%); even a union of 100,000 members stays under a few hundred million. So:
# - one line, one receipt or payment, and one voucher's 借方合计 stay below 1亿元. Forms and services refuse more;
MAX_LINE_AMOUNT = Decimal("99999999.99")
MAX_VOUCHER_TOTAL = Decimal("99999999.99")
# - a year holds at most 99,999 entered vouchers. Posting checks the number it draws from the year row it
#   already locks, so the bound costs no query;
MAX_VOUCHERS_PER_YEAR = 99_999
# - hence what a year's entries can add up to is at most MAX_VOUCHER_TOTAL × MAX_VOUCHERS_PER_YEAR, just
#   under 10万亿 — with no whole-year sum per posting (a 红字冲销 takes no number from the bound, so that a
#   full year can still be corrected; it mirrors one entry at most once, so entries and reversals stay within
#   twice this). The vouchers the books write themselves (期初余额, 期末结转, their 反结账 reversals) carry or
#   sum a year: their lines and totals are held to MAX_YEAR_TOTAL, checked in memory as they are written.
MAX_YEAR_TOTAL = MAX_VOUCHER_TOTAL * MAX_VOUCHERS_PER_YEAR  # 9,999,899,999,000.01
# - a line's column (MoneyField, max_digits=18) holds 9,999,999,999,999,999.99, more than any of the above;
MAX_STORED_AMOUNT = Decimal("9999999999999999.99")
# - what pages, 大写金额 and exports print: figures (balances, totals of the 科目余额表, a year compared with
#   the last) are sums of those lines and stay far below this; an Excel cell (a double) keeps exact 分
#   up to about 9×10¹³, so a figure at the limits above (a year's opening plus its entries, 2×10¹³ at most)
#   reads back exactly.
MAX_FIGURE = Decimal("9999999999999999.99")


def to_decimal(value: object) -> Decimal:
    """Return ``value`` as an exact Decimal of 元 with two places, or raise AmountError (in Chinese).

    Accepts Decimal, int, Money in CNY and plain decimal strings ("1234.5"); refuses float, bool,
    scientific notation, NaN, infinity and more than two decimals.
    """
    if isinstance(value, Money):
        if str(value.currency) != CURRENCY:
            raise AmountError(f"只接受人民币金额，不接受{value.currency}")
        value = value.amount
    if isinstance(value, bool) or isinstance(value, float):
        raise AmountError("金额必须是精确的十进制数，不能是浮点数")
    if isinstance(value, int):
        value = Decimal(value)
    elif isinstance(value, str):
        text = value.strip()
        if not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", text):
            raise AmountError(f"金额格式不正确：{value!r}")
        value = Decimal(text)
    if not isinstance(value, Decimal):
        raise AmountError(f"金额类型不正确：{type(value).__name__}")
    if not value.is_finite():
        raise AmountError("金额必须是有限的数")
    if abs(value) > MAX_FIGURE:
        raise AmountError(f"金额超出范围：{value}")
    if value != value.quantize(CENT):
        raise AmountError(f"金额最多两位小数（到分）：{value}")
    return value.quantize(CENT)


def within_limit(amount: Decimal, limit: Decimal = MAX_LINE_AMOUNT, what: str = "金额") -> Decimal:
    """``amount`` if it is at most ``limit``; otherwise AmountError saying the limit in Chinese."""
    if abs(amount) > limit:
        raise AmountError(f"{what}不能超过{format_amount(limit)}元")
    return amount


def positive_amount(value: object, limit: Decimal = MAX_LINE_AMOUNT) -> Decimal:
    """An exact amount greater than zero and at most ``limit`` (by default what one line may hold)."""
    amount = to_decimal(value)
    if amount <= 0:
        raise AmountError(f"金额必须大于零：{amount}")
    return within_limit(amount, limit)


_INPUT_RE = re.compile(r"^[¥￥]?\s*([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]{1,2})?$")


def parse_amount_input(text: str) -> Decimal:
    """Parse what a treasurer types: ``1234.5``, ``1,234.50`` or ``¥1,234.50``. Anything else is refused."""
    cleaned = (text or "").strip()
    if not cleaned:
        raise AmountError("请输入金额")
    if not _INPUT_RE.match(cleaned):
        raise AmountError("金额格式不正确，请输入如 1234.50、1,234.50 或 ¥1,234.50 的金额（最多两位小数）")
    return positive_amount(cleaned.lstrip("¥￥").strip().replace(",", ""))


def money(amount: Decimal) -> Money:
    return Money(amount, CURRENCY)


def fen_to_decimal(fen: int | None) -> Decimal:
    """Integer 分 (as the database sums them) back to 元."""
    return (Decimal(int(fen or 0)) / 100).quantize(CENT)


def decimal_to_fen(amount: Decimal) -> int:
    """元 to integer 分, exactly: an amount with a fraction of a 分 is refused (``ValueError``)."""
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise ValueError(f"不足一分的金额：{amount}")
    return int(fen)


def format_amount(amount: Decimal) -> str:
    """``8,721.40`` — thousands separators, two decimals (Django's zh-hans locale has no separator)."""
    return f"{to_decimal(amount):,.2f}"


def format_yuan(amount: Decimal) -> str:
    """``8721.40元`` — how running report text writes money."""
    return f"{to_decimal(amount):.2f}元"


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ["", "拾", "佰", "仟"]
_BIG_UNITS = ["", "万", "亿", "万亿"]


def _four_digits(group: int) -> str:
    """Capitals for 0 < group < 10000, with inner zeros as 零 and no trailing 零."""
    out = []
    zero_pending = False
    for power in range(3, -1, -1):
        digit = group // 10**power % 10
        if digit == 0:
            zero_pending = bool(out)
            continue
        if zero_pending:
            out.append("零")
            zero_pending = False
        out.append(_DIGITS[digit] + _SMALL_UNITS[power])
    return "".join(out)


def amount_in_words(amount: Decimal) -> str:
    """The 大写金额 of a voucher or cheque: 15562.90 → 壹万伍仟伍佰陆拾贰元玖角整.

    Follows the common bank rules: 整 when there is no 分; 零 for a gap of zeros inside the number and
    between 元 and 分 when 角 is zero; a negative amount is prefixed 负.
    """
    value = to_decimal(amount)
    prefix = "负" if value < 0 else ""
    fen_total = int(abs(value) * 100)
    yuan, jiao, fen = fen_total // 100, fen_total // 10 % 10, fen_total % 10
    if fen_total == 0:
        return "零元整"
    text = ""
    if yuan:
        groups = []
        n = yuan
        while n:
            groups.append(n % 10000)
            n //= 10000
        parts = []
        need_zero = False
        for index in range(len(groups) - 1, -1, -1):
            group = groups[index]
            if group == 0:
                need_zero = bool(parts)
                continue
            if parts and (need_zero or group < 1000):
                parts.append("零")
            need_zero = False
            parts.append(_four_digits(group) + _BIG_UNITS[index])
        text = "".join(parts) + "元"
    if jiao == 0 and fen == 0:
        return prefix + text + "整"
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif yuan:
        text += "零"
    if fen:
        text += _DIGITS[fen] + "分"
    else:
        text += "整"
    return prefix + text


_DATE_DIGITS = "〇一二三四五六七八九"


def _number_in_chinese(n: int) -> str:
    if n < 10:
        return _DATE_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DATE_DIGITS[tens]) + "十" + (_DATE_DIGITS[ones] if ones else "")


def chinese_date(date: datetime.date) -> str:
    """二〇一三年三月二十六日 — the older style the sample report signs with."""
    year = "".join(_DATE_DIGITS[int(d)] for d in str(date.year))
    return f"{year}年{_number_in_chinese(date.month)}月{_number_in_chinese(date.day)}日"


def numeric_date(date: datetime.date) -> str:
    """2013年3月26日 — the GB/T 9704-2012 style of official documents."""
    return f"{date.year}年{date.month}月{date.day}日"
