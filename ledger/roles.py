"""Who may do what in whose books.

Roles are Django groups holding the permissions of ``Voucher.Meta.permissions``; a user acts only in the
unions they are a member of. Site administrators (superusers) may act everywhere.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from ledger.models import Union

TREASURER = "出纳/会计"
COMMITTEE = "工会委员"
AUDITOR = "经费审查"
REVIEWER = "会计主管/审核"

ROLE_PERMISSIONS = {
    TREASURER: ["record_voucher", "read_books", "download_reports", "close_year"],
    COMMITTEE: ["read_books", "download_reports"],
    AUDITOR: ["read_books", "download_reports", "read_audit_trail"],
    REVIEWER: ["review_voucher", "read_books", "download_reports"],
}


def unions_for(user: AbstractBaseUser) -> QuerySet[Union]:
    if not user.is_authenticated:
        return Union.objects.none()
    if user.is_superuser:
        return Union.objects.all()
    return Union.objects.filter(members=user)


def _member(user: AbstractBaseUser, union: Union) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    # One query per user object (in a view: per request), however many role checks a page makes.
    member_of = getattr(user, "_unionledger_member_of", None)
    if member_of is None:
        member_of = frozenset(Union.objects.filter(members=user).values_list("pk", flat=True))
        user._unionledger_member_of = member_of
    return union.pk in member_of


def can_read(user: AbstractBaseUser, union: Union) -> bool:
    return _member(user, union) and user.has_perm("ledger.read_books")


def can_record(user: AbstractBaseUser, union: Union) -> bool:
    return _member(user, union) and user.has_perm("ledger.record_voucher")


def can_download_reports(user: AbstractBaseUser, union: Union) -> bool:
    return _member(user, union) and user.has_perm("ledger.download_reports")


def can_read_audit_trail(user: AbstractBaseUser, union: Union) -> bool:
    return _member(user, union) and user.has_perm("ledger.read_audit_trail")


def can_close_year(user: AbstractBaseUser, union: Union) -> bool:
    return _member(user, union) and user.has_perm("ledger.close_year")


def can_review(user: AbstractBaseUser, union: Union) -> bool:
    """审核, 反审核 and 记账 of others' vouchers (会计主管/审核)."""
    return _member(user, union) and user.has_perm("ledger.review_voucher")
