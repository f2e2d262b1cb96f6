"""Money and dates as Chinese finance pages print them. Formatting happens here, at the edge, only."""

import datetime
from decimal import Decimal

from django import template
from django.utils.html import format_html

from ledger import money as m

register = template.Library()


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    return m.to_decimal(getattr(value, "amount", value))


@register.filter
def absolute(value):
    """The amount without its sign (a balance's side is shown apart, as 借 or 贷)."""
    amount = _decimal(value)
    return value if amount is None else abs(amount)


@register.filter
def money(value) -> str:
    """8,721.40 (tables and pages). A negative amount (红字) comes in ``<span class="amount-red">``, so every
    page, printout and PDF shows it red (``static/css/site.css``)."""
    amount = _decimal(value)
    if amount is None:
        return ""
    if amount < 0:
        return format_html('<span class="amount-red">{}</span>', m.format_amount(amount))
    return m.format_amount(amount)


@register.filter
def yuan(value) -> str:
    """8721.40元 (running text)."""
    amount = _decimal(value)
    return "" if amount is None else m.format_yuan(amount)


@register.filter
def daxie(value) -> str:
    """壹万伍仟伍佰陆拾贰元玖角整 (大写金额)."""
    amount = _decimal(value)
    return "" if amount is None else m.amount_in_words(amount)


@register.filter
def cndate(value: datetime.date | None) -> str:
    """二〇一三年三月二十六日."""
    return m.chinese_date(value) if value else ""


@register.filter
def numdate(value: datetime.date | None) -> str:
    """2012年3月8日."""
    return m.numeric_date(value) if value else ""
