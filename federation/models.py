"""What the 总工会's table keeps between two readings: each union-year's figures as last computed, with what they
were computed from.

A row is a memo, never a source: ``federation.queries.federation_rows`` uses it only while its ``basis`` equals
the basis of the year as read now (the year's count of posted vouchers, which the database moves in the
transaction of every posting, a 红字冲销 included; the union's province; the chart's codes; the spending rules in
force; the code that computes the figures), and computes it again by ``ledger.queries.years_totals`` and
``plan.queries.findings_of_years`` otherwise. The union's 收缴率 has a basis of its own (``dues_basis``: the
state ``plan.queries.dues_states`` reads, the rosters' counts of changes among it) and is computed again by
``plan.queries.dues_rates_of_unions`` when that moves. Nobody edits these rows; deleting them all only makes the next
reading slower.
"""

from django.db import models


class YearFigures(models.Model):
    year = models.OneToOneField(
        "ledger.AccountingYear",
        verbose_name="年度账套",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    basis = models.CharField("计算依据", max_length=32)
    income_fen = models.BigIntegerField("本年收入（分）")
    expense_fen = models.BigIntegerField("本年支出（分）")
    closing_fen = models.BigIntegerField("年末经费余额（分）")
    owed_upward_fen = models.BigIntegerField("应付上级经费（分）")
    findings = models.PositiveIntegerField("开支规定提示")
    dues_basis = models.CharField("收缴率计算依据", max_length=32, blank=True)
    dues_rate = models.DecimalField("会费收缴率（%）", max_digits=8, decimal_places=1, null=True, blank=True)
    computed_at = models.DateTimeField("计算时间", auto_now=True)

    class Meta:
        verbose_name = "所属工会年度数字（缓存）"
        verbose_name_plural = "所属工会年度数字（缓存）"

    def __str__(self) -> str:
        return f"{self.year_id} {self.basis}"
