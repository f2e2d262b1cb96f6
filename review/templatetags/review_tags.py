"""The auditor's parts of the ledger's pages, each included there with one line:

- ``{% voucher_review %}`` on a voucher's page: its marks and 疑点 with their threads, and the forms the
  reader's role allows (the 经费审查 raises, marks, closes or keeps open; the treasurer answers);
- ``{% review_panel %}`` on a year's 首页: the open 疑点, for the treasurer to answer and the auditor to decide.

Both read through ``review.queries`` (two queries each) and write nothing.
"""

from django import template

from ledger import roles
from review import queries
from review.forms import AnswerForm, CheckForm, DecideForm, RaiseForm

register = template.Library()
PANEL_SIZE = 10


@register.inclusion_tag("review/_voucher.html", takes_context=True)
def voucher_review(context) -> dict:
    request = context["request"]
    book = request.book
    voucher = context["voucher"]
    if not voucher.is_posted:
        return {"show": False}
    remarks = queries.voucher_remarks(voucher)
    can_audit = book.can_audit
    return {
        "show": True,
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "book": book.year,
        "voucher": voucher,
        "remarks": remarks,
        "checked": [remark for remark in remarks if remark.kind == "checked"],
        # Each form gets ids of its own: the page has the ledger's upload form and one form per 疑点 besides.
        "questions": [
            (
                remark,
                AnswerForm(auto_id=f"answer{remark.pk}_%s"),
                DecideForm(auto_id=f"decide{remark.pk}_%s"),
            )
            for remark in remarks
            if remark.kind == "query"
        ],
        "can_audit": can_audit,
        "can_answer": roles.can_record(request.user, book.union),
        "raise_form": RaiseForm(
            lines=context.get("lines", ()), scans=context.get("scans", ()), auto_id="raise_%s"
        )
        if can_audit
        else None,
        "check_form": CheckForm(auto_id="check_%s") if can_audit else None,
        "has_reversal": getattr(voucher, "reversed_by", None) is not None,
    }


@register.inclusion_tag("review/_panel.html", takes_context=True)
def review_panel(context) -> dict:
    request = context["request"]
    book = request.book
    can_answer = roles.can_record(request.user, book.union)
    if not (book.can_audit or can_answer):
        return {"show": False}
    found = list(queries.open_queries(book.year)[:PANEL_SIZE])
    return {
        "show": True,
        "book": book.year,
        "remarks": found,
        "can_audit": book.can_audit,
        "can_answer": can_answer,
    }
