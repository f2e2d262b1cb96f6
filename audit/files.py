"""The 操作记录 workbook as a file named by a short ``param``: the report workers render it (the kind is registered
by ``reports``, which the audit trail never imports) and the export view asks for it through
``ledger.hooks.download``, so the trail is never written into a workbook in the web request.

``param`` holds the valid filters of ``audit.forms.AuditFilterForm``, one tagged part each, in a fixed order and
joined by dashes: ``s20120101`` (从), ``e20121231`` (到), ``avoucherreversed`` (the action's value without its
underscores), and the user filter either as it is (``ureview``: letters and digits only) or as the hex of its
UTF-8 (``xe5bca0``: 张, or anything else); ``all`` when nothing is filtered. It names the cached
file and is kept in ``RenderJob.param``, so it stays within ``PARAM_LENGTH`` letters, digits and dashes: a user
filter too long for that is refused (``export_param``), and a param that is not what ``export_param`` makes of
its own filters is refused too (``filters_of``), with the ledger's Chinese error.
"""

import datetime
import re
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from audit import exports
from audit.queries import events_for
from audit.readable import readable_stream
from ledger.errors import LedgerError
from ledger.models import AccountingYear, AuditEvent

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Rendered = tuple[str, str, bytes]
PARAM_LENGTH = 64  # RenderJob.param
EVERYTHING = "all"
# An action's value without its underscores → the value (``voucherreversed`` → ``voucher_reversed``).
ACTIONS = {value.replace("_", ""): value for value in AuditEvent.Action.values}
PLAIN = re.compile(r"[A-Za-z0-9]+")
TOO_LONG = "“用户”筛选条件太长，无法导出：请只填写用户名中的一段（如两三个汉字或十几个字母）后再导出。"
GARBLED = "下载地址有误，请从操作记录页面重新导出。"


def _day(day: datetime.date) -> str:
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def export_param(
    *,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    action: str = "",
    user: str = "",
) -> str:
    """The ``param`` of the trail filtered by ``audit.forms.AuditFilterForm.filters()``; one per set of filters.

    Raises ``LedgerError`` when the user filter makes it longer than ``PARAM_LENGTH``.
    """
    parts = []
    if start:
        parts.append("s" + _day(start))
    if end:
        parts.append("e" + _day(end))
    if action:
        parts.append("a" + action.replace("_", ""))
    if user:
        parts.append(("u" + user) if PLAIN.fullmatch(user) else ("x" + user.encode().hex()))
    param = "-".join(parts) or EVERYTHING
    if len(param) > PARAM_LENGTH:
        raise LedgerError(TOO_LONG)
    return param


def _date(text: str) -> datetime.date:
    if not re.fullmatch(r"[0-9]{8}", text):
        raise LedgerError(GARBLED)
    try:
        return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise LedgerError(GARBLED) from None


def _user(text: str) -> str:
    try:
        return bytes.fromhex(text).decode()
    except ValueError:  # odd length, not hex, not UTF-8
        raise LedgerError(GARBLED) from None


def filters_of(param: str) -> dict:
    """The filters ``param`` names, for ``audit.queries.events_for``; a forged or garbled one: ``LedgerError``."""
    if param == EVERYTHING:
        return {}
    filters: dict = {}
    for part in param.split("-"):
        tag, value = part[:1], part[1:]
        if tag == "s" and "start" not in filters:
            filters["start"] = _date(value)
        elif tag == "e" and "end" not in filters:
            filters["end"] = _date(value)
        elif tag == "a" and value in ACTIONS and "action" not in filters:
            filters["action"] = ACTIONS[value]
        elif tag in ("u", "x") and value and "user" not in filters:
            filters["user"] = value if tag == "u" else _user(value)
        else:
            raise LedgerError(GARBLED)
    if len(filters.get("user", "")) > 150 or filters.get("user", "x").strip() != filters.get("user", "x"):
        raise LedgerError(GARBLED)
    try:
        canonical = export_param(**filters)
    except LedgerError:
        raise LedgerError(GARBLED) from None
    if canonical != param:  # the parts out of order, a plain user filter in hex, …: not a param we made
        raise LedgerError(GARBLED)
    return filters


def trail_workbook(year: AccountingYear, param: str) -> Rendered:
    """The union's trail with the filters of ``param``, newest first, as the 操作记录 page shows it."""
    union = year.union
    events = events_for(union, **filters_of(param))
    rows = readable_stream(events.iterator(chunk_size=2000))
    content = exports.audit_workbook(rows, title=f"{union.name} 操作记录")
    return f"{union.name}-操作记录-{timezone.localdate():%Y%m%d}.xlsx", XLSX, content


def trail_workbook_url(year: AccountingYear, param: str) -> str:
    """The export's URL with the page's filters (the trail's page itself if ``param`` is not one we made)."""
    args = [year.union.slug, year.year]
    try:
        filters = filters_of(param)
    except LedgerError:
        return reverse("audit:trail", args=args)
    query = {key: value.isoformat() if key in ("start", "end") else value for key, value in filters.items()}
    return reverse("audit:export", args=args) + (f"?{urlencode(query)}" if query else "")
