"""The words of the 财务工作报告: defaults in the genre of the sample report, and what a union saved.

A union that has not edited its report gets defaults: the sample report's paragraphs (篇一) with its own
name put in. A preset file in ``reports/presets/<slug>-<year>.json`` may give a union-year its own
defaults — the demo union uses one to reproduce the sample report word for word.
"""

import datetime
import json
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone

from ledger.charts import facts_for
from ledger.models import AccountingYear
from reports.models import DateStyle, ReportText

PRESET_DIR = Path(__file__).resolve().parent / "presets"

DEFAULT_PRIORITIES = (
    "（一）工会要进一步加强对财务工作的领导。",
    "重视工会经费收缴工作，抓好财务内部控制制度的建设，把握好经费使用的原则、方向和重点，"
    "将工会经费用于为职工群众服务上，用于工会事业发展上。",
    "（二）坚持依法收缴工会经费，加大对工会财务工作的考核力度。",
    "（三）进一步加强工会预算管理制度管理，更好地管好、用好工会经费。",
    "（四）认真学习，不断提高工会财务人员业务水平，使工会财务工作再上一个新台阶。",
)


@dataclass(frozen=True)
class ReportTextValues:
    """The words of one year's report, saved or default. ``labels`` maps account codes to report wording."""

    salutation: str
    mandate: str
    opening: str
    priorities: str
    closing: str
    report_date: datetime.date
    date_style: str
    labels: tuple[tuple[str, str], ...]
    session: str = ""  # 大会届次, e.g. 第八届第四次会员代表大会
    expense_order: tuple[str, ...] = ()  # the treasurer's order of the spending lines (account codes)
    saved: bool = False
    updated_at: datetime.datetime | None = None
    updated_by: str = ""

    @property
    def priority_paragraphs(self) -> list[str]:
        return [line.strip() for line in self.priorities.splitlines() if line.strip()]

    @property
    def numeric_date(self) -> bool:
        return self.date_style == DateStyle.NUMERIC

    def label_for(self, code: str) -> str | None:
        return dict(self.labels).get(code)

    def as_dict(self) -> dict:
        """The editable fields as plain JSON values (for the audit trail's before/after)."""
        return {
            "salutation": self.salutation,
            "mandate": self.mandate,
            "opening": self.opening,
            "priorities": self.priorities,
            "closing": self.closing,
            "report_date": self.report_date.isoformat(),
            "date_style": self.date_style,
            "labels": dict(self.labels),
            "session": self.session,
            "expense_order": list(self.expense_order),
        }


def organisation_name(union_name: str) -> str:
    """巴林左旗医院工会 → 巴林左旗医院: the employer, as the sample names it."""
    return union_name[: -len("工会")] if union_name.endswith("工会") and len(union_name) > 2 else union_name


def default_report_date(year: int, today: datetime.date | None = None) -> datetime.date:
    """Today if it falls in the following year (reports are written then), otherwise 31 March of it."""
    today = today or timezone.localdate()
    return today if today.year == year + 1 else datetime.date(year + 1, 3, 31)


def _preset(slug: str, year: int) -> dict:
    path = PRESET_DIR / f"{slug}-{year}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def default_text(
    year: AccountingYear, account_names: dict[str, str], *, remitted_in_full: bool = True
) -> ReportTextValues:
    """The defaults for a union-year; ``account_names`` (code → name) resolves a preset's labels."""
    union = year.union
    org = organisation_name(union.name)
    preset = _preset(union.slug, year.year)
    # How the report names an account where the chart's name reads badly in a sentence (the sample says
    # 会员会费收缴 and 单位补助, not 会费收入 and 行政补助收入): a fact of the chart, in its data file.
    labels = dict(facts_for(year.chart).report_labels)
    by_name = preset.get("labels_by_name", {})
    labels.update({code: by_name[name] for code, name in account_names.items() if name in by_name})
    labels = {code: label for code, label in labels.items() if code in account_names}
    report_date = preset.get("report_date")
    return ReportTextValues(
        salutation=preset.get("salutation", "各位领导、各位代表："),
        mandate=preset.get(
            "mandate", f"我受{union.name}委员会的委托，向大会作{year.year}年度工会财务工作报告，请予以审议。"
        ),
        opening=preset.get(
            "opening",
            f"{year.year}年，{union.name}财务工作在上级工会的正确领导下，在{org}领导班子的高度重视和大力支持下，"
            "在工会财务、经费审查人员的共同努力下，紧紧围绕工会工作大局，开拓进取，突出维护职工权益，"
            "在财务管理上求规范，在经费管理上求实效，"
            # 足额及时拨缴 is claimed only when nothing is still owed upward (应付上级经费 at zero).
            + ("保证了经费足额及时拨缴，" if remitted_in_full else "")
            + "为工会开展好各项职工活动奠定了坚实的基础。"
            "借此机会，向一贯支持和关心工会建设的各级领导、各有关部门和全体会员表示衷心的感谢！",
        ),
        priorities=preset.get("priorities", "\n".join(DEFAULT_PRIORITIES)),
        closing=preset.get(
            "closing",
            "各位领导、各位代表，我们将紧紧围绕工会的中心工作，以服务为宗旨，进一步加强工会财务管理，"
            "竭尽全力收好、管好、用好工会经费，为开创工会财务工作新局面做出新的贡献！",
        ),
        report_date=datetime.date.fromisoformat(report_date)
        if report_date
        else default_report_date(year.year),
        date_style=preset.get("date_style", DateStyle.CHINESE),
        labels=tuple(sorted(labels.items())),
        session=preset.get("session", ""),
    )


def text_values(
    saved: ReportText | None,
    year: AccountingYear,
    account_names: dict[str, str],
    *,
    remitted_in_full: bool = True,
) -> ReportTextValues:
    """What the report says: the saved text, with default labels for accounts it has no wording for."""
    defaults = default_text(year, account_names, remitted_in_full=remitted_in_full)
    if saved is None:
        return defaults
    labels = dict(defaults.labels) | {code: label for code, label in (saved.labels or {}).items() if label}
    return ReportTextValues(
        salutation=saved.salutation,
        mandate=saved.mandate,
        opening=saved.opening,
        priorities=saved.priorities,
        closing=saved.closing,
        report_date=saved.report_date,
        date_style=saved.date_style,
        labels=tuple(sorted(labels.items())),
        session=saved.session,
        expense_order=tuple(str(code) for code in saved.expense_order or ()),
        saved=True,
        updated_at=saved.updated_at,
        updated_by=(saved.updated_by.get_full_name() or saved.updated_by.get_username())
        if saved.updated_by
        else "",
    )
