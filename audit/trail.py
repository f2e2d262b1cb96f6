"""Write the audit trail (操作记录). Called inside the same transaction as the change it records.

The request's client address, as the sign-in lockout sees it (``unionledger.client_address``), is put in a
context variable by ``AuditContextMiddleware`` so that services need not carry it; outside a request (commands,
tests) it is empty.
"""

import contextvars

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from ledger import sql
from ledger.models import AuditEvent, Union
from unionledger.client_address import client_address as request_address

client_address: contextvars.ContextVar[str | None] = contextvars.ContextVar("client_address", default=None)
# Who is acting in the current request, for changes that arrive through signals (users, roles, memberships).
# Set while a backup is being restored: its rows replay history, they are not new changes to record.
replaying: contextvars.ContextVar[bool] = contextvars.ContextVar("replaying", default=False)
current_user: contextvars.ContextVar[AbstractBaseUser | None] = contextvars.ContextVar(
    "current_user", default=None
)


def record(
    action: str,
    *,
    user: AbstractBaseUser | None,
    union: Union | None = None,
    obj: object | None = None,
    summary: str = "",
    changes: dict | None = None,
    username: str = "",
) -> AuditEvent:
    event_ = event(
        action, user=user, union=union, obj=obj, summary=summary, changes=changes, username=username
    )
    event_.save(force_insert=True)
    return event_


def record_many(events: list[AuditEvent]) -> list[AuditEvent]:
    """Write many events built by ``event`` (a batch of vouchers posted at once) in batched INSERTs."""
    return AuditEvent.objects.bulk_create(events, batch_size=2000)


def record_rows(
    *, user: AbstractBaseUser, union: Union | None, rows: list[tuple[str, object, str, dict | None]]
) -> None:
    """Write many events of one user and union, each (action, object, summary, changes), as ``record`` would:
    one multi-row INSERT per as many rows as the database takes parameters (a batch of vouchers posted at once).
    Written as SQL, because building a model object per row cost more than the database's work."""
    from django.db import connection

    if not rows:
        return
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    user_id, username = (user.pk, user.get_username()[:150]) if authenticated else (None, "")
    changes = AuditEvent._meta.get_field("changes")
    address = client_address.get()
    empty = changes.get_db_prep_save({}, connection)
    columns = ("at", "user_id", "username", "action", "union_id", "object_type", "object_id", "summary")
    columns += ("ip_address", "changes")
    values = [
        (
            now,
            user_id,
            username,
            str(action),
            union.pk if union is not None else None,
            type(obj).__name__,
            str(obj.pk),
            summary[:300],
            address,
            changes.get_db_prep_save(data, connection) if data else empty,
        )
        for action, obj, summary, data in rows
    ]
    sql.insert("ledger_auditevent", columns, values)


def event(
    action: str,
    *,
    user: AbstractBaseUser | None,
    union: Union | None = None,
    obj: object | None = None,
    summary: str = "",
    changes: dict | None = None,
    username: str = "",
) -> AuditEvent:
    """The event ``record`` writes, not yet saved."""
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    return AuditEvent(
        action=action,
        user=user if authenticated else None,
        username=(user.get_username() if authenticated else username)[:150],
        union=union,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(getattr(obj, "pk", "") or "") if obj is not None else "",
        summary=summary[:300],
        ip_address=client_address.get(),
        changes=changes or {},
    )


class AuditContextMiddleware:
    """Remember the client address and the acting user of the current request for the audit trail."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        address_token = client_address.set(request_address(request))
        user_token = current_user.set(getattr(request, "user", None))
        try:
            return self.get_response(request)
        finally:
            current_user.reset(user_token)
            client_address.reset(address_token)
