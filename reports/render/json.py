"""The report data as JSON: money as strings with two decimals, categories named as the report text names them."""

import json
from decimal import Decimal

from reports.consolidated import ConsolidatedReport
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
        "findings": [_finding(f, f.voucher_no) for f in plan.findings],
    }


def _finding(f, voucher: str) -> dict:
    return {
        "rule": f.rule,
        "rule_code": f.rule_code,
        "province": f.province,
        "source": f.source,
        "voucher": voucher,
        "date": f.date.isoformat(),
        "amount": _money(f.amount),
        "message": f.message,
    }


def _checks(checks) -> list[dict]:
    return [
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
        for check in checks
    ]


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
        "checks": _checks(data.checks),
    }


def render_json(data: AnnualReportData) -> Rendered:
    body = json.dumps(report_dict(data), ensure_ascii=False, indent=2) + "\n"
    return file_name(data, "json"), CONTENT_TYPE, body.encode("utf-8")


# --- the consolidated (合并) report -----------------------------------------------------------------------


def _group_lines(lines) -> list[dict]:
    return [
        {
            "category": line.name,
            "amount": _money(line.amount),
            "account": line.code,
            "account_name": line.name,
        }
        for line in lines
    ]


def consolidated_dict(report: ConsolidatedReport) -> dict:
    """The keys of ``report_dict`` for the consolidated figures (the parent's names, year and date; lines by
    first-level account; no budget or previous year of the whole), plus ``branches`` (each branch's slug and
    its own report under the same keys) and ``eliminated`` (the inter-union items)."""
    parent = report_dict(report.parent)
    dues = parent["dues"]
    return {
        **parent,
        "title": report.title,
        "is_closed": report.is_closed,
        "opening_balance": _money(report.opening_balance),
        "income": _group_lines(report.income),
        "expense": _group_lines(report.expense),
        "total_income": _money(report.total_income),
        "total_expense": _money(report.total_expense),
        "closing_balance": _money(report.closing_balance),
        "cash": _money(report.cash),
        "bank": _money(report.bank),
        "remittance_to_higher_union": _money(report.remittance_upper),
        "budget": None,
        "dues": dues,
        "owed_upward": _money(report.owed_upward),
        "findings": [_finding(f, f"{union} {f.voucher_no}") for union, f in report.findings],
        "previous_year": None,
        "checks": _checks(report.checks),
        "branches": [{"slug": branch.union_slug, **report_dict(branch)} for branch in report.branches],
        "eliminated": [
            {
                "date": item.date.isoformat(),
                "branch": item.branch_slug,
                "branch_name": item.branch_name,
                "amount": _money(item.amount),
                "summary": item.summary,
                "parent_voucher": item.parent_voucher,
                "branch_voucher": item.branch_voucher,
            }
            for item in report.eliminated
        ],
        "tracked_branches": [
            {
                "slug": item.slug,
                "name": item.name,
                "income": _money(item.income),
                "expense": _money(item.expense),
            }
            for item in report.tracked
        ],
    }


def render_consolidated_json(report: ConsolidatedReport) -> Rendered:
    body = json.dumps(consolidated_dict(report), ensure_ascii=False, indent=2) + "\n"
    return f"{report.title}.json", CONTENT_TYPE, body.encode("utf-8")
