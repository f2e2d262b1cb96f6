"""The 经费审查报告 (the 经费审查委员会's report to the congress): one frozen value for page, PDF, workbook, JSON.

Its figures are the 财务工作报告's own: ``build_audit_report`` starts from ``reports.data.build_annual_report``
and never sums the books itself, so both reports agree to the cent. Beside them it lays out what the committee
reviewed (vouchers, scans, its 疑点, the December reconciliation, the year's last cash count) and the findings.

The budget's execution and the spending rules' findings come from the finance report's own ``plan`` part
(``plan.queries.plan_report``), so both reports say the same; a caller may pass ``budget`` or
``rule_findings`` instead. With neither, the report says so.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q

from bank import queries as bank_queries
from ledger.models import AccountingYear, Voucher
from reports.data import AnnualReportData, build_annual_report
from review.models import AuditReportText, Remark

DATE = "%Y年%m月%d日"


@dataclass(frozen=True)
class BudgetLine:
    """One line of 预算执行: a category, what the congress approved and what was spent."""

    category: str
    budget: Decimal
    actual: Decimal

    @property
    def rate(self) -> Decimal | None:
        return None if not self.budget else (self.actual * 100 / self.budget).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class Finding:
    source: str  # 疑点, 银行对账, 现金盘点, 开支规定 …
    text: str
    settled: bool = False


@dataclass(frozen=True)
class AuditTextValues:
    salutation: str
    mandate: str
    examined: str
    conclusions: str
    suggestions: str
    report_date: datetime.date
    saved: bool = False

    @property
    def suggestion_paragraphs(self) -> list[str]:
        return [line.strip() for line in self.suggestions.splitlines() if line.strip()]

    def as_dict(self) -> dict:
        return {key: str(getattr(self, key)) for key in AuditReportText.TEXT_FIELDS}


@dataclass(frozen=True)
class AuditReportData:
    finance: AnnualReportData
    vouchers: int
    vouchers_checked: int
    vouchers_with_scans: int
    queries_raised: int
    queries_closed: int
    reconciliation: bank_queries.Reconciliation | None  # December's, when the year has bank lines
    last_cash_count: object | None  # the year's latest bank.models.CashCount
    budget: tuple[BudgetLine, ...] | None
    findings: tuple[Finding, ...]
    text: AuditTextValues

    @property
    def title(self) -> str:
        return f"{self.finance.union_name}经费审查委员会关于{self.finance.year}年度工会经费收支情况的审查报告"

    @property
    def queries_open(self) -> int:
        return self.queries_raised - self.queries_closed

    @property
    def signature_lines(self) -> list[str]:
        return ["经费审查委员会主任：", "委员："]


def default_text(year: AccountingYear) -> AuditTextValues:
    name = year.union.name
    return AuditTextValues(
        salutation="各位代表：",
        mandate=f"受{name}经费审查委员会委托，现将{year.year}年度工会经费收支情况的审查结果报告如下，请予审议。",
        examined=(
            f"经费审查委员会对{year.year}年度工会经费的收支、预算执行、记账凭证及原始凭证、银行存款和库存现金进行了审查。"
            "审查采取逐张审阅记账凭证、核对原始凭证扫描件、核对银行对账单和银行存款余额调节表、监督盘点库存现金的方式进行。"
        ),
        conclusions=(
            "经审查，工会经费收支账目清楚，账证相符、账账相符、账表相符、账实相符，手续齐全，审批严格，"
            "财务工作报告所列数字真实准确。"
        ),
        suggestions="（一）进一步加强工会经费预算管理，严格按预算支出。\n（二）原始凭证应及时取得、签字齐全。",
        report_date=datetime.date(year.year + 1, 3, 26),
    )


def text_values(year: AccountingYear) -> AuditTextValues:
    saved = AuditReportText.objects.filter(union_id=year.union_id, year=year.year).first()
    if saved is None:
        return default_text(year)
    return AuditTextValues(**{key: getattr(saved, key) for key in AuditReportText.TEXT_FIELDS}, saved=True)


def build_audit_report(
    year: AccountingYear,
    *,
    budget: tuple[BudgetLine, ...] | None = None,
    rule_findings: tuple[Finding, ...] = (),
) -> AuditReportData:
    """The 经费审查报告 of ``year``: the finance report's data plus a fixed number of queries of its own."""
    finance = build_annual_report(year)
    plan = finance.plan
    if budget is None and plan is not None and plan.budget is not None:
        budget = tuple(
            BudgetLine(f"{row.code} {row.name}", row.budget, row.actual) for row in plan.budget.rows
        )
    if not rule_findings and plan is not None:
        rule_findings = tuple(
            Finding(
                "开支规定",
                f"{found.voucher_no} {found.date:%Y-%m-%d} {found.summary} {found.amount}元："
                f"{found.rule}，{found.message}（依据：{found.source}）",
            )
            for found in plan.findings
        )
    year = AccountingYear.objects.select_related("union", "chart").get(pk=year.pk)
    posted = Voucher.objects.filter(year=year, state=Voucher.State.POSTED)
    counts = posted.aggregate(
        total=Count("id", distinct=True),
        checked=Count("id", filter=Q(remarks__kind=Remark.Kind.CHECKED), distinct=True),
        scanned=Count("id", filter=Q(attachments__isnull=False), distinct=True),
    )
    remarks = list(
        Remark.objects.filter(voucher__year=year, kind=Remark.Kind.QUERY)
        .select_related("voucher")
        .order_by("raised_at", "id")
    )
    findings = list(rule_findings)
    for remark in remarks:
        findings.append(
            Finding(
                "疑点",
                f"{remark.voucher.voucher_no}（{remark.voucher.summary}）：{remark.comment}"
                f"（{remark.get_state_display()}）",
                settled=remark.state == Remark.State.CLOSED,
            )
        )
    reconciliation = bank_queries.reconciliation(year, 12) if bank_queries.has_bank_lines(year) else None
    if reconciliation is not None and not reconciliation.reconciled:
        findings.append(Finding("银行对账", f"{year.year}年12月银行存款余额调节表未调平或未完成对账。"))
    count = bank_queries.cash_counts(year).first()
    if count is not None and count.difference:
        findings.append(
            Finding(
                "现金盘点",
                f"{count.date.strftime(DATE)}盘点库存现金{count.difference_kind}{abs(count.difference)}元：{count.explanation}",
            )
        )
    return AuditReportData(
        finance=finance,
        vouchers=counts["total"],
        vouchers_checked=counts["checked"],
        vouchers_with_scans=counts["scanned"],
        queries_raised=len(remarks),
        queries_closed=sum(1 for remark in remarks if remark.state == Remark.State.CLOSED),
        reconciliation=reconciliation,
        last_cash_count=count,
        budget=budget,
        findings=tuple(findings),
        text=text_values(year),
    )
