"""Where another app plugs into the books without the ledger importing it.

An app that builds on the ledger (``plan``: budget, dues, spending rules) registers here from its
``AppConfig.ready``; the ledger calls what is registered and never names the app. Each hook is optional:
with nothing registered the ledger behaves as it always did.

- ``payment_extension``: a field group shown under the 支出 form (a form class with a template), a check
  that returns warnings for a payment about to be recorded, and a callback run inside the transaction
  that records it (to keep the facts beside the voucher).
- ``year_checks`` (``register_check``): more year-end checks (the plan's findings and what is owed upward,
  the auditor's open 疑点, the bank reconciliation and the cash count). ``queries.year_checks`` lists them
  after the ledger's own four and before never-negative and all-posted, so the 结账 page, the statements and
  ``close_year`` see them all; a check marked ``required`` stops 结账, the others are warnings. Each takes
  the year and returns its checks in a fixed number of queries.
- ``dashboard_panels``: more sections of a year's 首页, rendered by the registering app.
- ``demo_loaders``: run by ``load_demo`` after the demo unions are in, with the demo treasurer; each adds its
  app's demo data (once: it checks for itself) and returns a line to print, or "".
- ``downloads`` (``register_download``, ``download``): the reports' download of a file the report workers
  render (``reports.views.file_or_wait``: the cached file, else the page that waits for a worker). The books'
  workbooks (``ledger/files.py``) and the 操作记录 workbook (``audit/files.py``) go through it; this one is not
  optional: without it they cannot be had.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django import forms

    from ledger.models import AccountingYear


@dataclass(frozen=True)
class PaymentExtension:
    form_class: type[
        forms.Form
    ]  # bound with prefix "facts" and ``year=``; its ``reason`` field overrides warnings
    template: str  # renders ``facts_form`` under the payment form
    warnings: Callable[..., list[str]]  # (year=, date=, account=, amount=, via=, facts=) → warnings
    recorded: Callable[..., None]  # (voucher=, via=, facts=, warnings=) inside the recording transaction


payment_extensions: list[PaymentExtension] = []
year_checks: list[Callable[[AccountingYear], Iterable[Any]]] = []
dashboard_panels: list[Callable[[AccountingYear, Any], str]] = []
demo_loaders: list[Callable[..., str]] = []  # (year, its YearSummary) → HTML
downloads: list[Callable[..., Any]] = []  # (request, year, kind, month, param) → HttpResponse


def payment_extension() -> PaymentExtension | None:
    return payment_extensions[0] if payment_extensions else None


def register_download(view: Callable[..., Any]) -> None:
    downloads[:] = [view]


def download(request: Any, year: AccountingYear, kind: str, *, param: str = "") -> Any:
    """The file ``kind`` of ``year`` as the report workers render it (``ledger/files.py``), or its waiting page."""
    if not downloads:
        raise RuntimeError(
            "the reports app registers the download of rendered files (hooks.register_download)"
        )
    return downloads[0](request, year, kind, 12, param)


def register_check(check: Callable[[AccountingYear], Iterable[Any]]) -> None:
    if check not in year_checks:
        year_checks.append(check)


def extra_year_checks(year: AccountingYear) -> tuple:
    return tuple(check for provider in year_checks for check in provider(year))


def panels(year: AccountingYear, summary: Any) -> list[str]:
    return [panel(year, summary) for panel in dashboard_panels]
