"""The report data as JSON: money as strings with two decimals, categories named as the report text names them."""

import json
from decimal import Decimal

from reports.data import AnnualReportData, ReportLine, YearFigures
from reports.render import Rendered, file_name

CONTENT_TYPE = "application/json"


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _lines(lines: list[ReportLine]) -> list[dict]:
    return [
        {
            "category": line.label,
            "amount": _money(line.amount),
            "account": line.code,
            "account_name": line.name,
        }
        for line in lines
    ]


def _figures(figures: YearFigures) -> dict:
    return {
        "year": figures.year,
        "is_closed": figures.is_closed,
        "opening_balance": _money(figures.opening_balance),
        "income": _lines([line for line in figures.income if line.amount]),
        "expense": _lines([line for line in figures.expense if line.amount]),
        "total_income": _money(figures.total_income),
        "total_expense": _money(figures.total_expense),
        "closing_balance": _money(figures.closing_balance),
        "cash": _money(figures.cash),
        "bank": _money(figures.bank),
        "remittance_to_higher_union": _money(figures.remittance_upper),
    }


def _percent(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.1f}"


def _plan(data: AnnualReportData) -> dict:
    """budget (per category: budget, actual, percent), dues (due, collected, rate), owed_upward, findings."""
    plan = data.plan
    if plan is None:
        return {"budget": None, "dues": None, "owed_upward": None, "findings": []}
    budget = None
    if plan.budget is not None:
        budget = {
            "approved_on": plan.budget.approved_on.isoformat() if plan.budget.approved_on else None,
            "adjustments": plan.budget.adjustments,
            "categories": [
                {
                    "account": row.code,
                    "category": row.name,
                    "type": row.type,
                    "budget": _money(row.budget),
                    "actual": _money(row.actual),
                    "percent": _percent(row.percent),
                    "over_budget": row.over,
                }
                for row in plan.budget.rows
            ],
        }
    dues = None
    if plan.dues is not None:
        dues = {
            "due": _money(plan.dues.due),
            "collected": _money(plan.dues.collected),
            "rate": _percent(plan.dues.rate),
            "months": [
                {
                    "month": m.month,
                    "due": _money(m.due),
                    "collected": _money(m.collected),
                    "rate": _percent(m.rate),
                }
                for m in plan.dues.months
            ],
        }
    return {
        "budget": budget,
        "dues": dues,
        "owed_upward": _money(plan.owed_upward),
        "findings": [
            {
                "rule": f.rule,
                "rule_code": f.rule_code,
                "province": f.province,
                "source": f.source,
                "voucher": f.voucher_no,
                "date": f.date.isoformat(),
                "amount": _money(f.amount),
                "message": f.message,
            }
            for f in plan.findings
        ],
    }


def report_dict(data: AnnualReportData) -> dict:
    return {
        "union": data.union_name,
        "union_slug": data.union_slug,
        "year": data.year,
        "is_closed": data.is_closed,
        "title": data.title,
        "opening_balance": _money(data.opening_balance),
        "income": _lines(data.income_lines),
        "expense": _lines(data.expense_lines),
        "total_income": _money(data.total_income),
        "total_expense": _money(data.total_expense),
        "closing_balance": _money(data.closing_balance),
        "cash": _money(data.current.cash),
        "bank": _money(data.current.bank),
        "remittance_to_higher_union": _money(data.current.remittance_upper),
        "report_date": data.text.report_date.isoformat(),
        **_plan(data),
        "previous_year": _figures(data.previous) if data.previous else None,
        "checks": [
            {
                "title": check.title,
                "ok": check.ok,
                "figures": [
                    {
                        "left": c.left_label,
                        "left_amount": _money(c.left),
                        "right": c.right_label,
                        "right_amount": _money(c.right),
                    }
                    for c in check.comparisons
                ],
            }
            for check in data.checks
        ],
    }


def render_json(data: AnnualReportData) -> Rendered:
    body = json.dumps(report_dict(data), ensure_ascii=False, indent=2) + "\n"
    return file_name(data, "json"), CONTENT_TYPE, body.encode("utf-8")
