"""Who may do what in whose books.

Roles are Django groups holding the permissions of ``Voucher.Meta.permissions``; a user acts only in the
unions they are a member of. Site administrators (superusers) may act everywhere.

A member of a union also *reads* the unions under it (its 分工会, and a 总工会's member unions with their
分工会: two levels down), with the role they hold at the top, and never more than reading: the books and the
reports where the role reads them, no recording, review, 结账, audit trail or auditor's seat.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, Max, OuterRef, Q, QuerySet

from ledger.models import Union

TREASURER = "出纳/会计"
COMMITTEE = "工会委员"
AUDITOR = "经费审查"
REVIEWER = "会计主管/审核"
FEDERATION = "总工会"

ROLE_PERMISSIONS = {
    TREASURER: ["record_voucher", "read_books", "download_reports", "close_year"],
    COMMITTEE: ["read_books", "download_reports"],
    AUDITOR: ["read_books", "download_reports", "read_audit_trail"],
    REVIEWER: ["review_voucher", "read_books", "download_reports"],
    # A 总工会 user: the table of the unions under the federation, and each one's reports, read-only.
    FEDERATION: ["download_reports", "read_federation"],
}


def _membership(user: AbstractBaseUser, field: str) -> Exists:
    return Exists(Union.members.through.objects.filter(union_id=OuterRef(field), user_id=user.pk))


def _direct(user: AbstractBaseUser) -> Exists:
    return _membership(user, "pk")


def _above(user: AbstractBaseUser) -> Q:
    """The union's parent or grandparent has the user as a member."""
    return Q(_membership(user, "parent_id")) | Q(_membership(user, "parent__parent_id"))


def unions_for(user: AbstractBaseUser) -> QuerySet[Union]:
    """The unions the user may open at all: their own, and those under them (read-only)."""
    if not user.is_authenticated:
        return Union.objects.none()
    if user.is_superuser:
        return Union.objects.all()
    return Union.objects.filter(Q(_direct(user)) | _above(user))


def _unions_of(user: AbstractBaseUser) -> tuple[frozenset, frozenset]:
    """(own, read from above) union ids. One query per user object (in a view: per request), however many
    role checks a page makes."""
    known = getattr(user, "_unionledger_member_of", None)
    if known is None:
        rows = unions_for(user).annotate(own=_direct(user)).values_list("pk", "own")
        own = frozenset(pk for pk, is_own in rows if is_own)
        known = (own, frozenset(pk for pk, _ in rows) - own)
        user._unionledger_member_of = known
    return known


def _member(user: AbstractBaseUser, union: Union) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return union.pk in _unions_of(user)[0]


def _reader(user: AbstractBaseUser, union: Union) -> bool:
    """A member of the union, or of a union above it (reading only)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    own, above = _unions_of(user)
    return union.pk in own or union.pk in above


def reads_from_above(user: AbstractBaseUser, union: Union) -> bool:
    """The user reads this union as a member of a union above it, not as its own member."""
    return _reader(user, union) and not _member(user, union)


def can_read(user: AbstractBaseUser, union: Union) -> bool:
    return _reader(user, union) and user.has_perm("ledger.read_books")


def can_record(user: AbstractBaseUser, union: Union) -> bool:
    return _member(user, union) and user.has_perm("ledger.record_voucher")


def can_download_reports(user: AbstractBaseUser, union: Union) -> bool:
    return _reader(user, union) and user.has_perm("ledger.download_reports")


def can_read_federation(user: AbstractBaseUser, union: Union) -> bool:
    """The table of the unions under ``union`` (a 总工会's, or a union's own 分工会)."""
    return _member(user, union) and user.has_perm("ledger.read_federation")


def can_read_audit_trail(user: AbstractBaseUser, union: Union) -> bool:
    return _member(user, union) and user.has_perm("ledger.read_audit_trail")


def can_close_year(user: AbstractBaseUser, union: Union) -> bool:
    return _member(user, union) and user.has_perm("ledger.close_year")


def can_review(user: AbstractBaseUser, union: Union) -> bool:
    """审核, 反审核 and 记账 of others' vouchers (会计主管/审核)."""
    return _member(user, union) and user.has_perm("ledger.review_voucher")


def federations_for(user: AbstractBaseUser) -> list[tuple[Union, int | None]]:
    """The unions whose table of member unions the user reads (the 总工会 role, a member of a union with unions
    under it), each with the latest year kept under it. One query, none without the role."""
    if not user.is_authenticated or not user.has_perm("ledger.read_federation"):
        return []
    found = (
        Union.objects.filter(_direct(user), branches__isnull=False)
        .annotate(latest=Max("branches__years__year"))
        .order_by("name")
    )
    return [(union, union.latest) for union in found]
