"""Reading the trail: one union's events and the sign-ins of its members, filtered, newest first."""

import datetime

from django.db.models import Q, QuerySet

from ledger.models import AuditEvent, Union


def events_for(
    union: Union,
    *,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    action: str = "",
    user: str = "",
) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.filter(Q(union=union) | Q(union__isnull=True, user__in=union.members.all()))
    if start:
        events = events.filter(at__date__gte=start)
    if end:
        events = events.filter(at__date__lte=end)
    if action:
        events = events.filter(action=action)
    if user:
        events = events.filter(username__icontains=user)
    return events.order_by("-at", "-id")
