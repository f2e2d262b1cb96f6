"""Filters for the genre text of the 财务工作报告."""

from decimal import Decimal

from django import template

from ledger.money import format_yuan

register = template.Library()


@register.filter
def change_yuan(value: Decimal | None) -> str:
    """增加1200.00元 / 减少300.00元 / 持平 — how the report words a change on the previous year."""
    if value is None:
        return ""
    if value == 0:
        return "持平"
    return ("增加" if value > 0 else "减少") + format_yuan(abs(value))


@register.filter
def dash_money(value: Decimal | None) -> str:
    """8,721.40, or a dash for a statement line the books cannot fill."""
    from ledger.money import format_amount

    return "—" if value is None else format_amount(value)
