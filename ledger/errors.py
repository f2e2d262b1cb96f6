"""The one exception family of the books. Messages are Chinese and meant for the user as they are."""


class LedgerError(Exception):
    """A request the books refuse; nothing was written."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class AmountError(LedgerError, ValueError):
    """An amount that is not exact money: a float, a third decimal, zero or negative where not allowed."""


class UnbalancedVoucher(LedgerError):
    """Debits and credits differ, or a voucher has fewer than two lines."""


class UnknownAccount(LedgerError):
    """The account does not exist, is not on the year's chart, or belongs to another union."""


class ClosedYear(LedgerError):
    """The accounting year is closed (结账) and takes no more writes."""


class DateOutsideYear(LedgerError):
    """A date that does not fall inside the voucher's accounting year."""


class PostedVoucherImmutable(LedgerError):
    """A posted voucher cannot change; it can only be reversed."""


class NegativeBalance(LedgerError):
    """A voucher that would take 库存现金 or 银行存款 below zero on some day of the year."""


class YearStateError(LedgerError):
    """A step the year's state does not allow (``ledger.lifecycle``): e.g. closing before the previous year."""
