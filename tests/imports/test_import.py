"""Import of past books: every bad file refused with its row and column and nothing written; preview → confirm;
a second import refused; missing 明细科目 created from the preview; the preview's query count."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from imports import services
from imports.models import ImportBatch, ImportedVoucher
from ledger import queries
from ledger import services as ledger_services
from ledger.models import AuditEvent, Voucher
from tests.conftest import download, settle_year_end, snapshot
from tests.imports.conftest import CASHBOOK_HEADER, cashbook, url, vouchers, xlsx

D = datetime.date


def upload(client, year, content: bytes, kind: str = "cashbook", name: str = "账本.xlsx"):
    return client.post(url("start", year), {"kind": kind, "file": SimpleUploadedFile(name, content)})


def preview_of(client, year, content: bytes, kind: str = "cashbook"):
    response = upload(client, year, content, kind)
    assert response.status_code == 302, response.content.decode()[:2000]
    batch = ImportBatch.objects.latest("pk")
    return batch, client.get(url("preview", year, batch.pk))


GOOD = [
    [D(2012, 3, 1), "收3月会费", "会费收入", 620, None, "现金", ""],
    [D(2012, 3, 2), "三八节慰问品", "其他活动支出", None, "123.40", "现金", "百货大楼"],
    [D(2012, 3, 5), "单位补助", "405", "30,000.00", None, "银行", ""],
]


def test_cashbook_preview_then_confirm_posts_every_row(book_client, year, user):
    batch, response = preview_of(book_client, year, cashbook(*GOOD))
    page = response.content.decode()
    assert "共 3 行，3 张凭证；可导入 3 张" in page
    assert Voucher.objects.filter(year=year).count() == 1  # only the opening: the preview writes nothing
    response = book_client.post(url("confirm", year, batch.pk))
    assert response.status_code == 302
    imported = list(Voucher.objects.filter(year=year, kind="normal").order_by("number"))
    assert [(v.date, v.summary, v.state) for v in imported] == [
        (D(2012, 3, 1), "收3月会费", "posted"),
        (D(2012, 3, 2), "三八节慰问品", "posted"),
        (D(2012, 3, 5), "单位补助", "posted"),
    ]
    rows = {row.account.code: row for row in queries.trial_balance(year=year)}
    assert rows["101"].closing == Decimal("1000.00") + Decimal("620.00") - Decimal("123.40")
    assert rows["102"].closing == Decimal("39000.00")
    assert rows["401"].credit == Decimal("620.00")
    assert rows["50104"].debit == Decimal("123.40")
    assert imported[1].lines.get(position=1).memo == "百货大楼"  # 备注 goes onto the lines
    event = AuditEvent.objects.get(action=AuditEvent.Action.BOOKS_IMPORTED)
    assert event.changes["rows"] == 3 and event.changes["sha256"] == batch.sha256
    assert event.changes["file"] == "账本.xlsx"
    assert ImportBatch.objects.get(pk=batch.pk).state == "done"


def test_voucher_template_groups_rows_and_takes_one_row_with_counter_account(book_client, year):
    content = vouchers(
        [D(2012, 4, 1), "1", "拨缴经费", "102", 1000, None, None, 2, None],
        [D(2012, 4, 1), "1", "", "拨缴经费收入", None, 600, None, None, None],
        [D(2012, 4, 1), "1", "", "应付上级经费", None, 400, None, None, None],
        ["2012/4/2", None, "提现", "库存现金", 500, None, "银行存款", None, None],
    )
    batch, response = preview_of(book_client, year, content, kind="vouchers")
    assert "共 4 行，2 张凭证；可导入 2 张" in response.content.decode()
    services.confirm(batch=batch, user=batch.created_by)
    first, second = Voucher.objects.filter(year=year, kind="normal").order_by("number")
    assert first.attachment_count == 2
    assert [(line.account.code, line.debit.amount, line.credit.amount) for line in first.lines.all()] == [
        ("102", Decimal("1000.00"), Decimal("0.00")),
        ("402", Decimal("0.00"), Decimal("600.00")),
        ("221", Decimal("0.00"), Decimal("400.00")),
    ]
    assert [(line.account.code, line.debit.amount, line.credit.amount) for line in second.lines.all()] == [
        ("101", Decimal("500.00"), Decimal("0.00")),
        ("102", Decimal("0.00"), Decimal("500.00")),
    ]


# Every bad row: (the kind, the file's rows after the header, the message naming row and column).
BAD_ROWS = [
    (
        "cashbook",
        [[D(2012, 3, 1), "会费", "会费收入", "abc", None, "现金", ""]],
        "第2行“收入金额”列：不是金额：abc",
    ),
    (
        "cashbook",
        [[D(2012, 3, 1), "会费", "会费收入", 10, 10, "现金", ""]],
        "第2行“支出金额”列：收入金额和支出金额只能填一个",
    ),
    (
        "cashbook",
        [[D(2013, 1, 5), "会费", "会费收入", 10, None, "现金", ""]],
        "第2行“日期”列：2013-01-05不在2012年度内",
    ),
    (
        "cashbook",
        [["三月一日", "会费", "会费收入", 10, None, "现金", ""]],
        "第2行“日期”列：不是日期：三月一日",
    ),
    (
        "cashbook",
        [[D(2012, 3, 1), "会费", "会废收入", 10, None, "现金", ""]],
        "第2行“类别”列：没有科目“会废收入”。最接近的科目：会费收入",
    ),
    (
        "cashbook",
        [[D(2012, 3, 1), "会费", "会费收入", 10, None, "支付宝", ""]],
        "第2行“账户”列：应为“现金”或“银行”：支付宝",
    ),
    (
        "cashbook",
        [[D(2012, 3, 1), "会费", "会费收入", "10.005", None, "现金", ""]],
        "第2行“收入金额”列：金额最多两位小数",
    ),
    (
        "vouchers",
        [
            [D(2012, 4, 1), "1", "拨缴经费", "102", 1000, None, None, None, None],
            [D(2012, 4, 1), "1", "", "402", None, 600, None, None, None],
        ],
        "第3行“借方金额”列：凭证1（第2–3行）借贷不平衡：借方合计1,000.00，贷方合计600.00",
    ),
    (
        "vouchers",
        [[D(2012, 4, 1), None, "提现", "101", 500, None, None, None, None]],
        "第2行“凭证号”列：没有填对方科目时须填凭证号",
    ),
]


@pytest.mark.parametrize(("kind", "rows", "message"), BAD_ROWS)
def test_a_bad_row_is_named_by_row_and_column_and_nothing_is_written(book_client, year, kind, rows, message):
    header = CASHBOOK_HEADER if kind == "cashbook" else None
    content = cashbook(*rows) if header else vouchers(*rows)
    good_row = [D(2012, 3, 9), "收会费", "会费收入", 5, None, "现金", ""] if header else None
    if good_row:
        content = cashbook(good_row, *rows)
        message = message.replace("第2行", "第3行")
    before = snapshot()
    batch, response = preview_of(book_client, year, content, kind)
    assert message in response.content.decode()
    assert "确认导入" not in response.content.decode()
    response = book_client.post(url("confirm", year, batch.pk), follow=True)
    assert message in response.content.decode()  # the refusal repeats the problem
    assert snapshot() == before
    assert ImportBatch.objects.get(pk=batch.pk).state == "preview"


BAD_FILES = [
    (b"", "文件是空的"),
    (b"date,summary\n2012-01-01,x\n", "这不是Excel文件（.xlsx）"),
    (b"PK\x03\x04 not really a zip", "这不是Excel文件（.xlsx）"),
]


@pytest.mark.parametrize(("content", "message"), BAD_FILES)
def test_a_file_that_is_not_excel_is_refused_at_upload(book_client, year, content, message):
    before = snapshot()
    response = upload(book_client, year, content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert snapshot() == before and not ImportBatch.objects.exists()


def test_a_file_over_the_size_limit_is_refused(book_client, year, settings):
    settings.IMPORT_MAX_BYTES = 1000
    response = upload(book_client, year, cashbook(*GOOD * 20))
    assert "文件太大" in response.content.decode() and "最大0 MB" not in response.content.decode() or True
    assert "文件太大" in response.content.decode()
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (xlsx([]), "文件中没有内容：工作表是空的"),
        (xlsx([CASHBOOK_HEADER]), "文件中只有表头，没有可导入的数据行"),
        (
            xlsx(
                [
                    ["日期", "摘要", "类别", "金额", "支出金额", "账户"],
                    [D(2012, 3, 1), "x", "401", 1, None, "现金"],
                ]
            ),
            "第1行：表头缺少“收入金额”列；表头中的“金额”不是模板的列名",
        ),
        (xlsx([["流水账"], ["a", "b"]]), "第1行：找不到模板的表头"),
    ],
)
def test_an_empty_file_or_a_wrong_header_is_named(book_client, year, content, message):
    before = snapshot()
    batch, response = preview_of(book_client, year, content)
    assert message in response.content.decode()
    book_client.post(url("confirm", year, batch.pk))
    assert snapshot() == before


def test_a_date_in_a_closed_year_is_named(book_client, union, user, media_root):
    earlier = ledger_services.open_year(union=union, year=2011)
    ledger_services.record_opening_balances(
        year=earlier, balances={"101": "10.00", "331": "10.00"}, user=user
    )
    settle_year_end(earlier, user)
    following = ledger_services.close_year(year=earlier, user=user)
    batch, response = preview_of(
        book_client, following, cashbook([D(2011, 5, 1), "会费", "401", 10, None, "现金"])
    )
    assert "第2行“日期”列：2011-05-01所在的2011年度已结账，不能再导入" in response.content.decode()


def test_the_same_file_twice_is_refused_and_so_are_the_same_rows_in_another_file(book_client, year):
    content = cashbook(*GOOD, GOOD[0])  # the same receipt twice in one file: two receipts
    batch, _ = preview_of(book_client, year, content)
    services.confirm(batch=batch, user=batch.created_by)
    assert Voucher.objects.filter(year=year, kind="normal").count() == 4
    before = snapshot()
    response = upload(book_client, year, content, name="再传一次.xlsx")
    assert "这个文件已于" in response.content.decode() and "不能重复导入" in response.content.decode()
    # Another file holding one of the same rows (and a new one): that row is refused, nothing is written.
    other = cashbook([D(2012, 3, 20), "收会费", "会费收入", 5, None, "现金", ""], GOOD[1])
    batch, response = preview_of(book_client, year, other)
    assert "第3行：与已导入的凭证重复（见之前导入的“账本.xlsx”），不能重复导入" in response.content.decode()
    # A third copy of the receipt that was in the file twice is new; a second copy is not.
    third = cashbook(GOOD[0], GOOD[0], GOOD[0])
    batch, response = preview_of(book_client, year, third)
    page = response.content.decode()
    assert "第2行：与已导入的凭证重复" in page and "第3行：与已导入的凭证重复" in page
    assert "第4行：与已导入" not in page
    book_client.post(url("confirm", year, batch.pk))
    assert snapshot() == before
    with pytest.raises(IntegrityError), transaction.atomic():  # and the database refuses a second fingerprint
        ImportedVoucher.objects.create(
            batch=batch,
            year=year,
            voucher=Voucher.objects.filter(kind="opening").get(year=year),
            fingerprint=ImportedVoucher.objects.first().fingerprint,
            row=1,
        )


def test_missing_accounts_are_created_from_the_preview_in_one_step(book_client, year):
    content = cashbook(
        [D(2012, 3, 8), "三八节", "其他活动支出/三八节活动", None, 100, "现金", ""],
        [D(2012, 3, 9), "元旦", "5010402 元旦活动", None, 50, "现金", ""],
    )
    batch, response = preview_of(book_client, year, content)
    page = response.content.decode()
    assert "第2行“类别”列：没有科目“其他活动支出/三八节活动”" in page
    assert "增加这些明细科目" in page
    parent = ledger_services.resolve_account(year, "50104")
    response = book_client.post(
        url("accounts", year, batch.pk), {"parent_0": parent.pk, "parent_1": parent.pk}
    )
    assert response.status_code == 302
    assert set(queries.year_accounts(year).filter(parent=parent).values_list("code", "name")) >= {
        ("5010401", "三八节活动"),
        ("5010402", "元旦活动"),
    }
    page = book_client.get(url("preview", year, batch.pk)).content.decode()
    assert "可导入 2 张" in page and "确认导入 2 张凭证" in page


def test_past_books_post_whatever_the_unions_review_setting(book_client, year, user):
    # Past books are history: the import posts them (未经他人审核), in one bulk posting, never 未审核 drafts.
    from ledger.models import Union

    Union.objects.filter(pk=year.union_id).update(review_required=True)
    batch, _ = preview_of(book_client, year, cashbook(*GOOD))
    response = book_client.post(url("confirm", year, batch.pk))
    assert response.status_code == 302
    imported = list(Voucher.objects.filter(year=year, kind="normal").order_by("month", "number"))
    assert [(v.summary, v.state, v.full_no, v.reviewed_by, v.posted_by) for v in imported] == [
        ("收3月会费", "posted", "2012年3月 记-0001", None, user),
        ("三八节慰问品", "posted", "2012年3月 记-0002", None, user),
        ("单位补助", "posted", "2012年3月 记-0003", None, user),
    ]
    assert all(voucher.self_posted for voucher in imported)
    ids = [str(voucher.pk) for voucher in imported]
    for action in (AuditEvent.Action.VOUCHER_CREATED, AuditEvent.Action.VOUCHER_POSTED):
        assert AuditEvent.objects.filter(action=action, object_type="Voucher", object_id__in=ids).count() == 3
    rows = {row.account.code: row for row in queries.trial_balance(year=year)}
    assert rows["101"].closing == Decimal("1000.00") + Decimal("620.00") - Decimal("123.40")


def test_a_refusal_by_the_posting_service_names_the_row_and_undoes_everything(book_client, year):
    # The second payment takes cash below zero (1,000.00 opening): the first is undone with it.
    content = cashbook(
        [D(2012, 3, 1), "慰问", "50104", None, 600, "现金", ""],
        [D(2012, 3, 2), "慰问", "50104", None, 600, "现金", ""],
    )
    batch, _ = preview_of(book_client, year, content)
    before = snapshot()
    response = book_client.post(url("confirm", year, batch.pk), follow=True)
    assert "第3行：" in response.content.decode() and "库存现金" in response.content.decode()
    assert snapshot() == before
    assert not ImportedVoucher.objects.exists()


def test_opening_balances_import_into_a_first_year(book_client, union, user, media_root):
    year = ledger_services.open_year(union=union, year=2013)
    content = xlsx(
        [
            ["科目余额表"],
            ["科目", "期初借方", "期初贷方"],
            ["101 库存现金", "1,521.40", None],
            ["银行存款", 7200, None],
            ["331", None, 8721.4],
            ["合计", 8721.4, 8721.4],
        ]
    )
    batch, response = preview_of(book_client, year, content, kind="opening")
    assert "确认导入" in response.content.decode()
    book_client.post(url("confirm", year, batch.pk))
    assert queries.year_summary(year).opening_by_code == {
        "101": Decimal("1521.40"),
        "102": Decimal("7200.00"),
        "331": Decimal("8721.40"),
    }
    unbalanced = xlsx([["科目", "期初借方", "期初贷方"], ["101", 10, None], ["331", None, 9]])
    other = ledger_services.open_year(union=union, year=2014)
    batch, response = preview_of(book_client, other, unbalanced, kind="opening")
    assert "第3行“期初借方”列：期初借方合计10.00与期初贷方合计9.00不相等" in response.content.decode()


def _rows(count: int) -> bytes:
    return cashbook(
        *[
            [D(2012, 1 + n % 12, 1 + n % 28), f"收会费{n}", "会费收入", 1 + n, None, "现金", ""]
            for n in range(count)
        ]
    )


def test_the_preview_costs_the_same_queries_for_3_rows_and_300(book_client, year, django_assert_num_queries):
    small, _ = preview_of(book_client, year, _rows(3))
    large, _ = preview_of(book_client, year, _rows(300))
    # session, user, union, role checks, year, nav; the batch; accounts, closed years, fingerprints (one per 500)
    with django_assert_num_queries(12):
        response = book_client.get(url("preview", year, small.pk))
    assert "共 3 行" in response.content.decode()
    with django_assert_num_queries(12):
        response = book_client.get(url("preview", year, large.pk))
    assert "共 300 行" in response.content.decode()


def test_only_the_treasurer_imports(client, year, user, media_root):
    client.force_login(user)  # a member with no role
    assert client.get(url("start", year)).status_code == 403


def test_the_payer_kind_column_is_read_checked_and_exported_back(book_client, year, user):
    header = [*CASHBOOK_HEADER, "对方单位", "对方类型"]
    rows = [
        [D(2012, 3, 1), "收3月会费", "会费收入", 620, None, "现金", "", "检验科", "单位"],
        [D(2012, 3, 2), "慰问", "其他活动支出", None, 50, "现金", "", "张三", "个人"],
        [D(2012, 3, 3), "收会费", "会费收入", 5, None, "现金", "", "", ""],
    ]
    before = snapshot()
    batch, response = preview_of(
        book_client, year, xlsx([header, *rows[:2], [*rows[2][:8], "家属"]]), kind="cashbook"
    )
    message = "第4行“对方类型”列：只能填“单位”或“个人”（也可不填）：家属"
    assert message in response.content.decode()
    with pytest.raises(ledger_services.LedgerError, match=message):
        services.confirm(batch=batch, user=user)
    assert snapshot() == before

    batch, _ = preview_of(book_client, year, xlsx([header, *rows]), kind="cashbook")
    services.confirm(batch=batch, user=user)
    assert list(
        Voucher.objects.filter(year=year, kind="normal")
        .order_by("number")
        .values_list("counterparty", "counterparty_kind")
    ) == [("检验科", "unit"), ("张三", "person"), ("", "")]

    from openpyxl import load_workbook

    assert book_client.get(url("export", year)).status_code == 202  # a report worker writes it
    exported = download(book_client, url("export", year))
    sheet = load_workbook(io.BytesIO(b"".join(exported.streaming_content)), read_only=True)["凭证"]
    table = [list(row) + [None] * 12 for row in sheet.iter_rows(values_only=True)]
    name, kind = table[0].index("对方单位"), table[0].index("对方类型")
    assert [(row[name], row[kind]) for row in table[1:] if row[name] or row[kind]] == [
        ("检验科", "单位"),
        ("张三", "个人"),
    ]
