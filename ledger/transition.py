"""新旧制度衔接: carrying a closed year's balances into a next year kept on another chart.

When the next year uses the same chart, 结账 carries every balance to the same account. When it uses another
chart (a union on the 2009 chart closing 2021 into a 2022 kept on the 2021 chart), every balance goes through
a mapping table kept as data (``ledger/charts/mapping-<old>-<new>.json``: 旧科目 → 新科目, with a note).
Between two versions of one form (a chart loaded by ``import_chart`` that corrects a chart file) the mapping is
by code. A balance whose account has no new account refuses the close, naming the account.

A union's own 明细科目 follow their parent: each becomes a 明细 of the same name under the new account of
its parent (or that 明细 itself where the new account already has one of the name), so a receivable from a
named person or the treasurer's own spending lines keep their identity in the new books; merging them into
the parent would lose the subsidiary ledger the auditor reads.

``plan`` only reads (one or two queries); ``ledger.services.close_year`` writes what it plans.
"""

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from ledger.charts import CHART_DIR
from ledger.models import Account, AccountingYear, AccountType, Chart
from ledger.money import ZERO
from ledger.queries import leaf_balances

BALANCE_TYPES = (AccountType.ASSET, AccountType.LIABILITY, AccountType.NET_ASSETS)


@dataclass(frozen=True)
class MappingRow:
    old_code: str
    new_code: str
    note: str = ""


@dataclass(frozen=True)
class MappingTable:
    old_form: str
    new_form: str
    name: str
    source: str
    sub_accounts: str
    rows: tuple[MappingRow, ...]

    def target(self, code: str) -> MappingRow | None:
        return next((row for row in self.rows if row.old_code == code), None)


@functools.cache
def mapping_table(old_form: str, new_form: str) -> MappingTable | None:
    """The mapping file from one chart file's accounts to another's, if there is one."""
    path = CHART_DIR / f"mapping-{old_form}-{new_form}.json"
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return MappingTable(
        old_form=data["from"],
        new_form=data["to"],
        name=data.get("name", ""),
        source=data.get("source", ""),
        sub_accounts=data.get("sub_accounts", ""),
        rows=tuple(MappingRow(*row) for row in data["accounts"]),
    )


def form_of(chart: Chart) -> str:
    """The chart file a chart follows: itself, or the file an imported version corrects."""
    return chart.form_code or chart.code


@dataclass(frozen=True)
class Move:
    """One balance carried over: the old account, its balance (借 minus 贷) and where it goes.

    ``new`` is the new account when it exists; otherwise ``create_under`` names the new parent account
    under which a 明细 called ``new_name`` is made (a union's own 明细科目). ``new`` and ``create_under``
    are both None for a balance with nowhere to go.
    """

    old: Account
    amount: Decimal
    new_code: str
    new_name: str
    new: Account | None
    create_under: Account | None = None
    note: str = ""

    @property
    def mapped(self) -> bool:
        return self.new is not None or self.create_under is not None

    @property
    def memo(self) -> str:
        target = f"{self.new_code} {self.new_name}" if self.new_code else f"{self.new_name}（新建明细）"
        return f"新旧制度衔接：旧科目{self.old.code} {self.old.name} → 新科目{target}"


@dataclass(frozen=True)
class Transition:
    """The move of one union's balances from ``old_chart`` to ``new_chart``, and the table it follows."""

    old_chart: Chart
    new_chart: Chart
    table: MappingTable | None  # None: by code (two versions of one form)
    moves: tuple[Move, ...]
    old_names: dict[str, str] = field(default_factory=dict)  # the charts' own accounts: code → name
    new_names: dict[str, str] = field(default_factory=dict)

    @property
    def table_rows(self) -> list[tuple[str, str, str, str, str, Decimal]]:
        """The mapping table as the 对照表 prints it: (旧编码, 旧名称, 新编码, 新名称, 说明, 转入金额), the
        amount being what the old account and its 明细 carried (借 minus 贷)."""
        rows = self.table.rows if self.table else [MappingRow(code, code) for code in sorted(self.old_names)]
        moved: dict[str, Decimal] = {}
        for move in self.moves:
            owner = max(
                (code for code in self.old_names if move.old.code.startswith(code)), key=len, default=""
            )
            moved[owner] = moved.get(owner, ZERO) + move.amount
        return [
            (
                row.old_code,
                self.old_names.get(row.old_code, ""),
                row.new_code,
                self.new_names.get(row.new_code, "（新科目表中没有）"),
                row.note,
                moved.get(row.old_code, ZERO),
            )
            for row in rows
        ]

    @property
    def unmapped(self) -> tuple[Move, ...]:
        return tuple(move for move in self.moves if not move.mapped and move.amount)

    @property
    def total_debit(self) -> Decimal:
        return sum((move.amount for move in self.moves if move.amount > 0), ZERO)

    @property
    def total_credit(self) -> Decimal:
        return sum((-move.amount for move in self.moves if move.amount < 0), ZERO)

    def refusal(self) -> str:
        """The Chinese message refusing the close while a balance has nowhere to go ("" when all map)."""
        if not self.unmapped:
            return ""
        names = "、".join(
            f"{move.old.code} {move.old.name}（余额{abs(move.amount)}）" for move in self.unmapped
        )
        return (
            f"不能结转到{self.new_chart.name}：以下科目有余额，但新旧科目对照表中没有对应的新科目：{names}。"
            "请先把这些余额转入有对应科目的科目，或补充对照表。"
        )


def plan(
    *, union_id: int, old_chart: Chart, new_chart: Chart, closing: Mapping[Account, Decimal]
) -> Transition:
    """Where each closing balance (借 minus 贷, by old account) goes in ``new_chart``. Two queries."""
    table = mapping_table(form_of(old_chart), form_of(new_chart))
    old_accounts = {
        account.pk: account
        for account in Account.objects.filter(chart=old_chart).filter(
            Q(union__isnull=True) | Q(union_id=union_id)
        )
    }
    new_accounts = list(
        Account.objects.filter(chart=new_chart).filter(Q(union__isnull=True) | Q(union_id=union_id))
    )
    new_by_code = {account.code: account for account in new_accounts if account.union_id is None}
    children: dict[tuple[int, str], Account] = {
        (account.parent_id, account.name): account for account in new_accounts if account.parent_id
    }

    def standard_target(code: str) -> tuple[Account | None, str]:
        if table is None:
            return new_by_code.get(code), ""
        row = table.target(code)
        if row is None:
            return None, ""
        return new_by_code.get(row.new_code), row.note

    def target(account: Account) -> tuple[Account | None, Account | None, str]:
        """(the new account, or the new parent to create a 明细 under, the note)."""
        if account.union_id is None:
            found, note = standard_target(account.code)
            return found, None, note
        parent = old_accounts.get(account.parent_id)
        if parent is None:
            return None, None, ""
        new_parent, create_parent, note = target(parent)
        if new_parent is None:
            # The parent itself is still to be made: make this one under it, by name, later.
            return None, create_parent, note
        existing = children.get((new_parent.pk, account.name))
        if existing is not None:
            return existing, None, note
        return None, new_parent, note

    moves = []
    for account, amount in sorted(closing.items(), key=lambda item: item[0].code):
        new, create_under, note = target(old_accounts.get(account.pk, account))
        if new is not None:
            moves.append(Move(account, amount, new.code, new.name, new, None, note))
        elif create_under is not None:
            moves.append(Move(account, amount, "", account.name, None, create_under, note))
        else:
            moves.append(Move(account, amount, "", "（无对应科目）", None, None, note))
    return Transition(
        old_chart=old_chart,
        new_chart=new_chart,
        table=table,
        moves=tuple(moves),
        old_names={a.code: a.name for a in old_accounts.values() if a.union_id is None},
        new_names={code: account.name for code, account in new_by_code.items()},
    )


def closing_balances(year: AccountingYear) -> dict[Account, Decimal]:
    """The balance-sheet balances ``year`` ends with (借 minus 贷), its income less spending in its 结余
    account as 结账 puts it there. Two queries (three when 结余 has no line of its own); the same figures
    before and after 结账."""
    rows = leaf_balances(year=year, include_closing=False)
    closing: dict[Account, Decimal] = {}
    net = ZERO  # income less spending, as 借 minus 贷 of the income and spending accounts
    surplus = None
    for row in rows:
        if row.account.type in BALANCE_TYPES:
            closing[row.account] = row.closing_debit
            if row.account.code == year.chart.surplus_code and row.account.union_id is None:
                surplus = row.account
        else:
            net += row.closing_debit
    if net:
        if surplus is None:
            surplus = Account.objects.get(chart=year.chart, union__isnull=True, code=year.chart.surplus_code)
        closing[surplus] = closing.get(surplus, ZERO) + net
    return {account: amount for account, amount in closing.items() if amount}


def next_chart(year: AccountingYear) -> Chart:
    """The chart of the year after ``year``: the one it was opened on, or the one it will open on."""
    from ledger.services import chart_for_year  # noqa: PLC0415 - the services call this module

    following = (
        AccountingYear.objects.select_related("chart")
        .filter(union_id=year.union_id, year=year.year + 1)
        .first()
    )
    return following.chart if following is not None else chart_for_year(year.year + 1)


def preview(year: AccountingYear) -> Transition | None:
    """What closing ``year`` would carry into a next year on another chart (None: same chart)."""
    new_chart = next_chart(year)
    if new_chart.pk == year.chart_id:
        return None
    return plan(
        union_id=year.union_id, old_chart=year.chart, new_chart=new_chart, closing=closing_balances(year)
    )


def into(year: AccountingYear) -> Transition | None:
    """The move into ``year`` from the year before it on another chart (None: no such year, or same chart)."""
    before = (
        AccountingYear.objects.select_related("chart", "union")
        .filter(union_id=year.union_id, year=year.year - 1)
        .first()
    )
    if before is None or before.chart_id == year.chart_id:
        return None
    return plan(
        union_id=year.union_id, old_chart=before.chart, new_chart=year.chart, closing=closing_balances(before)
    )


def for_year(year: AccountingYear) -> Transition | None:
    """The 对照表 a year's pages show: the move into it from the year before, or else the move its own
    结账 will make into the next year (None: the chart stays the same on both sides)."""
    return into(year) or preview(year)
