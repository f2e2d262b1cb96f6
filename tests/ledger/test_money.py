import datetime
from decimal import Decimal

import pytest
from moneyed import Money

from ledger.errors import AmountError
from ledger.money import (
    amount_in_words,
    chinese_date,
    format_amount,
    format_yuan,
    numeric_date,
    parse_amount_input,
    positive_amount,
    to_decimal,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("12.3"), Decimal("12.30")),
        ("8721.40", Decimal("8721.40")),
        (5, Decimal("5.00")),
        (Money("15562.90", "CNY"), Decimal("15562.90")),
        (Decimal("1.500"), Decimal("1.50")),  # a trailing zero is not a third decimal
    ],
)
def test_to_decimal_accepts_exact_money(value, expected):
    assert to_decimal(value) == expected
    assert to_decimal(value).as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (12.3, "浮点数"),
        (True, "浮点数"),
        (Decimal("1.234"), "两位小数"),
        ("1.234", "两位小数"),
        (Decimal("NaN"), "有限"),
        (Decimal("Infinity"), "有限"),
        ("1e3", "格式不正确"),
        ("abc", "格式不正确"),
        (Money("1.00", "USD"), "人民币"),
        (Decimal("10000000000000000.00"), "超出范围"),
        (None, "类型不正确"),
    ],
)
def test_to_decimal_refuses_inexact_values(value, message):
    with pytest.raises(AmountError, match=message):
        to_decimal(value)


@pytest.mark.parametrize("value", ["0", "0.00", "-5.00", Decimal("-0.01")])
def test_positive_amount_refuses_zero_and_negative(value):
    with pytest.raises(AmountError, match="大于零"):
        positive_amount(value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234.5", Decimal("1234.50")),
        ("1,234.50", Decimal("1234.50")),
        ("¥1,234.50", Decimal("1234.50")),
        ("￥1,234,567.89", Decimal("1234567.89")),
        (" 723 ", Decimal("723.00")),
    ],
)
def test_parse_amount_input_accepts_what_treasurers_type(text, expected):
    assert parse_amount_input(text) == expected


@pytest.mark.parametrize(
    "text", ["", "abc", "1.234", "-5", "0", "1,23.00", "12,34", "1e3", "１２３", "NaN", "¥", "1.2.3"]
)
def test_parse_amount_input_refuses_everything_else(text):
    with pytest.raises(AmountError):
        parse_amount_input(text)


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("15562.90", "壹万伍仟伍佰陆拾贰元玖角整"),
        ("8721.40", "捌仟柒佰贰拾壹元肆角整"),
        ("29358.50", "贰万玖仟叁佰伍拾捌元伍角整"),
        ("723.00", "柒佰贰拾叁元整"),
        ("0.05", "伍分"),
        ("0.50", "伍角整"),
        ("100.05", "壹佰元零伍分"),
        ("1001.00", "壹仟零壹元整"),
        ("10000.00", "壹万元整"),
        ("100010.00", "壹拾万零壹拾元整"),
        ("1000000.01", "壹佰万元零壹分"),
        ("105000000.00", "壹亿零伍佰万元整"),
        ("0.00", "零元整"),
        ("-723.00", "负柒佰贰拾叁元整"),
    ],
)
def test_amount_in_words(amount, words):
    assert amount_in_words(Decimal(amount)) == words


def test_formats():
    assert format_amount(Decimal("8721.4")) == "8,721.40"
    assert format_amount(Decimal("-1234567.00")) == "-1,234,567.00"
    assert format_yuan(Decimal("29358.5")) == "29358.50元"


@pytest.mark.parametrize(
    ("date", "chinese", "numeric"),
    [
        (datetime.date(2013, 3, 26), "二〇一三年三月二十六日", "2013年3月26日"),
        (datetime.date(2012, 10, 1), "二〇一二年十月一日", "2012年10月1日"),
        (datetime.date(2020, 12, 31), "二〇二〇年十二月三十一日", "2020年12月31日"),
        (datetime.date(2001, 1, 10), "二〇〇一年一月十日", "2001年1月10日"),
    ],
)
def test_dates(date, chinese, numeric):
    assert chinese_date(date) == chinese
    assert numeric_date(date) == numeric
