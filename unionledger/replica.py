"""Reads from a streaming replica, when one is configured (DATABASE_REPLICA_URL), without reading stale writes.

Which request reads where (``ReplicaMiddleware`` decides, a context variable carries it to the router):

- the primary (``default``): every write; every request that is not GET or HEAD; every read inside a
  transaction (a service reading before it writes); the treasurer's own pages; and every request of a user
  who wrote something in the last ``REPLICA_PRIMARY_WINDOW`` seconds (read-your-own-writes);
- the replica: GET and HEAD of the report pages (``REPLICA_VIEWS``: the 财务工作报告, the statements, the
  经费审查报告, the federation's pages) for everyone, and every GET and HEAD of an auditor (经费审查, who
  reads and never records);
- never the replica, whatever the request: the tables of sessions, users and permissions, the sign-in
  lockout, the task queue and the admin (``PRIMARY_ONLY_APPS``), which must be current.

A user "wrote" when a statement that changes data (INSERT, UPDATE, DELETE) committed on the primary during
one of their requests (a POST that changed data, or a GET that enqueued a render); the time the window ends is
kept in their session. Writing a memo of what the request read (``DERIVED_TABLES``: the 总工会's table keeping
the figures it computed) is not the user's writing and leaves their reads where they were. Without
DATABASE_REPLICA_URL there is no "replica" alias and the middleware does nothing.
"""

import contextvars
import time

from django.conf import settings
from django.db import connections, transaction

REPLICA = "replica"
PRIMARY = "default"
SESSION_KEY = "_unionledger_primary_until"

# namespace, or namespace:url name: the pages whose reads go to the replica for every reader.
REPLICA_VIEWS = frozenset(
    {
        "reports:annual",
        "reports:consolidated",
        "reports:consolidated_statements",
        "reports:statements",
        "reports:transition",
        "review:audit_report",
        "federation",
    }
)
PRIMARY_ONLY_APPS = frozenset(
    {"sessions", "auth", "contenttypes", "admin", "axes", "django_tasks_db", "imports"}
)
WRITES = ("insert", "update", "delete")
# Tables of memos computed from what a request read, written by readers (``federation.models.YearFigures``).
DERIVED_TABLES = frozenset({"federation_yearfigures"})

_reads_from: contextvars.ContextVar[str] = contextvars.ContextVar("unionledger_reads_from", default=PRIMARY)


def users_write(sql: str) -> bool:
    """Whether a statement changes the user's data: an INSERT, UPDATE or DELETE of a table not in ``DERIVED_TABLES``."""
    words = sql.lstrip().lower().split(None, 3) + ["", ""]
    if words[0] not in WRITES:
        return False
    # UPDATE t …, INSERT INTO t …, DELETE FROM t …
    table = words[1] if words[0] == "update" else words[2]
    return table.strip('"') not in DERIVED_TABLES


def configured() -> bool:
    return REPLICA in settings.DATABASES


class ReplicaRouter:
    """Reads of the books go where the request's middleware decided; writes and migrations to the primary."""

    def db_for_read(self, model, **hints):
        if (
            _reads_from.get() == REPLICA
            and model._meta.app_label not in PRIMARY_ONLY_APPS
            and not connections[PRIMARY].in_atomic_block
        ):
            return REPLICA
        return PRIMARY

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies of it

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


def reads_replica(request, view_name: str, namespace: str) -> bool:
    """Whether this request may read the replica (see the module's docstring)."""
    if request.method not in ("GET", "HEAD"):
        return False
    user = request.user
    if not user.is_authenticated or request.session.get(SESSION_KEY, 0) > time.time():
        return False
    if view_name in REPLICA_VIEWS or namespace in REPLICA_VIEWS:
        return True
    return user.has_perm("ledger.read_audit_trail") and not user.has_perm("ledger.record_voucher")


class ReplicaMiddleware:
    """Send the request's reads to the replica or the primary, and open the primary window after a write."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not configured():
            return self.get_response(request)
        wrote: list[bool] = []

        def note_write(execute, sql, params, many, context):
            result = execute(sql, params, many, context)
            if not wrote and users_write(sql):
                # Only once it commits: a refused posting rolls back and changed nothing.
                transaction.on_commit(lambda: wrote or wrote.append(True), using=PRIMARY)
            return result

        try:
            with connections[PRIMARY].execute_wrapper(note_write):
                response = self.get_response(request)
        finally:
            token = getattr(request, "_replica_token", None)
            if token is not None:
                _reads_from.reset(token)
        user = getattr(request, "user", None)
        if wrote and user is not None and user.is_authenticated:
            request.session[SESSION_KEY] = time.time() + settings.REPLICA_PRIMARY_WINDOW
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not configured():
            return None
        match = request.resolver_match
        if reads_replica(request, match.view_name, match.namespace):
            request._replica_token = _reads_from.set(REPLICA)
        return None
