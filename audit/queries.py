"""Reading the trail: one union's events and the sign-ins of its members, filtered, newest first."""

import datetime

from django.db.models import Count, Max, Q, QuerySet, Sum

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


def trail_state(union: Union) -> tuple[int, int, int]:
    """How many events the union's trail holds, its newest one's id and the sum of their ids: one query.

    The trail is append-only (the database refuses updates and deletes, ledger migration 0005), so a new event
    of any kind raises the newest id, and a membership change (itself an event of the union's) or a member's
    new user name, which move sign-ins into or out of the trail, change the count or the sum. A cached export
    of the trail with any filter is current while these are: the names of the objects its rows show change
    with an event of the trail too (a draft numbered on 记账, a 明细科目 added).
    """
    found = union_trail(union).aggregate(count=Count("id"), newest=Max("id"), ids=Sum("id"))
    return found["count"], found["newest"] or 0, found["ids"] or 0


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
