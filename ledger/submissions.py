"""Each entry form makes at most one voucher, however often it is posted.

A rendered form carries a one-time token (``new_token``, a hidden field). ``submit_once`` runs the service
and consumes the token in the same transaction (a ``Submission`` row, unique by token). Posted again — a
double click, a resent request, the same form twice in parallel — the token is found taken, and the
caller gets the voucher the first submit made, to show instead of making another. Two parallel submits
both pass the first look; the database's unique index lets one commit and the other roll back whole
(its voucher, its 凭证号 and its audit entries), and that one then finds the first.
"""

import secrets
from collections.abc import Callable

from django.db import IntegrityError, transaction

from ledger.errors import LedgerError
from ledger.models import Submission, Union, Voucher


def new_token() -> str:
    return secrets.token_hex(16)


def _made_with(union: Union, token: str) -> Voucher | None:
    found = Submission.objects.filter(token=token).select_related("voucher__year").first()
    if found is None:
        return None
    if found.voucher.year.union_id != union.pk:
        raise LedgerError("表单已失效，请刷新页面后重新填写")
    return found.voucher


def submit_once(*, union: Union, token: str, write: Callable[[], Voucher]) -> tuple[Voucher, bool]:
    """``(voucher, True)`` after ``write()`` made it with the token consumed alongside; ``(voucher, False)``
    when the token was consumed before, by the submit that made ``voucher``. Two queries more than ``write``."""
    earlier = _made_with(union, token)
    if earlier is not None:
        return earlier, False
    try:
        with transaction.atomic():
            voucher = write()
            Submission.objects.create(token=token, voucher=voucher)
    except IntegrityError:
        earlier = _made_with(union, token)
        if earlier is None:
            raise
        return earlier, False
    return voucher, True
