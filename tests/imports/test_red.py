"""红字冲销 in the import: negative amounts only as the mirror of a voucher the row names (of the same file or
already in the year's books), imported as a reversal of it; anything else refused by row and column, nothing
written. The cash-book template refuses 红字 and points to the voucher template."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from imports import services
from imports.models import ImportBatch
from ledger import queries, roles
from ledger import services as ledger_services
from ledger.models import Union, Voucher
from tests.conftest import snapshot
from tests.imports.conftest import cashbook, vouchers

D = datetime.date

# A 会费 receipt of 830.00 typed into cash instead of the bank, its 红字冲销 (named in 备注 as the export writes
# it), and the receipt as it should have been.
MISTYPED = [
    [D(2012, 3, 1), "记-0001", "收3月会费", "101", 830, None, None, 1, None],
    [D(2012, 3, 1), "记-0001", "收3月会费", "401", None, 830, None, None, None],
]
REVERSAL = [
    [
        D(2012, 12, 5),
        "记-0001",
        "冲销：误记现金",
        "101",
        -830,
        None,
        None,
        None,
        "红字冲销 2012年3月 记-0001",
    ],
    [
        D(2012, 12, 5),
        "记-0001",
        "冲销：误记现金",
        "401",
        None,
        -830,
        None,
        None,
        "红字冲销 2012年3月 记-0001",
    ],
]
RIGHT = [[D(2012, 12, 5), "记-0002", "收3月会费（更正）", "102", 830, None, "401", None, None]]


def _upload(year, user, content: bytes, kind: str = "vouchers") -> ImportBatch:
    return services.upload(year=year, kind=kind, file_name="账本.xlsx", content=content, user=user)


def _lines(voucher: Voucher) -> list[tuple[str, Decimal, Decimal]]:
    return [(line.account.code, line.debit.amount, line.credit.amount) for line in voucher.lines.all()]


@pytest.mark.parametrize("review_required", [False, True])
def test_a_reversal_of_a_voucher_of_the_same_file_imports_as_its_reversal(
    year, user, media_root, review_required
):
    Union.objects.filter(pk=year.union_id).update(review_required=review_required)
    year.union.refresh_from_db()
    batch = _upload(year, user, vouchers(*MISTYPED, *REVERSAL, *RIGHT))
    analysis = services.analyse(batch)
    assert analysis.ok, analysis.problems
    assert analysis.voucher_count == 3 and analysis.reversed_rows == {2}
    services.confirm(batch=batch, user=user)

    original, reversal, right = Voucher.objects.filter(year=year).exclude(kind="opening").order_by("pk")
    assert [v.state for v in (original, reversal, right)] == ["posted"] * 3  # past books: no review step
    assert (reversal.kind, reversal.reverses_id, original.kind) == ("reversal", original.pk, "normal")
    assert _lines(reversal) == [
        ("101", Decimal("-830.00"), Decimal("0.00")),
        ("401", Decimal("0.00"), Decimal("-830.00")),
    ]
    assert reversal.summary == "冲销：误记现金" and [line.memo for line in reversal.lines.all()] == ["", ""]
    assert (reversal.month, reversal.number, right.number) == (12, 1, 2)
    rows = {row.account.code: row for row in queries.trial_balance(year=year)}
    assert rows["101"].closing == Decimal("1000.00")  # the mistyped cash receipt nets out
    assert (rows["101"].debit, rows["101"].credit) == (Decimal("0.00"), Decimal("0.00"))
    assert rows["102"].closing == Decimal("9830.00")
    assert rows["401"].credit == Decimal("830.00")


def test_a_reversal_of_a_voucher_already_in_the_books_imports(year, user, media_root):
    receipt = ledger_services.record_receipt(
        union=year.union,
        date=D(2012, 3, 1),
        account="401",
        amount="830.00",
        into="cash",
        summary="收3月会费",
        user=user,
    )
    assert (receipt.month, receipt.number) == (3, 1)
    # As a treasurer writes it: the reference in 摘要, a one-row voucher with 对方科目, no 凭证号.
    content = vouchers(
        [D(2012, 12, 5), None, "红冲3月1号凭证 误记现金", "101", -830, None, "401", None, None]
    )
    batch = _upload(year, user, content)
    analysis = services.analyse(batch)
    assert analysis.ok, analysis.problems
    services.confirm(batch=batch, user=user)
    reversal = Voucher.objects.get(year=year, kind="reversal")
    assert (reversal.reverses_id, reversal.state) == (receipt.pk, "posted")
    assert _lines(reversal) == [
        ("101", Decimal("-830.00"), Decimal("0.00")),
        ("401", Decimal("0.00"), Decimal("-830.00")),
    ]
    assert {row.account.code: row.closing for row in queries.trial_balance(year=year)}["101"] == Decimal(
        "1000.00"
    )

    # A second reversal of it, in another file, is refused by its row; nothing written.
    before = snapshot()
    again = _upload(
        year,
        user,
        vouchers([D(2012, 12, 6), "记-0009", "再冲", "101", -830, None, "401", None, "红字冲销 3月 记-0001"]),
    )
    analysis = services.analyse(again)
    assert [str(problem) for problem in analysis.problems] == [
        "第2行“备注”列：凭证2012年3月 记-0001已经冲销过，不能再冲销"
    ]
    assert snapshot() == before


def test_the_books_reversal_lookup_is_one_query_per_chunk(year, user, media_root, django_assert_num_queries):
    for day in (1, 2):
        ledger_services.record_receipt(
            union=year.union,
            date=D(2012, 3, day),
            account="401",
            amount="10.00",
            into="cash",
            summary="收会费",
            user=user,
        )
    content = vouchers(
        [D(2012, 12, 5), "记-0001", "冲", "101", -10, None, "401", None, "红字冲销 3月 记-0001"],
        [D(2012, 12, 5), "记-0002", "冲", "101", -10, None, "401", None, "红字冲销 3月 记-0002"],
    )
    batch = _upload(year, user, content)
    # the year's accounts, closed years, the books' originals, the fingerprints
    with django_assert_num_queries(4):
        analysis = services.analyse(batch)
    assert analysis.ok and analysis.good_count == 2


# Negative amounts that are not a 红字冲销: (rows after the header, the message naming row and column).
BAD_RED = [
    (  # mirrors nothing: no voucher named
        [[D(2012, 3, 1), "记-0001", "退会费", "101", -50, None, "401", None, None]],
        "第2行“借方金额”列：负数金额只用于红字冲销：在“备注”写明冲销的凭证，如“红字冲销 2012年12月 记-0005”",
    ),
    (  # names a voucher that is neither in the file nor in the books
        [[D(2012, 3, 1), "记-0001", "冲", "101", -50, None, "401", None, "红字冲销 2012年2月 记-0007"]],
        "第2行“备注”列：负数金额只用于红字冲销：找不到它冲销的凭证2012年2月 记-0007",
    ),
    (  # names (in 摘要) a voucher that is neither in the file nor in the books
        [[D(2012, 3, 1), "记-0001", "冲销2月7号凭证", "101", -50, None, "401", None, None]],
        "第2行“摘要”列：负数金额只用于红字冲销：找不到它冲销的凭证2012年2月 记-0007",
    ),
    (  # red and black in one voucher
        [
            [D(2012, 3, 1), "记-0001", "冲", "101", -50, None, None, None, "红字冲销 2012年2月 记-0007"],
            [D(2012, 3, 1), "记-0001", "冲", "401", None, 50, None, None, None],
            [D(2012, 3, 1), "记-0001", "冲", "102", None, -100, None, None, None],
        ],
        "第2行“借方金额”列：负数金额只用于红字冲销：一张红字冲销凭证的金额须全为负数",
    ),
    (  # names a voucher of the file it does not mirror (another amount)
        [
            *MISTYPED,
            [D(2012, 12, 5), "记-0001", "冲", "101", -800, None, "401", None, "红字冲销 2012年3月 记-0001"],
        ],
        "第4行“备注”列：负数金额只用于红字冲销：这张凭证与它冲销的凭证2012年3月 记-0001（第2行）不是逐行相反",
    ),
    (  # the opposite side (a 蓝字 reversal written in negatives) is not a mirror
        [
            *MISTYPED,
            [D(2012, 12, 5), "记-0001", "冲", "401", -830, None, "101", None, "红字冲销 2012年3月 记-0001"],
        ],
        "第4行“备注”列：负数金额只用于红字冲销：这张凭证与它冲销的凭证2012年3月 记-0001（第2行）不是逐行相反",
    ),
    (  # the same voucher cancelled twice
        [
            *MISTYPED,
            *REVERSAL,
            [D(2012, 12, 6), "记-0003", "冲", "101", -830, None, "401", None, "红字冲销 3月 记-0001"],
        ],
        "第6行“备注”列：凭证2012年3月 记-0001已在第4行红字冲销过，不能再冲销",
    ),
    (  # before the voucher it cancels
        [
            *MISTYPED,
            [D(2012, 2, 5), "记-0001", "冲", "101", -830, None, "401", None, "红字冲销 2012年3月 记-0001"],
        ],
        "第4行“日期”列：红字冲销的日期不能早于它冲销的凭证2012年3月 记-0001（第2行，2012-03-01）",
    ),
]


@pytest.mark.parametrize(("rows", "message"), BAD_RED)
def test_a_negative_amount_that_is_no_reversal_is_refused_by_row_and_column(
    year, user, media_root, rows, message
):
    before = snapshot()
    batch = _upload(year, user, vouchers(*rows))
    analysis = services.analyse(batch)
    assert not analysis.ok
    assert any(str(problem).startswith(message) for problem in analysis.problems), analysis.problems
    with pytest.raises(Exception, match="没有导入任何数据"):
        services.confirm(batch=batch, user=user)
    assert snapshot() == before


def test_the_cash_book_refuses_red_and_points_to_the_voucher_template(book_client, year, user):
    user.groups.add(Group.objects.get(name=roles.TREASURER))
    before = snapshot()
    batch = _upload(
        year, user, cashbook([D(2012, 3, 1), "退会费", "会费收入", -50, None, "现金", ""]), "cashbook"
    )
    assert [str(problem) for problem in services.analyse(batch).problems] == [
        "第2行“收入金额”列：负数金额只用于红字冲销，收支流水不能写红字：请把冲销写在凭证模板里"
        "（金额为负数，在“备注”写明冲销的凭证，如“红字冲销 2012年12月 记-0005”）"
    ]
    assert snapshot() == before


def test_the_preview_says_what_a_reversal_cancels(book_client, year, user):
    from tests.imports.test_import import preview_of

    ledger_services.record_receipt(
        union=year.union,
        date=D(2012, 2, 1),
        account="401",
        amount="10.00",
        into="cash",
        summary="收会费",
        user=user,
    )
    content = vouchers(
        *MISTYPED,
        *REVERSAL,
        [D(2012, 12, 5), "记-0002", "冲", "101", -10, None, "401", None, "红字冲销 2月 记-0001"],
    )
    _, response = preview_of(book_client, year, content, kind="vouchers")
    page = response.content.decode()
    assert "共 5 行，3 张凭证；可导入 3 张" in page
    assert "可导入（红字冲销第2行起的凭证）" in page
    assert "可导入（红字冲销账中2月 记-0001）" in page
