"""Pure money rules of the plan: the levy split, dues of a wage base, 人均. No database."""

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from ledger.money import CENT, ZERO

HUNDRED = Decimal(100)
THOUSAND = Decimal(1000)
_STEPS = {"fen": CENT, "jiao": Decimal("0.1"), "yuan": Decimal("1")}


def levy_split(total: Decimal, kept_percent: Decimal) -> tuple[Decimal, Decimal]:
    """(kept, owed upward) of a levy receipt. The kept share is rounded half up to the 分 and the upward
    share is the rest, so the two always add up to the receipt exactly (e.g. 0.05 at 60%: 0.03 + 0.02)."""
    kept = (total * kept_percent / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)
    return kept, total - kept


def dues_base(wage: Decimal) -> Decimal:
    """The wage the dues are taken of: the tail under 10 元 is ignored (3,456.78 → 3,450)."""
    return (wage / 10).to_integral_value(rounding=ROUND_FLOOR) * 10


def monthly_dues(wage: Decimal, permille: Decimal, rounding: str = "fen") -> Decimal:
    """A month's dues: ``permille`` ‰ of the base, rounded half up to the union's step (分, 角 or 元)."""
    raw = dues_base(wage) * permille / THOUSAND
    return raw.quantize(_STEPS[rounding], rounding=ROUND_HALF_UP).quantize(CENT)


def per_head(amount: Decimal, headcount: int | None) -> Decimal | None:
    if not headcount:
        return None
    return (amount / headcount).quantize(CENT, rounding=ROUND_HALF_UP)


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part`` as a percentage of ``whole`` to one decimal (None when there is no whole)."""
    if not whole:
        return None
    return (part * HUNDRED / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


__all__ = ["ZERO", "dues_base", "levy_split", "monthly_dues", "per_head", "percent"]
