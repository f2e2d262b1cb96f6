"""The plan's places in the books (``ledger.hooks``): the payment's facts and warnings, the 结账 warnings,
the panel on a year's 首页."""

from django.template.loader import render_to_string

from ledger import hooks
from ledger import queries as books
from ledger.money import ZERO
from ledger.queries import Check, Comparison
from plan import queries, services
from plan.forms import PaymentFactsForm

# Spending where money or gifts reach members: the facts the rules need are asked for (found by name, so any
# chart's 职工活动支出, 会员活动支出, 维权支出 and their 明细 qualify).
NEEDS_FACTS = ("活动", "慰问", "福利", "送温暖", "帮扶", "维权")


def needs_facts(account) -> bool:
    names = [account.name, account.parent.name if account.parent_id and account.parent else ""]
    return any(word in name for word in NEEDS_FACTS for name in names)


def payment_warnings(*, year, date, account, amount, via, facts):
    """The warnings of a payment about to be recorded. A payment to a category that reaches members with no
    purpose given is recorded as ever (the rules then see only how it was paid); if it is warned about for
    another reason, the treasurer is also asked for the purpose."""
    warnings = queries.payment_warnings(
        year=year, date=date, account=account, amount=amount, via=via, facts=facts
    )
    if warnings and needs_facts(account) and not facts.get("purpose"):
        warnings.append(f"“{account.name}”的支出如发给会员，请选择用途、发放形式和人数")
    return warnings


def payment_recorded(*, voucher, via, facts, warnings):
    services.record_payment_facts(voucher=voucher, via=via, facts=facts, warnings=warnings)


def year_checks(year):
    summary = books.year_summary(year)
    owed = queries.owed_upward(summary)
    yield Check(
        "应付上级经费已足额上缴",
        (Comparison("尚欠上级经费", owed, "应为", ZERO),) if owed or queries.levy_received(summary) else (),
        note="本年没有收到拨缴经费，不适用。",
        required=False,
    )
    found = queries.findings(year)
    comparisons = tuple(
        Comparison(
            f"{f.voucher_no} {f.date:%m-%d} {f.rule}：{f.message}（依据：{f.source}）", f.amount, "应为", ZERO
        )
        for f in found
    )
    yield Check(
        "支出符合经费使用规定",
        comparisons or (Comparison("不符合规定的支出金额", ZERO, "应为", ZERO),),
        required=False,
    )


def dashboard_panel(year, summary) -> str:
    return render_to_string(
        "plan/_dashboard_panel.html",
        {
            "book": year,
            "budget": queries.budget_execution(year, summary),
            "dues": queries.dues_summary(year.union, year.year),
            "owed": queries.owed_upward(summary),
            "levy": queries.levy_received(summary),
        },
    )


hooks.payment_extensions.append(
    hooks.PaymentExtension(
        form_class=PaymentFactsForm,
        template="plan/_payment_facts.html",
        warnings=payment_warnings,
        recorded=payment_recorded,
    )
)
hooks.register_check(year_checks)
hooks.dashboard_panels.append(dashboard_panel)


DEMO_UNION, DEMO_YEAR = "city-hospital", 2025


def load_demo(*, user) -> str:
    """The plan's demo data in the city-hospital 2025 books (when they are loaded, and once)."""
    from ledger.models import AccountingYear  # noqa: PLC0415 - only the demo command needs it
    from plan.demo import load_plan_demo  # noqa: PLC0415

    year = (
        AccountingYear.objects.select_related("union", "chart")
        .filter(union__slug=DEMO_UNION, year=DEMO_YEAR)
        .first()
    )
    if year is None or queries.departments(year.union):
        return ""
    load_plan_demo(year=year, user=user)
    return f"已载入{year.union.name}{DEMO_YEAR}年度的预算、会员会费、拨缴经费和一笔违反规定的支出"


hooks.demo_loaders.append(load_demo)
