"""A new union's treasurer, in a real browser: sets a budget, imports a roster, records a month's dues and the
levy, and reads 预算执行, 收缴率 and what is owed upward on the 首页."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from openpyxl import Workbook
from playwright.sync_api import Page

from ledger import roles, services
from ledger.models import Union
from plan.demo import spending_account
from tests.e2e.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def new_union(live_server):
    user = get_user_model().objects.create_user("plan-treasurer", password=PASSWORD, first_name="新出纳")
    user.groups.add(Group.objects.get(name=roles.TREASURER))
    # One treasurer and no reviewer: the union posts its own vouchers (未经他人审核).
    union = Union.objects.create(name="新城医院工会", slug="new-hospital", review_required=False)
    union.members.add(user)
    year = services.open_year(union=union, year=2025)
    chart = year.chart
    services.record_opening_balances(
        year=year,
        balances={chart.cash_code: "1000.00", chart.bank_code: "50000.00", chart.surplus_code: "51000.00"},
        user=user,
    )
    return live_server.url, year


def roster_file(tmp_path) -> str:
    book = Workbook()
    for row in [
        ["姓名", "部门", "月工资基数", "入会日期", "状态"],
        ["张伟", "内科", 6835.5, "2015-03-01", "在职"],
        ["王芳", "内科", 5420, "2018-07-01", "在职"],
        ["赵敏", "后勤", 3870, "2010-10-01", "在职"],
    ]:
        book.active.append(row)
    path = tmp_path / "会员名册.xlsx"
    out = io.BytesIO()
    book.save(out)
    path.write_bytes(out.getvalue())
    return str(path)


def test_budget_roster_dues_and_levy_reach_the_home_page(tab: Page, new_union, tmp_path):
    site, year = new_union
    activities = spending_account(year, "职工活动支出")
    tab.goto(site + "/")
    tab.get_by_label("用户名").fill("plan-treasurer")
    tab.get_by_label("密码").fill(PASSWORD)
    tab.get_by_role("button", name="登录").click()
    tab.wait_for_url(f"{site}/u/new-hospital/2025/")
    assert tab.locator("#plan-panel").get_by_text("本年度还没有预算").is_visible()

    tab.locator("#plan-panel").get_by_role("link", name="预算").click()
    tab.get_by_label(f"{activities.code} 职工活动支出").fill("20,000")
    tab.get_by_label("批准日期（会员代表大会或委员会批准后填写）").fill("2025-01-15")
    tab.get_by_role("button", name="保存预算").click()
    assert tab.get_by_text("已保存预算").is_visible()

    tab.goto(f"{site}/u/new-hospital/2025/plan/members/")
    tab.get_by_label("Excel文件（.xlsx）").set_input_files(roster_file(tmp_path))
    tab.get_by_role("button", name="导入").click()
    assert tab.get_by_text("已导入会员名册：新增3人，更新0人").is_visible()

    tab.get_by_role("link", name="会费收缴 →").click()
    tab.get_by_label("部门/分会").select_option("内科")
    tab.get_by_label("会费月份").select_option("1")
    tab.get_by_label("收款日期").fill("2025-01-28")
    tab.get_by_role("button", name="保存并记账").click()
    assert tab.get_by_text(re.compile(r"已记账：.* 收内科2025年1月会费（2人）")).is_visible()

    tab.goto(f"{site}/u/new-hospital/2025/plan/levy/")
    tab.get_by_label("收到金额（元）").fill("10,000.05")
    tab.get_by_label("日期").fill("2025-03-15")
    tab.get_by_role("button", name="保存").click()
    tab.wait_for_url(re.compile(r"/vouchers/\d+/$"))

    tab.goto(f"{site}/u/new-hospital/2025/")
    assert tab.locator("#owed-upward").inner_text().strip() == "4,000.02"
    assert tab.locator("#levy-received").inner_text().strip() == "6,000.03"
    assert tab.locator("#dues-rate").inner_text().strip().endswith("%")
    row = tab.locator("#budget-execution tbody tr").first
    assert "职工活动支出" in row.inner_text() and "20,000.00" in row.inner_text()
