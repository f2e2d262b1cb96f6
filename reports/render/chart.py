"""The chart of spending by line: an SVG bar chart with Chinese labels, the same on the page and in the PDF.

Pure: figures in, SVG text out. Labels stay text (selectable in the PDF). No inline style attributes, so
the page's content security policy needs nothing special.
"""

from decimal import Decimal
from xml.sax.saxutils import escape

from ledger.money import ZERO, format_amount

WIDTH = 640
LABEL_WIDTH = 210
BAR_MAX = 300
ROW = 30
TOP = 8
MAX_LABEL_CHARS = 15
FONTS = "'Noto Sans CJK SC GB2312', 'Noto Sans CJK SC', 'Source Han Sans SC', 'WenQuanYi Micro Hei', 'Unionledger Han Fallback', sans-serif"


def spending_chart_svg(items: list[tuple[str, Decimal]], *, title: str) -> str:
    """Horizontal bars, largest first, for the (label, amount) pairs with a positive amount."""
    bars = sorted(((label, amount) for label, amount in items if amount > 0), key=lambda item: -item[1])
    if not bars:
        return ""
    largest = bars[0][1]
    total = sum((amount for _, amount in bars), ZERO)
    height = TOP * 2 + ROW * len(bars)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-label="{escape(title, {chr(34): "&quot;"})}" '
        f'font-family="{FONTS}" font-size="13">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (label, amount) in enumerate(bars):
        y = TOP + index * ROW
        length = max(1, round(BAR_MAX * float(amount / largest)))
        shown = label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"
        share = (amount / total * 100).quantize(Decimal("0.1"))
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 19}" text-anchor="end" fill="#1f2328">'
            f"<title>{escape(label)}</title>{escape(shown)}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y + 5}" width="{length}" height="{ROW - 10}" fill="#b4232a"/>'
            f'<text x="{LABEL_WIDTH + length + 6}" y="{y + 19}" fill="#1f2328">'
            f"{format_amount(amount)}（{share}%）</text>"
        )
    parts.append(
        f'<line x1="{LABEL_WIDTH}" y1="{TOP}" x2="{LABEL_WIDTH}" y2="{height - TOP}" stroke="#656d76" stroke-width="1"/>'
    )
    parts.append("</svg>")
    return "".join(parts)
