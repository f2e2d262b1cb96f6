"""Reading the trail: one union's events and the sign-ins of its members, filtered, newest first."""

import datetime

from django.db.models import Q, QuerySet

from ledger.models import AuditEvent, Union

SIGN_INS = [AuditEvent.Action.LOGIN, AuditEvent.Action.LOGOUT]


def union_trail(union: Union) -> QuerySet[AuditEvent]:
    """A union's trail: what was done in its books, and its members' sign-ins (failed ones by user name).

    Other events without a union (users, roles, restores) are site-wide, whoever made them: not this union's.
    """
    members = union.members.all()
    sign_ins = Q(action__in=SIGN_INS, user__in=members)
    failed_sign_ins = Q(action=AuditEvent.Action.LOGIN_FAILED, username__in=members.values("username"))
    return AuditEvent.objects.filter(Q(union=union) | Q(sign_ins | failed_sign_ins, union__isnull=True))


def events_for(
    union: Union,
    *,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    action: str = "",
    user: str = "",
) -> QuerySet[AuditEvent]:
    events = union_trail(union)
    if start:
        events = events.filter(at__date__gte=start)
    if end:
        events = events.filter(at__date__lte=end)
    if action:
        events = events.filter(action=action)
    if user:
        events = events.filter(username__icontains=user)
    return events.order_by("-at", "-id")
