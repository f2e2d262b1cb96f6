"""Writes of the reports app: the treasurer saves the words of a year's report. Figures are never written."""

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from audit import trail as audit
from ledger import lifecycle
from ledger.models import AccountingYear, AuditEvent
from reports.models import ReportText
from reports.texts import ReportTextValues

TEXT_FIELDS = ReportText.TEXT_FIELDS


@transaction.atomic
def save_report_text(
    *, year: AccountingYear, current: ReportTextValues, values: dict, user: AbstractBaseUser
) -> ReportText | None:
    """Store the report's words for the union-year, with who changed them and when.

    ``current`` is what the report says now (saved or default); ``values`` the edited fields. The audit
    trail records the fields that changed, before and after, in the same transaction. Nothing changed:
    nothing is written and None is returned. A closed year's words are as final as its figures: refused
    (``lifecycle.writable_year``, with a Chinese ``ClosedYear``).
    """
    lifecycle.writable_year(year.pk)
    before = current.as_dict()
    after = before | {key: values[key] for key in TEXT_FIELDS if key in values}
    if isinstance(after["report_date"], datetime.date):
        after["report_date"] = after["report_date"].isoformat()
    changed = [key for key in TEXT_FIELDS if before[key] != after[key]]
    if not changed:
        return None
    text = ReportText.objects.select_for_update().filter(union_id=year.union_id, year=year.year).first()
    if text is None:
        text = ReportText(union_id=year.union_id, year=year.year)
    for key in TEXT_FIELDS:
        setattr(text, key, after[key])
    text.updated_by = user
    text.updated_at = timezone.now()
    text.full_clean()
    text.save()
    audit.record(
        AuditEvent.Action.REPORT_TEXT_CHANGED,
        user=user,
        union=year.union,
        obj=text,
        summary=f"修改{year.year}年度财务工作报告文字："
        + "、".join(str(ReportText._meta.get_field(key).verbose_name) for key in changed),
        changes={
            "before": {key: before[key] for key in changed},
            "after": {key: after[key] for key in changed},
        },
    )
    return text
