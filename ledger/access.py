"""Who may open which book page: the one access check of every page of a union-year (both apps).

A union is looked up only among the user's own unions (another union's books are a 404, never a 403 that
would reveal them); then the role decides, refused with a Chinese 403 page. ``book_for`` returns the year
with everything the user may do in it, and leaves it on the request for the navigation
(``unionledger.context_processors.book_nav``).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from ledger import roles
from ledger.models import AccountingYear, Union

# What a page needs → (the role check, the refusal the user reads).
NEEDS: dict[str, tuple[Callable, str]] = {
    "read": (roles.can_read, "您没有查阅本工会账簿的权限，请联系管理员分配角色。"),
    "record": (roles.can_record, "只有出纳/会计可以记账；您的角色只能查阅。"),
    "review": (roles.can_review, "只有会计主管/审核可以审核凭证。"),
    "handle": (
        lambda user, union: roles.can_record(user, union) or roles.can_review(user, union),
        "只有出纳/会计或会计主管/审核可以处理凭证；您的角色只能查阅。",
    ),
    "open_year": (roles.can_record, "只有出纳/会计可以建立会计年度。"),
    "audit": (roles.can_read_audit_trail, "只有经费审查委员可以查看操作记录。"),
    # The 操作记录 and its export (``need="read"``, ``also="audit"``) in one: a user following its render.
    "audit_trail": (
        lambda user, union: roles.can_read(user, union) and roles.can_read_audit_trail(user, union),
        "只有经费审查委员可以查看操作记录。",
    ),
    "close": (roles.can_close_year, "只有出纳/会计可以结账。"),
    "reports": (roles.can_download_reports, "您的角色不能查看本工会的财务报告和报表，请联系管理员分配角色。"),
    "federation": (roles.can_read_federation, "只有总工会的用户可以查看所属工会汇总表。"),
    "edit_text": (
        roles.can_record,
        "只有出纳/会计可以修改财务工作报告的文字；您的角色只能查看和下载。",
    ),
}


@dataclass(frozen=True)
class Book:
    """A union-year as one user may use it."""

    year: AccountingYear
    can_record: bool  # may record in this year (the role, and the year still open)
    can_edit_text: bool  # may edit the report's words (the role, and the year still open: ledger.lifecycle)
    can_audit: bool
    can_close: bool
    can_reports: bool
    can_review: bool = False  # may 审核, 反审核 and 记账 others' vouchers (the role, and the year still open)

    @property
    def union(self) -> Union:
        return self.year.union


def union_for(request: HttpRequest, slug: str, *, need: str = "read") -> Union:
    """The union of the URL if the user belongs to it (else 404) and has what the page needs (else 403)."""
    union = get_object_or_404(roles.unions_for(request.user), slug=slug)
    allowed, message = NEEDS[need]
    if not allowed(request.user, union):
        raise PermissionDenied(message)
    return union


def book_for(request: HttpRequest, slug: str, year: int, *, need: str = "read", also: str = "") -> Book:
    """The union-year of the URL, after checking the user has ``need`` (and then ``also``, once the year is found)."""
    union = union_for(request, slug, need=need)
    found = get_object_or_404(AccountingYear.objects.select_related("union", "chart"), union=union, year=year)
    if also:
        allowed, message = NEEDS[also]
        if not allowed(request.user, union):
            raise PermissionDenied(message)
    user = request.user
    may_record = roles.can_record(user, union)
    book = Book(
        year=found,
        can_record=may_record and not found.is_closed,
        can_edit_text=may_record and not found.is_closed,
        can_audit=roles.can_read_audit_trail(user, union),
        can_close=roles.can_close_year(user, union),
        can_reports=roles.can_download_reports(user, union),
        can_review=roles.can_review(user, union) and not found.is_closed,
    )
    request.book = book
    return book
