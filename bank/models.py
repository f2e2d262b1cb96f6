"""The bank's side and the cash box: statements, their rows, matches to the 银行存款 lines, and cash counts.

Amounts are integer 分 (``BigIntegerField``), exact on SQLite and PostgreSQL alike; they are converted to
``Decimal`` 元 at the edge (``ledger.money.fen_to_decimal``). Nothing here changes the books.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from ledger.money import fen_to_decimal

# The columns a statement is read by: field → what the treasurer calls it.
COLUMNS = {
    "date_column": "交易日期",
    "summary_column": "摘要",
    "income_column": "收入（存入）",
    "expense_column": "支出（支取）",
    "balance_column": "余额",
    "counterparty_column": "对方户名",
}


class ColumnMapping(models.Model):
    """How one bank's statement names its columns, remembered per union and bank."""

    union = models.ForeignKey("ledger.Union", verbose_name="工会", on_delete=models.PROTECT, related_name="+")
    bank_name = models.CharField("开户银行", max_length=60)
    date_column = models.CharField("交易日期列", max_length=60)
    summary_column = models.CharField("摘要列", max_length=60, blank=True)
    income_column = models.CharField("收入列", max_length=60)
    expense_column = models.CharField("支出列", max_length=60)
    balance_column = models.CharField("余额列", max_length=60)
    counterparty_column = models.CharField("对方户名列", max_length=60, blank=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "对账单列设置"
        verbose_name_plural = "对账单列设置"
        ordering = ["union", "-updated_at"]
        constraints = [models.UniqueConstraint(fields=["union", "bank_name"], name="one_mapping_per_bank")]

    def __str__(self) -> str:
        return self.bank_name


class Statement(models.Model):
    """One uploaded bank statement (对账单) of a union-year."""

    year = models.ForeignKey(
        "ledger.AccountingYear", verbose_name="会计年度", on_delete=models.PROTECT, related_name="+"
    )
    bank_name = models.CharField("开户银行", max_length=60)
    file_name = models.CharField("文件名", max_length=200)
    sha256 = models.CharField("SHA-256", max_length=64)
    period_end = models.DateField("对账单截止日期")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "银行对账单"
        verbose_name_plural = "银行对账单"
        ordering = ["year", "uploaded_at", "id"]
        constraints = [models.UniqueConstraint(fields=["year", "sha256"], name="statement_once_per_year")]

    def __str__(self) -> str:
        return f"{self.bank_name} {self.file_name}"


class StatementRow(models.Model):
    """One transaction on the statement: money in (收入) or out (支出), in 分, and the balance after it."""

    statement = models.ForeignKey(
        Statement, verbose_name="对账单", on_delete=models.PROTECT, related_name="rows"
    )
    position = models.PositiveIntegerField("行号")
    date = models.DateField("交易日期")
    summary = models.CharField("摘要", max_length=200, blank=True)
    counterparty = models.CharField("对方户名", max_length=100, blank=True)
    income_fen = models.BigIntegerField("收入（分）", default=0)
    expense_fen = models.BigIntegerField("支出（分）", default=0)
    balance_fen = models.BigIntegerField("余额（分）")

    class Meta:
        verbose_name = "对账单明细"
        verbose_name_plural = "对账单明细"
        ordering = ["statement", "position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(income_fen__gt=0, expense_fen=0) | Q(income_fen=0, expense_fen__gt=0),
                name="statement_row_one_side",
            ),
            models.UniqueConstraint(fields=["statement", "position"], name="statement_row_position_unique"),
        ]
        indexes = [models.Index(fields=["date"], name="statement_row_date")]

    def __str__(self) -> str:
        return f"{self.date} {self.summary}"

    @property
    def income(self):
        return fen_to_decimal(self.income_fen)

    @property
    def expense(self):
        return fen_to_decimal(self.expense_fen)

    @property
    def balance(self):
        return fen_to_decimal(self.balance_fen)


class Match(models.Model):
    """A statement row matched to one 银行存款 line. A row is matched at most once, and a line at most once:
    both are unique in the database. A match the app proposed waits for the treasurer's confirmation."""

    row = models.OneToOneField(
        StatementRow, verbose_name="对账单明细", on_delete=models.PROTECT, related_name="match"
    )
    line = models.OneToOneField(
        "ledger.VoucherLine", verbose_name="银行存款分录", on_delete=models.PROTECT, related_name="bank_match"
    )
    confirmed = models.BooleanField("已确认", default=False)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="确认人", on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("时间", auto_now=True)

    class Meta:
        verbose_name = "对账匹配"
        verbose_name_plural = "对账匹配"

    def __str__(self) -> str:
        return f"{self.row_id} ↔ {self.line_id}"


# The notes and coins counted, as 元 strings, largest first.
DENOMINATIONS = ("100", "50", "20", "10", "5", "1", "0.5", "0.1", "0.05", "0.02", "0.01")


class CashCount(models.Model):
    """现金盘点: the cash in the box at a date, counted by denomination with a witness, against the cash
    journal's balance at that date (kept as it stood, as the signed 盘点表 shows it)."""

    year = models.ForeignKey(
        "ledger.AccountingYear", verbose_name="会计年度", on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField("盘点日期")
    pieces = models.JSONField("券别张数", default=dict)
    counted_fen = models.BigIntegerField("实存（分）")
    book_fen = models.BigIntegerField("账存（分）")
    explanation = models.TextField("差异说明", max_length=1000, blank=True)
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="盘点人", on_delete=models.PROTECT, related_name="+"
    )
    witness = models.CharField("监盘人", max_length=50)
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "现金盘点"
        verbose_name_plural = "现金盘点"
        ordering = ["year", "-date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(counted_fen__gte=0), name="cash_count_not_negative"),
            models.CheckConstraint(condition=~Q(witness=""), name="cash_count_has_witness"),
            models.CheckConstraint(
                condition=Q(counted_fen=models.F("book_fen")) | ~Q(explanation=""),
                name="cash_count_difference_explained",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} 现金盘点"

    @property
    def counted(self):
        return fen_to_decimal(self.counted_fen)

    @property
    def book(self):
        return fen_to_decimal(self.book_fen)

    @property
    def difference(self):
        """Positive: 长款 (more cash than the books); negative: 短款."""
        return fen_to_decimal(self.counted_fen - self.book_fen)

    @property
    def difference_kind(self) -> str:
        return (
            "相符"
            if self.counted_fen == self.book_fen
            else ("长款" if self.counted_fen > self.book_fen else "短款")
        )

    def piece_rows(self) -> list[tuple[str, int, object]]:
        """(券别, 张数, 金额) of every denomination counted, largest first."""
        from decimal import Decimal  # noqa: PLC0415

        return [
            (denomination, self.pieces[denomination], Decimal(denomination) * self.pieces[denomination])
            for denomination in DENOMINATIONS
            if self.pieces.get(denomination)
        ]
