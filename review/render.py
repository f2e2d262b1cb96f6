"""The 经费审查报告 as a page, a PDF (the report's one WeasyPrint path), a workbook and JSON: pure layouts."""

from __future__ import annotations

import io
import json

from django.template.loader import render_to_string
from django.utils import timezone

Rendered = tuple[str, str, bytes]
FORM_CSS = """
table { width: 100%; border-collapse: collapse; margin: 3mm 0; font-size: 10.5pt; }
th, td { border: 0.5pt solid #333; padding: 1.2mm 2mm; text-align: left; }
.num { text-align: right; white-space: nowrap; }
"""


def _name(data, suffix: str) -> str:
    return f"{data.finance.union_name}{data.finance.year}年度经费审查报告.{suffix}"


def context(data) -> dict:
    return {"data": data, "finance": data.finance, "made_at": timezone.localtime()}


def render_html(data) -> Rendered:
    body = render_to_string("review/audit_report_standalone.html", context(data))
    return _name(data, "html"), "text/html; charset=utf-8", body.encode("utf-8")


def render_pdf(data) -> Rendered:
    from reports.render.pdf import html_to_pdf  # noqa: PLC0415 - WeasyPrint is heavy

    html = render_to_string("review/audit_report_pdf.html", context(data))
    return _name(data, "pdf"), "application/pdf", html_to_pdf(html, extra_css=FORM_CSS)


def as_dict(data) -> dict:
    finance = data.finance
    money = str
    return {
        "union": finance.union_name,
        "year": finance.year,
        "title": data.title,
        "figures": {
            "opening_balance": money(finance.current.opening_balance),
            "income": money(finance.current.total_income),
            "expense": money(finance.current.total_expense),
            "closing_balance": money(finance.current.closing_balance),
            "cash": money(finance.current.cash),
            "bank": money(finance.current.bank),
        },
        "reviewed": {
            "vouchers": data.vouchers,
            "vouchers_checked": data.vouchers_checked,
            "vouchers_with_scans": data.vouchers_with_scans,
            "queries_raised": data.queries_raised,
            "queries_closed": data.queries_closed,
        },
        "reconciliation": None
        if data.reconciliation is None
        else {
            "month": data.reconciliation.month,
            "bank_balance": None
            if data.reconciliation.bank_balance is None
            else money(data.reconciliation.bank_balance),
            "book_balance": money(data.reconciliation.book_balance),
            "reconciled": data.reconciliation.reconciled,
        },
        "budget": None
        if data.budget is None
        else [
            {"category": b.category, "budget": money(b.budget), "actual": money(b.actual)}
            for b in data.budget
        ],
        "findings": [{"source": f.source, "text": f.text, "settled": f.settled} for f in data.findings],
        "text": data.text.as_dict(),
    }


def render_json(data) -> Rendered:
    body = json.dumps(as_dict(data), ensure_ascii=False, indent=2)
    return _name(data, "json"), "application/json", body.encode("utf-8")


def render_xlsx(data) -> Rendered:
    from openpyxl import Workbook  # noqa: PLC0415
    from openpyxl.styles import Font  # noqa: PLC0415

    finance = data.finance.current
    book = Workbook()
    sheet = book.active
    sheet.title = "审查报告"
    sheet.append([data.title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(["项目", "金额（元）"])
    for label, amount in (
        ("年初经费余额", finance.opening_balance),
        ("本年收入", finance.total_income),
        ("本年支出", finance.total_expense),
        ("年末经费余额", finance.closing_balance),
        ("库存现金", finance.cash),
        ("银行存款", finance.bank),
    ):
        sheet.append([label, amount])
        sheet.cell(row=sheet.max_row, column=2).number_format = "#,##0.00"
    sheet.append([])
    sheet.append(["审查事项", "数量"])
    for label, value in (
        ("已记账凭证（张）", data.vouchers),
        ("标记为已审查（张）", data.vouchers_checked),
        ("附有原始凭证扫描件（张）", data.vouchers_with_scans),
        ("提出疑点（条）", data.queries_raised),
        ("已关闭疑点（条）", data.queries_closed),
    ):
        sheet.append([label, value])
    if data.budget is not None:
        sheet.append([])
        sheet.append(["预算执行", "预算", "实际", "执行率%"])
        for line in data.budget:
            sheet.append([line.category, line.budget, line.actual, line.rate])
    findings = book.create_sheet("发现的问题")
    findings.append(["来源", "内容", "已解决"])
    for finding in data.findings:
        findings.append([finding.source, finding.text, "是" if finding.settled else "否"])
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["B"].width = 18
    findings.column_dimensions["B"].width = 80
    out = io.BytesIO()
    book.save(out)
    return (
        _name(data, "xlsx"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        out.getvalue(),
    )
