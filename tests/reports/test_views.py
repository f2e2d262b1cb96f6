"""Every report URL for every role; the text form; cached downloads; what the pages show."""

import datetime
import io
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from ledger.models import AuditEvent
from reports import fonts
from reports.models import ReportText
from tests.conftest import download, payment, receipt, run_worker, settle_year_end

SLUG, YEAR = "blzq-hospital", 2012
URLS = [
    "reports:annual",
    "reports:annual_pdf",
    "reports:annual_xlsx",
    "reports:statements",
    "reports:edit_text",
]


def url(name: str, slug: str = SLUG, year: int = YEAR) -> str:
    return reverse(name, args=[slug, year])


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("name", URLS)
def test_anonymous_is_sent_to_sign_in(client, demo, name):
    response = client.get(url(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


EXPECTED = {
    # role fixture → status of each URL, in the order of URLS (a file not yet rendered: 202, the waiting page)
    "treasurer": [200, 202, 202, 200, 200],
    "committee": [200, 202, 202, 200, 403],
    "auditor": [200, 202, 202, 200, 403],
    "norole": [403, 403, 403, 403, 403],
    "outsider": [404, 404, 404, 404, 404],
}


@pytest.mark.usefixtures("prepared_fonts")
@pytest.mark.parametrize("role", list(EXPECTED))
def test_every_url_for_every_role(request, client_for, demo, role):
    client = client_for(role)
    statuses = [client.get(url(name)).status_code for name in URLS]
    assert statuses == EXPECTED[role]


def test_refusals_are_in_chinese(client_for, norole, committee):
    response = client_for("norole").get(url("reports:annual"))
    assert "您的角色不能查看本工会的财务报告和报表" in response.content.decode()
    response = client_for("committee").get(url("reports:edit_text"))
    assert response.status_code == 403
    assert "只有出纳/会计可以修改财务工作报告的文字" in response.content.decode()


def test_a_year_not_in_the_books_is_404(client_for, treasurer):
    assert client_for("treasurer").get(url("reports:annual", year=2030)).status_code == 404


def test_the_report_page_shows_the_sample_figures_and_downloads(client_for, treasurer):
    response = client_for("treasurer").get(url("reports:annual"))
    page = response.content.decode()
    for text in [
        "巴林左旗医院工会2012年度财务工作报告",
        "2012年初经费余额8721.40元。1. 会员会费收缴6200.00元。2. 单位补助30000.00元。",
        "经费合计总支出为29358.50元。",
        "三八妇女节支出723.00元",
        "年末经费余额15562.90元",
        "二〇一三年三月二十六日",
        "注：2012年度尚未结账",
        url("reports:annual_pdf"),
        url("reports:annual_xlsx"),
        url("reports:edit_text"),
        '<svg xmlns="http://www.w3.org/2000/svg" class="report-chart"',
        "为乡村扶贫点等捐赠及慰问",
    ]:
        assert text in page, text
    assert "<script" not in page and ' style="' not in page


def test_committee_sees_no_edit_link(client_for, committee):
    assert url("reports:edit_text") not in client_for("committee").get(url("reports:annual")).content.decode()


def test_the_report_page_query_count_does_not_grow_with_the_vouchers(
    client_for, treasurer, demo, user, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("treasurer")
    client.get(url("reports:annual"))
    with CaptureQueriesContext(connection) as before:
        client.get(url("reports:annual"))
    demo.union.members.add(user)
    for day in range(1, 21):
        payment(demo, user, f"2012-02-{day:02d}", "50102", "1.00", via="cash")
    with CaptureQueriesContext(connection) as after:
        client.get(url("reports:annual"))
    assert len(after.captured_queries) == len(before.captured_queries)


def test_the_statements_page_shows_the_checks_and_the_2009_forms(client_for, auditor):
    page = client_for("auditor").get(url("reports:statements")).content.decode()
    for text in [
        "审查核对",
        "科目余额表试算平衡",
        "库存现金＋银行存款＝年末经费余额",
        "年末经费余额＝年初经费余额＋本年收入－本年支出",
        "上年年末经费余额＝本年年初经费余额",
        "✓ 相符",
        "不适用",
        "收入支出表",
        "资产负债表",
        "工会01表",
        "工会02表",
        "本月数",
        "本年累计数",
        "负债与净资产总计",
        "15,562.90",
        "67,558.50",
        "本表按2009年《工会会计制度》",
        "工会主席：",
        "财务负责人：",
        "复核：",
        "审核：",
        "制表：",
        "2012年度尚未结账",
    ]:
        assert text in page, text
    assert "✗ 不符" not in page


@pytest.mark.usefixtures("prepared_fonts")
def test_pdf_download_is_cached_until_the_books_change(client_for, committee, demo, user):
    client = client_for("committee")
    assert client.get(url("reports:annual_pdf")).status_code == 202  # a worker renders it
    first = download(client, url("reports:annual_pdf"))
    assert first.status_code == 200 and first["X-Report-Cache"] == "hit"
    assert first["Content-Type"] == "application/pdf"
    assert "attachment" in first["Content-Disposition"]
    pdf = body(first)
    started = time.perf_counter()
    again = client.get(url("reports:annual_pdf"))
    elapsed = time.perf_counter() - started
    assert again["X-Report-Cache"] == "hit" and body(again) == pdf
    assert elapsed < 0.5  # the benchmark measures the real figure (about 10 ms)

    demo.union.members.add(user)
    payment(demo, user, "2012-12-31", "50102", "100.00", via="cash")
    assert client.get(url("reports:annual_pdf")).status_code == 202  # the books changed
    changed = download(client, url("reports:annual_pdf"))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(body(changed))).pages)
    assert "29458.50元" in text.replace("\n", "")


def test_xlsx_download_is_cached_too(client_for, auditor):
    client = client_for("auditor")
    assert client.get(url("reports:annual_xlsx")).status_code == 202
    first = download(client, url("reports:annual_xlsx"))
    assert first["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert client.get(url("reports:annual_xlsx"))["X-Report-Cache"] == "hit"


def _form(**changes):
    values = {
        "salutation": "各位领导、各位代表：",
        "mandate": "我在这里代表医院工会向大会作巴林左旗医院八届四次工会委员会财务工作报告，请予以审议。",
        "opening": "（概述）",
        "priorities": "（一）甲。\n（二）乙。",
        "closing": "谢谢大家！",
        "report_date": "2013-03-26",
        "date_style": "chinese",
        "label_401": "会员会费收缴",
        "label_405": "单位补助",
        "label_5010201": "庆“七一”文艺汇演",
        "label_5010401": "三八妇女节",
        "label_5010402": "职工元旦活动费",
        "label_50801": "为乡村扶贫点等捐赠及慰问",
    }
    return values | changes


def test_the_treasurer_edits_the_words_and_the_audit_trail_has_before_and_after(client_for, treasurer, demo):
    client = client_for("treasurer")
    download(client, url("reports:annual_pdf"))
    response = client.post(
        url("reports:edit_text"), _form(label_405="医院行政补助", report_date="2013-04-02")
    )
    assert response.status_code == 302 and response["Location"] == url("reports:annual")
    text = ReportText.objects.get(union=demo.union, year=2012)
    assert text.updated_by == treasurer and text.opening == "（概述）"
    assert text.report_date == datetime.date(2013, 4, 2) and text.labels["405"] == "医院行政补助"
    event = AuditEvent.objects.get(action=AuditEvent.Action.REPORT_TEXT_CHANGED)
    assert event.user == treasurer and event.union == demo.union and event.object_id == str(text.pk)
    assert event.changes["before"]["report_date"] == "2013-03-26"
    assert event.changes["after"]["report_date"] == "2013-04-02"
    assert event.changes["before"]["labels"]["405"] == "单位补助"
    assert event.changes["after"]["labels"]["405"] == "医院行政补助"
    assert "salutation" not in event.changes["after"]  # unchanged fields are not repeated

    page = client.get(url("reports:annual")).content.decode()
    assert "2. 医院行政补助30000.00元。" in page and "二〇一三年四月二日" in page and "（概述）" in page
    assert "文字最近由王秀兰于" in page
    assert client.get(url("reports:annual_pdf")).status_code == 202  # the words changed: rendered afresh


def test_an_unchanged_form_writes_nothing(client_for, treasurer, demo):
    from reports.data import build_annual_report

    text = build_annual_report(demo).text
    values = _form(opening=text.opening, closing=text.closing, priorities=text.priorities)
    response = client_for("treasurer").post(url("reports:edit_text"), values)
    assert response.status_code == 302
    assert not ReportText.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.REPORT_TEXT_CHANGED).exists()


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"mandate": "   "}, "这个字段是必填项"),
        ({"report_date": "2013-02-30"}, "日期"),
        ({"report_date": "2019-01-01"}, "报告日期应在2012年至2014年之间"),
        ({"date_style": "roman"}, "选择一个有效的选项"),
        ({"label_405": "补" * 41}, "40"),
        ({"label_405": ""}, "这个字段是必填项"),
        ({"opening": "长" * 3001}, "3000"),
    ],
)
def test_bad_input_keeps_the_text_and_changes_nothing(client_for, treasurer, changes, error):
    response = client_for("treasurer").post(
        url("reports:edit_text"), _form(**({"opening": "我写的新概述"} | changes))
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert error in page
    assert "我写的新概述" in page or "opening" in changes  # what was typed is still there
    assert "文字尚未保存" in page
    assert not ReportText.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.REPORT_TEXT_CHANGED).exists()


def test_the_words_of_a_closed_year_cannot_be_saved(client_for, treasurer, demo):
    from ledger import services

    settle_year_end(demo, treasurer)
    services.close_year(year=demo, user=treasurer)
    client = client_for("treasurer")
    response = client.post(url("reports:edit_text"), _form(opening="结账后改写的概述"))
    assert response.status_code == 400
    assert "2012年度已结账，不能再记账或修改" in response.content.decode()
    assert not ReportText.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.REPORT_TEXT_CHANGED).exists()
    assert url("reports:edit_text") not in client.get(url("reports:annual")).content.decode()


def test_committee_cannot_post_the_text(client_for, committee):
    response = client_for("committee").post(url("reports:edit_text"), _form(opening="改了"))
    assert response.status_code == 403
    assert not ReportText.objects.exists()


def test_no_cjk_font_refuses_the_pdf_with_a_plain_chinese_page(
    client_for, committee, settings, tmp_path, monkeypatch
):
    empty = tmp_path / "fonts.conf"
    empty.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig></fontconfig>')
    monkeypatch.setenv("FONTCONFIG_FILE", str(empty))  # fc-list then finds no font at all
    settings.REPORT_FONT_DIR = tmp_path / "no-prepared-fonts"
    fonts.system_cjk_families.cache_clear()
    try:
        response = client_for("committee").get(url("reports:annual_pdf"))
        page = response.content.decode()
        assert response.status_code == 503
        assert "服务器上没有中文字体" in page and "fonts-noto-cjk" in page
        report = client_for("committee").get(url("reports:annual")).content.decode()
        assert "服务器上没有中文字体" in report  # said on the report page too
    finally:
        fonts.system_cjk_families.cache_clear()


@pytest.mark.usefixtures("prepared_fonts")
def test_characters_without_a_font_print_as_the_missing_character_mark(client_for, treasurer):
    client = client_for("treasurer")
    client.post(url("reports:edit_text"), _form(opening="古文𓀀"))
    response = download(client, url("reports:annual_pdf"))
    assert (
        response.status_code == 200
    )  # never blocked (issue 9): 〓 is what typesetting prints for a missing type
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(body(response))).pages)
    assert "古文〓" in text and "𓀀" not in text


def test_head_and_post_methods(client_for, committee):
    client = client_for("committee")
    assert client.head(url("reports:annual")).status_code == 200
    assert client.post(url("reports:annual")).status_code == 405


def test_money_on_the_page_is_formatted_at_the_edge(client_for, treasurer):
    page = client_for("treasurer").get(url("reports:annual")).content.decode()
    assert "8,721.40" in page and "Decimal" not in page and str(Decimal("8721.4")) + "0" in page


def test_pages_of_an_empty_year_and_of_a_year_with_a_previous_year(client_for, treasurer, demo, user):
    from ledger import services

    client = client_for("treasurer")
    services.open_year(union=demo.union, year=2014)
    page = client.get(url("reports:annual", year=2014)).content.decode()
    assert "2014年初经费余额0.00元。本年度没有经费收入。" in page and "本年度没有经费支出。" in page
    assert "2014年度经费支出构成" not in page
    statements = client.get(url("reports:statements", year=2014)).content.decode()
    assert "本年度没有已记账凭证" in statements and "✗ 不符" not in statements

    settle_year_end(demo, user)
    services.close_year(year=demo, user=user)
    page = client.get(url("reports:annual", year=2013)).content.decode()
    assert "与2012年相比，经费收入减少36200.00元，经费支出减少29358.50元。" in page
    assert '<th class="num">上年数</th>' in page and "2013年初经费余额15562.90元" in page
    statements = client.get(url("reports:statements", year=2013)).content.decode()
    assert "上年年末经费余额 15,562.90" in statements and "✗ 不符" not in statements
    closed = client.get(url("reports:annual", year=2012)).content.decode()
    assert "尚未结账" not in closed and "年末经费余额15562.90元" in closed


def test_the_form_shows_the_current_words_and_a_date_the_browser_can_read(client_for, treasurer):
    page = client_for("treasurer").get(url("reports:edit_text")).content.decode()
    assert 'type="date"' in page and 'value="2013-03-26"' in page
    assert "我在这里代表医院工会向大会作巴林左旗医院八届四次工会委员会财务工作报告" in page
    assert 'value="单位补助"' in page and "收入：405 行政补助收入" in page


# --- query counts do not grow with the vouchers ---------------------------------------------------------

# Session, user, union, the user's memberships, the two permission queries, the year and the list of years
# (8); then the report: the year again with its union and chart, the year's figures (3), the previous year,
# the saved words (6).
# 8 for the session and access, 8 for the books, 7 for the plan (settings, budget, roster, rules, and the
# findings' payments: their facts, the 库存现金 accounts, the cash lines above the limit)
REPORT_QUERIES = {
    "reports:annual": 8 + 8 + 7,
    "reports:statements": 8 + 8 + 7,
    "reports:edit_text": 8 + 8 + 7,
}


@pytest.mark.parametrize("name", list(REPORT_QUERIES))
def test_report_pages_take_a_fixed_number_of_queries(demo, client_for, django_assert_num_queries, name):
    client = client_for("treasurer")
    client.get(url(name))  # warm the session and permission caches
    with django_assert_num_queries(REPORT_QUERIES[name]):
        assert client.get(url(name)).status_code == 200
    user = demo.vouchers.first().prepared_by
    for day in range(24):
        receipt(demo, user, f"2012-02-{1 + day % 28:02d}", "401", "10.00", summary=f"补收会费{day}")
    with django_assert_num_queries(REPORT_QUERIES[name]):
        assert client.get(url(name)).status_code == 200


@pytest.mark.usefixtures("prepared_fonts")
@pytest.mark.parametrize("name", ["reports:annual_pdf", "reports:annual_xlsx"])
def test_report_downloads_take_a_fixed_number_of_queries(demo, client_for, name):
    """Built afresh (the books changed, so the cache misses): the request only asks a worker for the file (202), the
    worker builds it from the books and the plan (the workbook streams the year's lines in one query), and the
    next request serves it — each in as many queries with 24 more vouchers."""
    client = client_for("treasurer")
    download(client, url(name))  # warm the session and permission caches
    user = demo.vouchers.first().prepared_by

    def miss(*days: int) -> tuple[int, int, int]:
        for day in days:
            receipt(demo, user, f"2012-02-{1 + day % 28:02d}", "401", "10.00", summary=f"补收会费{day}")
        counted = []
        for step, expected in (
            (lambda: client.get(url(name)), 202),
            (run_worker, None),
            (lambda: client.get(url(name)), 200),
        ):
            with CaptureQueriesContext(connection) as queries:
                response = step()
            if expected:
                assert response.status_code == expected
            counted.append(len(queries))
        assert response["X-Report-Cache"] == "hit"
        return tuple(counted)

    first = miss(0)
    assert miss(*range(1, 25)) == first


def test_signature_lines_are_the_unions_own_in_page_and_workbook(client_for, demo):
    """One list per union (titles and names) feeds the report page, the statements and the workbook."""
    from openpyxl import load_workbook

    demo.union.signatures = [["工会主席", "赵主席"], ["制表", "王秀兰"]]
    demo.union.save()
    client = client_for("committee")
    for name in ("reports:annual", "reports:statements"):
        page = client.get(url(name)).content.decode()
        assert "<span>工会主席：赵主席</span><span>制表：王秀兰</span>" in page
        assert "审核：" not in page
    workbook = load_workbook(io.BytesIO(body(download(client, url("reports:annual_xlsx")))))
    signed = [
        [c.value for c in sheet[sheet.max_row] if c.value]
        for sheet in workbook.worksheets
        if any("工会主席" in str(c.value) for c in sheet[sheet.max_row])
    ]
    # The 2009 form's statements carry its own four lines (工会主席, 财务负责人, 复核, 制表) with the names.
    assert (
        signed
        == [["工会主席：赵主席", "制表：王秀兰"]] * 2
        + [["工会主席：赵主席", "财务负责人：", "复核：", "制表：王秀兰"]] * 2
    )
