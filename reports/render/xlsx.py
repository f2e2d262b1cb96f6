"""The report as one Excel workbook, written by openpyxl in write-only (streaming) mode.

Sheets: 收支情况表, 科目余额表, 明细账 (every posted line of the year, streamed from the database), 收入支出表
and 资产负债表. Cells hold real Decimal and date values with number formats, and totals are ``=SUM(...)``
formulas, so an auditor can re-add them in Excel. Text from the books (摘要, names) is always written as
text, never as a formula, even when it starts with "=".
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable
from decimal import Decimal

from django.utils import timezone

from ledger.money import ZERO
from ledger.queries import JournalRow
from reports.data import AnnualReportData
from reports.render import Rendered, file_name, statements_file_name
from reports.statements import StatementSection

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY = "#,##0.00"
DATE = "yyyy-mm-dd"


class _Sheet:
    """A write-only sheet with the few cell kinds the report needs."""

    def __init__(
        self, workbook, title: str, widths: list[float], data: AnnualReportData, made_at, header_row: int
    ):
        from openpyxl.utils import get_column_letter

        self.ws = workbook.create_sheet(title)
        self.union_name = data.union_name
        self.signature_lines = data.signature_lines
        self.row = 0
        self.columns = len(widths)
        for index, width in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = width
        ws = self.ws
        ws.page_setup.paperSize = "9"  # A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.oddHeader.center.text = f"{data.union_name}　{title}"
        ws.oddFooter.left.text = f"编制时间：{made_at:%Y-%m-%d %H:%M}"
        ws.oddFooter.center.text = "第 &P 页 / 共 &N 页"
        ws.oddFooter.right.text = f"{data.year}年度"
        # A streaming sheet writes its views with the first row: the frozen header must be set up front.
        ws.freeze_panes = f"A{header_row + 1}"
        ws.print_title_rows = f"{header_row}:{header_row}"

    def cell(self, value=None, style: str | None = None, *, text: bool = False):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(self.ws, value=value)
        if text and isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"
        if style:
            cell.style = style
        return cell

    def text(self, value: str, style: str | None = None):
        """Words from the books or the treasurer: text even if they start with "=" (never a formula)."""
        if style is None and not (isinstance(value, str) and value.startswith("=")):
            return value
        return self.cell(value, style, text=True)

    def money(self, value: Decimal | str | None, style: str = "money"):
        return self.cell(value, style) if value is not None else self.cell("—", "center")

    def append(self, values: list) -> int:
        self.ws.append(values)
        self.row += 1
        return self.row

    def title_block(self, title: str, period: str, note: str = "") -> None:
        self.ws.merged_cells.add(f"A1:{_col(self.columns)}1")
        self.append([self.cell(title, "title")])
        meta = [self.text(f"编制单位：{self.union_name}")]
        meta += [None] * (self.columns - 3) + [self.cell(period, "center"), self.cell("单位：元", "right")]
        self.append(meta)
        if note:
            self.ws.merged_cells.add(f"A3:{_col(self.columns)}3")
            self.append([self.cell(note, "note")])

    def header(self, labels: list[str]) -> int:
        return self.append([self.cell(label, "header") for label in labels])

    def signatures(self) -> None:
        self.append([])
        per = max(1, self.columns // max(1, len(self.signature_lines)))
        row = [None] * self.columns
        for index, label in enumerate(self.signature_lines):
            row[min(index * per, self.columns - 1)] = self.cell(label, "plain")
        self.append(row)


def _col(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def _styles(workbook) -> None:
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side

    thin = Side(style="thin", color="808080")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    font = "宋体"
    named = [
        NamedStyle(
            "title", font=Font(name="黑体", size=14, bold=True), alignment=Alignment(horizontal="center")
        ),
        NamedStyle("note", font=Font(name=font, size=9, color="9C1C22"), alignment=Alignment(wrap_text=True)),
        NamedStyle("plain", font=Font(name=font, size=10)),
        NamedStyle("center", font=Font(name=font, size=10), alignment=Alignment(horizontal="center")),
        NamedStyle("right", font=Font(name=font, size=10), alignment=Alignment(horizontal="right")),
        NamedStyle(
            "header",
            font=Font(name="黑体", size=10, bold=True),
            fill=PatternFill("solid", fgColor="EEEEEE"),
            border=box,
            alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
        ),
        NamedStyle("label", font=Font(name=font, size=10), border=box),
        NamedStyle("label_bold", font=Font(name="黑体", size=10, bold=True), border=box),
        NamedStyle("money", font=Font(name=font, size=10), border=box, number_format=MONEY),
        NamedStyle("money_bold", font=Font(name="黑体", size=10, bold=True), border=box, number_format=MONEY),
        NamedStyle("date", font=Font(name=font, size=10), border=box, number_format=DATE),
        NamedStyle(
            "boxed", font=Font(name=font, size=10), border=box, alignment=Alignment(horizontal="center")
        ),
    ]
    for style in named:
        workbook.add_named_style(style)


def render_xlsx(
    data: AnnualReportData, journal: Iterable[JournalRow], *, made_at: datetime.datetime | None = None
) -> Rendered:
    from openpyxl import Workbook

    made_at = timezone.localtime(made_at or timezone.now())
    workbook = Workbook(write_only=True)
    _styles(workbook)
    workbook.properties.title = data.title
    workbook.properties.creator = data.union_name
    workbook.properties.created = made_at.replace(tzinfo=None)
    note = (
        ""
        if data.is_closed
        else f"注：{data.year}年度尚未结账，本表数字为截至{made_at:%Y年%m月%d日}已记账凭证的汇总。"
    )

    def sheet(title: str, widths: list[float], titled: bool = True) -> _Sheet:
        header_row = (3 if note else 2) + 1 if titled else 1
        return _Sheet(workbook, title, widths, data, made_at, header_row)

    _summary(sheet("收支情况表", [14, 26, 30, 16, 16]), data, note)
    _trial_balance(sheet("科目余额表", [12, 26, 6, 15, 15, 15, 15, 15, 15]), data, note)
    _journal(sheet("明细账", [11, 10, 10, 34, 11, 22, 15, 15], titled=False), data, journal)
    _income_statement(sheet("收入支出表", [30, 6, 18, 18]), data, note)
    _balance_sheet(sheet("资产负债表", [22, 6, 15, 15, 22, 6, 15, 15]), data, note)
    if data.plan is not None and data.plan.budget is not None:
        _budget(sheet("预算执行表", [12, 26, 16, 16, 12]), data, note)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return file_name(data, "xlsx"), CONTENT_TYPE, buffer.getvalue()


def _budget(s: _Sheet, data: AnnualReportData, note: str) -> None:
    budget = data.plan.budget
    s.title_block(f"{data.union_name}{data.year}年度预算执行表", f"{data.year}年度", note)
    s.header(["科目编码", "项目", "预算数", "实际数", "执行率（%）"])
    for row in budget.rows:
        s.append(
            [
                s.text(row.code, "label"),
                s.text(row.name, "label"),
                s.money(row.budget),
                s.money(row.actual),
                s.cell(row.percent, "label"),
            ]
        )
    s.signatures()


def _summary(s: _Sheet, data: AnnualReportData, note: str) -> None:
    previous = data.previous
    s.title_block(f"{data.union_name}{data.year}年度经费收支情况表", f"{data.year}年度", note)
    s.header(["类别", "项目", "会计科目", "本年数", "上年数"])

    def money_pair(now, before, bold=False):
        style = "money_bold" if bold else "money"
        return [s.money(now, style), s.money(before, style) if previous else s.cell(None, "label")]

    opening = s.append(
        [s.cell("年初经费余额", "label_bold"), s.cell(None, "label"), s.cell(None, "label")]
        + money_pair(data.opening_balance, previous.opening_balance if previous else None, True)
    )

    def lines(category: str, items, empty: str) -> tuple[int, int]:
        first = s.row + 1
        for line in items:
            s.append(
                [
                    s.cell(category, "label"),
                    s.text(line.label, "label"),
                    s.text(f"{line.code} {line.name}", "label"),
                ]
                + money_pair(line.amount, line.previous)
            )
        if not items:
            s.append(
                [s.cell(category, "label"), s.cell(empty, "label"), s.cell(None, "label")]
                + money_pair(ZERO, ZERO)
            )
        return first, s.row

    def total(label: str, span: tuple[int, int]) -> int:
        first, last = span
        return s.append(
            [s.cell(label, "label_bold"), s.cell(None, "label"), s.cell(None, "label")]
            + [
                s.cell(f"=SUM(D{first}:D{last})", "money_bold"),
                s.cell(f"=SUM(E{first}:E{last})" if previous else None, "money_bold"),
            ]
        )

    income_total = total("收入合计", lines("收入", data.income, "本年度没有经费收入"))
    expense_total = total("支出合计", lines("支出", data.expense, "本年度没有经费支出"))
    closing = s.append(
        [
            s.cell("年末经费余额", "label_bold"),
            s.cell("年初余额＋收入合计－支出合计", "label"),
            s.cell(None, "label"),
        ]
        + [
            s.cell(f"=D{opening}+D{income_total}-D{expense_total}", "money_bold"),
            s.cell(f"=E{opening}+E{income_total}-E{expense_total}" if previous else None, "money_bold"),
        ]
    )
    cash = s.append(
        [s.cell("其中", "label"), s.cell("库存现金", "label"), s.cell(None, "label")]
        + money_pair(data.current.cash, previous.cash if previous else None)
    )
    bank = s.append(
        [s.cell("其中", "label"), s.cell("银行存款", "label"), s.cell(None, "label")]
        + money_pair(data.current.bank, previous.bank if previous else None)
    )
    s.append(
        [s.cell("核对", "label"), s.cell("库存现金＋银行存款－年末经费余额", "label"), s.cell(None, "label")]
        + [
            s.cell(f"=D{cash}+D{bank}-D{closing}", "money"),
            s.cell(f"=E{cash}+E{bank}-E{closing}" if previous else None, "money"),
        ]
    )
    s.append(
        [s.cell("备查", "label"), s.cell("上缴上级经费（不计入支出）", "label"), s.cell(None, "label")]
        + money_pair(data.current.remittance_upper, previous.remittance_upper if previous else None)
    )
    s.signatures()


def _sides(amount: Decimal, debit_normal: bool) -> tuple[Decimal, Decimal]:
    """A balance on the account's normal side as (借方, 贷方) columns."""
    signed = amount if debit_normal else -amount
    return (signed, ZERO) if signed >= 0 else (ZERO, -signed)


def _trial_balance(s: _Sheet, data: AnnualReportData, note: str) -> None:
    closed_note = "（结账前：收入、支出科目显示全年发生额）" if data.is_closed else ""
    s.title_block(
        f"{data.union_name}{data.year}年度科目余额表{closed_note}", f"{data.year}年1月1日至12月31日", note
    )
    s.header(
        [
            "科目编码",
            "科目名称",
            "级次",
            "期初借方余额",
            "期初贷方余额",
            "本期借方发生额",
            "本期贷方发生额",
            "期末借方余额",
            "期末贷方余额",
        ]
    )
    first = s.row + 1
    for row in data.current.trial_balance:
        opening = _sides(row.opening, row.account.debit_normal)
        closing = _sides(row.closing, row.account.debit_normal)
        style = "money_bold" if row.level == 1 else "money"
        s.append(
            [
                s.text(row.account.code, "label"),
                s.text(
                    ("　" * (row.level - 1)) + row.account.name, "label_bold" if row.level == 1 else "label"
                ),
                s.cell(row.level, "boxed"),
                s.money(opening[0], style),
                s.money(opening[1], style),
                s.money(row.debit, style),
                s.money(row.credit, style),
                s.money(closing[0], style),
                s.money(closing[1], style),
            ]
        )
    last = max(s.row, first)
    s.append(
        [s.cell("合计", "label_bold"), s.cell("（一级科目）", "label_bold"), s.cell(None, "boxed")]
        + [s.cell(f"=SUMIF($C${first}:$C${last},1,{c}{first}:{c}{last})", "money_bold") for c in "DEFGHI"]
    )
    s.signatures()


def _journal(s: _Sheet, data: AnnualReportData, journal: Iterable[JournalRow]) -> None:
    s.header(["日期", "凭证号", "类型", "摘要", "科目编码", "科目名称", "借方金额", "贷方金额"])
    first = s.row + 1
    for line in journal:
        s.ws.append(
            [
                s.cell(line.date, "date"),
                line.voucher_no,
                line.kind_label,
                s.text(line.memo or line.summary),
                s.text(line.code),
                s.text(line.name),
                s.cell(line.debit, "money") if line.debit else None,
                s.cell(line.credit, "money") if line.credit else None,
            ]
        )
        s.row += 1
    last = max(s.row, first)
    s.append(
        [
            s.cell("合计", "label_bold"),
            None,
            None,
            s.cell(f"{data.year}年度全部已记账分录", "plain"),
            None,
            None,
        ]
        + [s.cell(f"=SUM(G{first}:G{last})", "money_bold"), s.cell(f"=SUM(H{first}:H{last})", "money_bold")]
    )


def _statement_rows(
    s: _Sheet, section: StatementSection, with_previous: bool, heading: str, previous_first: bool = False
) -> int:
    """A section's rows and its total; the total is a formula over the rows it adds (明细 rows are inside
    their account and not added again; a "减：" row is taken off)."""
    s.append(
        [s.cell(heading, "label_bold"), s.cell(None, "boxed"), s.cell(None, "label"), s.cell(None, "label")]
    )
    added: list[tuple[int, int]] = []  # (sheet row, sign)
    for row in section.rows:
        first, second = (row.previous, row.current) if previous_first else (row.current, row.previous)
        label = f"　　{row.label}" if row.is_detail else row.label
        number = s.append(
            [
                s.cell(label, "label"),
                s.cell(row.number, "boxed"),
                s.money(first) if (with_previous or not previous_first) else s.cell(None, "label"),
                s.money(second) if (with_previous or previous_first) else s.cell(None, "label"),
            ]
        )
        if not row.is_detail and row.current is not None:
            added.append((number, row.sign))
    return s.append(
        [
            s.cell(section.total_label, "label_bold"),
            s.cell(section.total_number, "boxed"),
            s.cell(_sum_formula("C", added), "money_bold"),
            s.cell(_sum_formula("D", added) if with_previous else None, "money_bold"),
        ]
    )


def _sum_formula(column: str, rows: list[tuple[int, int]]) -> str:
    if not rows:
        return "=0"
    text = "".join(f"{'+' if sign > 0 else '-'}{column}{row}" for row, sign in rows)
    return "=" + text.lstrip("+")


def _mapping_note(s: _Sheet, data: AnnualReportData) -> None:
    if data.mapping_note:
        s.append([])
        row = s.append([s.cell(data.mapping_note, "note")])
        s.ws.merged_cells.add(f"A{row}:{_col(s.columns)}{row}")
        s.ws.row_dimensions[row].height = 60


def _statement_signatures(s: _Sheet, data: AnnualReportData) -> None:
    s.signature_lines = data.statement_signature_lines
    s.signatures()


def _income_statement(s: _Sheet, data: AnnualReportData, note: str) -> None:
    statement = data.income_statement
    if statement is None:
        s.title_block(f"收入支出表（{data.year}年度）", f"{data.year}年度", note)
        s.append([s.cell(f"本账套使用的会计制度（{data.chart_name}）尚无报表格式", "note")])
        return
    period = data.statements.period_label
    form = f"（{statement.form_label}）" if statement.form_label else ""
    s.title_block(f"{statement.title}{form}", period, note)
    current, previous_label = statement.columns
    previous = statement.has_previous
    first = statement.previous_first
    s.header(["项目", "行次", previous_label if first else current, current if first else previous_label])
    income = _statement_rows(s, statement.income, previous, "一、收入", first)
    expense = _statement_rows(s, statement.expense, previous, "二、支出", first)
    s.append(
        [
            s.cell(f"三、{statement.surplus_label}", "label_bold"),
            s.cell(statement.surplus_number, "boxed"),
            s.cell(f"=C{income}-C{expense}", "money_bold"),
            s.cell(f"=D{income}-D{expense}" if previous else None, "money_bold"),
        ]
    )
    _mapping_note(s, data)
    _statement_signatures(s, data)


def _balance_sheet(s: _Sheet, data: AnnualReportData, note: str) -> None:
    sheet = data.balance_sheet
    if sheet is None:
        s.title_block(f"资产负债表（{data.year}年12月31日）", f"{data.year}年12月31日", note)
        s.append([s.cell(f"本账套使用的会计制度（{data.chart_name}）尚无报表格式", "note")])
        return
    form = f"（{sheet.form_label}）" if sheet.form_label else ""
    s.title_block(f"{sheet.title}{form}", data.statements.date_label, note)
    s.header(["资产", "行次", "年初数", "期末数", "负债和净资产", "行次", "年初数", "期末数"])
    start = s.row + 1
    # Left: assets then 资产合计; right: liabilities, 负债合计, net assets, 净资产合计. Rows are filled in
    # as pairs of (kind, payload) so that both sides can carry formulas that point at their own rows.
    left = [("row", row) for row in sheet.assets.rows]
    right = (
        [("row", row) for row in sheet.liabilities.rows]
        + [("total", (sheet.liabilities.total_label, sheet.liabilities))]
        + [("row", row) for row in sheet.net_assets.rows]
        + [("total", (sheet.net_assets.total_label, sheet.net_assets))]
    )
    height = max(len(left), len(right))
    left += [("blank", None)] * (height - len(left))
    right += [("blank", None)] * (height - len(right))
    liabilities_total = net_total = None
    for offset, (l_item, r_item) in enumerate(zip(left, right, strict=True)):
        row_number = start + offset
        cells = _side_cells(s, l_item, row_number) + _side_cells(s, r_item, row_number)
        if r_item[0] == "total" and r_item[1][1] is sheet.liabilities:
            liabilities_total = row_number
        if r_item[0] == "total" and r_item[1][1] is sheet.net_assets:
            net_total = row_number
        s.append(cells)
    assets = [
        (start + index, row.sign) for index, row in enumerate(sheet.assets.rows) if row.current is not None
    ]
    s.append(
        [
            s.cell(sheet.assets.total_label, "label_bold"),
            s.cell(sheet.assets.total_number, "boxed"),
            s.cell(_sum_formula("C", assets), "money_bold"),
            s.cell(_sum_formula("D", assets), "money_bold"),
            s.cell(sheet.total_label, "label_bold"),
            s.cell(sheet.total_number, "boxed"),
            s.cell(f"=G{liabilities_total}+G{net_total}", "money_bold"),
            s.cell(f"=H{liabilities_total}+H{net_total}", "money_bold"),
        ]
    )
    _mapping_note(s, data)
    _statement_signatures(s, data)


def _side_cells(s: _Sheet, item, row_number: int) -> list:
    kind, payload = item
    if kind == "blank":
        return [s.cell(None, "label"), s.cell(None, "boxed"), s.cell(None, "label"), s.cell(None, "label")]
    if kind == "row":
        return [
            s.cell(payload.label, "label"),
            s.cell(payload.number, "boxed"),
            s.money(payload.previous),
            s.money(payload.current),
        ]
    label, section = payload
    first = row_number - len(section.rows)
    added = [(first + index, row.sign) for index, row in enumerate(section.rows) if row.current is not None]
    return [
        s.cell(label, "label_bold"),
        s.cell(section.total_number, "boxed"),
        s.cell(_sum_formula("G", added), "money_bold"),
        s.cell(_sum_formula("H", added), "money_bold"),
    ]


def render_statements_xlsx(data: AnnualReportData, *, made_at: datetime.datetime | None = None) -> Rendered:
    """资产负债表 and 收入支出表 of ``data.statements`` (any month) as a workbook with formula totals."""
    from openpyxl import Workbook

    made_at = timezone.localtime(made_at or timezone.now())
    workbook = Workbook(write_only=True)
    _styles(workbook)
    workbook.properties.title = f"{data.union_name}{data.statements.period_label}会计报表"
    workbook.properties.creator = data.union_name
    note = (
        ""
        if data.is_closed
        else f"注：{data.year}年度尚未结账，本表数字为截至{made_at:%Y年%m月%d日}已记账凭证的汇总。"
    )

    def sheet(title: str, widths: list[float]) -> _Sheet:
        return _Sheet(workbook, title, widths, data, made_at, (3 if note else 2) + 1)

    _income_statement(sheet("收入支出表", [30, 6, 18, 18]), data, note)
    _balance_sheet(sheet("资产负债表", [22, 6, 15, 15, 22, 6, 15, 15]), data, note)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return statements_file_name(data, "xlsx"), CONTENT_TYPE, buffer.getvalue()


# --- the consolidated (合并) statements ------------------------------------------------------------------


def _consolidated_header(s: _Sheet, consolidated, current: str, previous: str | None) -> None:
    parts = [("本级：" if index == 0 else "") + part.name for index, part in enumerate(consolidated.parts)]
    labels = ["项目", "行次", *(f"{name}\n{current}" for name in parts), "抵销", f"合并\n{current}"]
    s.header(labels + ([f"合并\n{previous}"] if previous else []))


def _consolidated_rows(s: _Sheet, section, heading: str, with_previous: bool) -> int:
    """A section's lines (each part's figure, the 抵销 and the 合并 figure as values) and its total, whose
    figures are formulas over the lines it adds (明细 lines are inside their account; a "减：" line is taken off)."""
    width = len(section.part_totals) + 2 + (1 if with_previous else 0)
    s.append([s.cell(heading, "label_bold"), s.cell(None, "boxed")] + [s.cell(None, "label")] * width)
    added: list[tuple[int, int]] = []
    for line in section.lines:
        figures = [s.money(figure) for figure in line.parts]
        figures.append(s.money(line.eliminated) if line.eliminated else s.cell(None, "label"))
        figures.append(s.money(line.current))
        if with_previous:
            figures.append(s.money(line.previous))
        label = f"　　{line.label}" if line.is_detail else line.label
        number = s.append([s.cell(label, "label"), s.cell(line.number, "boxed"), *figures])
        if not line.is_detail and line.current is not None:
            added.append((number, line.merged.sign))
    columns = [_col(3 + index) for index in range(width)]
    return s.append(
        [s.cell(section.total_label, "label_bold"), s.cell(section.total_number, "boxed")]
        + [s.cell(_sum_formula(column, added), "money_bold") for column in columns]
    )


def _consolidated_income(s: _Sheet, consolidated, note: str) -> None:
    statement = consolidated.income_statement
    current, previous = statement.columns
    previous = previous if statement.has_previous else None
    form = f"（{statement.form_label}）" if statement.form_label else ""
    s.title_block(f"合并{statement.title}{form}", consolidated.period_label, note)
    _consolidated_header(s, consolidated, current, previous)
    income = _consolidated_rows(s, consolidated.income, "一、收入", previous is not None)
    expense = _consolidated_rows(s, consolidated.expense, "二、支出", previous is not None)
    columns = [_col(3 + index) for index in range(s.columns - 2)]
    s.append(
        [s.cell(f"三、{statement.surplus_label}", "label_bold"), s.cell(statement.surplus_number, "boxed")]
        + [s.cell(f"={column}{income}-{column}{expense}", "money_bold") for column in columns]
    )
    s.signatures()


def _consolidated_balance(s: _Sheet, consolidated, note: str) -> None:
    sheet = consolidated.balance_sheet
    form = f"（{sheet.form_label}）" if sheet.form_label else ""
    s.title_block(f"合并{sheet.title}{form}", consolidated.date_label, note)
    _consolidated_header(s, consolidated, "期末数", "年初数")
    _consolidated_rows(s, consolidated.assets, "资产", True)
    liabilities = _consolidated_rows(s, consolidated.liabilities, "负债", True)
    net_assets = _consolidated_rows(s, consolidated.net_assets, "净资产", True)
    columns = [_col(3 + index) for index in range(s.columns - 2)]
    s.append(
        [s.cell(sheet.total_label, "label_bold"), s.cell(sheet.total_number, "boxed")]
        + [s.cell(f"={column}{liabilities}+{column}{net_assets}", "money_bold") for column in columns]
    )
    s.signatures()


def _consolidated_pairs(s: _Sheet, consolidated, note: str) -> None:
    s.title_block(f"{consolidated.union_name}抵销的内部往来", consolidated.period_label, note)
    s.header(["日期", "分工会", "摘要", "金额", "本级凭证", "分工会凭证"])
    first = s.row + 1
    for item in consolidated.eliminated:
        s.append(
            [
                s.cell(item.date, "date"),
                s.text(item.branch_name, "label"),
                s.text(item.summary, "label"),
                s.money(item.amount),
                s.text(item.parent_voucher, "label"),
                s.text(item.branch_voucher, "label"),
            ]
        )
    last = max(s.row, first)
    s.append(
        [s.cell("合计", "label_bold"), s.cell(None, "label"), s.cell(None, "label")]
        + [s.cell(f"=SUM(D{first}:D{last})" if consolidated.eliminated else "=0", "money_bold")]
    )
    for check in consolidated.checks:
        s.append(
            [s.cell(f"{check.title}：{'相符' if check.ok else '不符（' + check.detail + '）'}", "plain")]
        )


def render_consolidated_statements_xlsx(
    consolidated, *, made_at: datetime.datetime | None = None
) -> Rendered:
    """The consolidated 收入支出表 and 资产负债表 (``reports.consolidated_statements.ConsolidatedStatements``):
    本级, each 分工会, 抵销 and 合并 as values on each line, the totals as formulas; and the eliminated pairs."""
    from openpyxl import Workbook

    made_at = timezone.localtime(made_at or timezone.now())
    workbook = Workbook(write_only=True)
    _styles(workbook)
    workbook.properties.title = consolidated.title
    workbook.properties.creator = consolidated.union_name
    note = "合并数＝本级＋各分工会－抵销（补助下级支出与上级补助收入同时抵销）。"
    if not consolidated.is_closed:
        note += f"部分账套尚未结账，本表数字为截至{made_at:%Y年%m月%d日}已记账凭证的汇总。"
    figures = len(consolidated.parts) + 2
    has_previous = consolidated.income_statement.has_previous

    def sheet(title: str, widths: list[float]) -> _Sheet:
        return _Sheet(workbook, title, widths, consolidated, made_at, 4)

    _consolidated_income(
        sheet("合并收入支出表", [26, 6] + [16] * (figures + (1 if has_previous else 0))), consolidated, note
    )
    _consolidated_balance(sheet("合并资产负债表", [26, 6] + [16] * (figures + 1)), consolidated, note)
    _consolidated_pairs(sheet("抵销明细", [12, 24, 30, 15, 18, 18]), consolidated, note)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return f"{consolidated.title}.xlsx", CONTENT_TYPE, buffer.getvalue()
