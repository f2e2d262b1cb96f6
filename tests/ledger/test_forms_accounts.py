"""The treasurer's small forms beside the books: a new 明细科目 (with suggestions for a fresh union) and
a new accounting year."""

import html

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from ledger import roles, services
from ledger.models import Account, AccountingYear, AuditEvent, Union
from tests.conftest import snapshot

SLUG, YEAR = "blzq-hospital", 2012
URL = reverse("ledger:sub_account_new", args=[SLUG, YEAR])


def text(response) -> str:
    return html.unescape(response.content.decode())


def accounts_snapshot() -> list:
    return list(Account.objects.order_by("pk").values_list())


def test_the_treasurer_adds_a_sub_account_and_uses_it(demo, client_for, treasurer):
    client = client_for("treasurer")
    parent = services.resolve_account(demo, "50104")
    response = client.post(URL, {"parent": parent.pk, "name": "生病住院慰问"})
    assert response.status_code == 302 and response["Location"] == reverse(
        "ledger:accounts", args=[SLUG, YEAR]
    )
    account = Account.objects.get(union=demo.union, name="生病住院慰问")
    assert (account.code, account.parent, account.type) == ("5010403", parent, "expense")
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.ACCOUNT_ADDED, object_id=str(account.pk)
    ).exists()
    payment = client.get(reverse("ledger:payment", args=[SLUG, YEAR])).context["form"]
    assert str(account.pk) in payment.fields["category"].accounts


def test_next_brings_the_treasurer_back_to_the_form_but_never_off_site(demo, client_for):
    client = client_for("treasurer")
    parent = services.resolve_account(demo, "408")
    back = reverse("ledger:receipt", args=[SLUG, YEAR])
    response = client.post(URL, {"parent": parent.pk, "name": "利息收入", "next": back})
    assert response["Location"] == back
    response = client.post(URL, {"parent": parent.pk, "name": "废品收入", "next": "https://evil.example/"})
    assert response["Location"] == reverse("ledger:accounts", args=[SLUG, YEAR])


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"parent": "", "name": "x"}, "parent", "请选择科目"),
        ({"parent": "CODE", "name": ""}, "name", "请填写明细科目名称"),
        ({"parent": "CODE", "name": "   "}, "name", "请填写明细科目名称"),
        ({"parent": "CODE", "name": "名" * 61}, "name", "名称不能超过60字"),
        (
            {"parent": "CODE", "name": "三八妇女节活动"},
            "__all__",
            "“其他活动支出”下已有明细科目“三八妇女节活动”",
        ),
        ({"parent": "101", "name": "零用现金"}, "parent", "请从列表中选择科目"),  # not income or spending
        ({"parent": "999999", "name": "x"}, "parent", "请从列表中选择科目"),
    ],
)
def test_bad_sub_accounts_are_refused(demo, client_for, data, field, message):
    client = client_for("treasurer")
    if data["parent"] == "CODE":
        data = {**data, "parent": services.resolve_account(demo, "50104").pk}
    elif data["parent"] == "101":
        data = {**data, "parent": services.resolve_account(demo, "101").pk}
    before = accounts_snapshot()
    response = client.post(URL, data)
    assert response.status_code == 200 and accounts_snapshot() == before
    assert message in response.context["form"].errors[field][0]
    page = text(response)
    assert message in page
    if data["name"].strip():
        assert f'value="{data["name"]}"' in page


def test_another_unions_account_as_parent_is_refused(demo, client_for, other_year):
    client = client_for("treasurer")
    before = accounts_snapshot()
    response = client.post(URL, {"parent": other_year[1].pk, "name": "借用"})
    assert response.context["form"].errors["parent"] == ["请从列表中选择科目"]
    assert accounts_snapshot() == before


def test_readers_cannot_add_accounts(demo, client_for):
    parent = services.resolve_account(demo, "50104")
    clients = {role: client_for(role) for role in ("committee", "auditor", "outsider", "anonymous")}
    before = accounts_snapshot()
    for role, status in (("committee", 403), ("auditor", 403), ("outsider", 404), ("anonymous", 302)):
        assert clients[role].post(URL, {"parent": parent.pk, "name": "x"}).status_code == status
    assert accounts_snapshot() == before


@pytest.fixture
def fresh(db):
    """A fresh union with an open year and its treasurer, nothing else."""
    union = Union.objects.create(name="新建工会", slug="fresh")
    user = get_user_model().objects.create_user("fresh-keeper", password="pw-unionledger-1")
    user.groups.add(Group.objects.get(name=roles.TREASURER))
    union.members.add(user)
    client = Client()
    client.force_login(user)
    return union, user, client


def test_a_fresh_union_is_offered_common_sub_accounts_and_adds_one_with_a_click(fresh):
    union, _, client = fresh
    year = services.open_year(union=union, year=2021)
    url = reverse("ledger:sub_account_new", args=[union.slug, 2021])
    suggestions = client.get(url).context["suggestions"]
    names = [name for _, name in suggestions]
    assert {"三八妇女节活动", "节日慰问", "生病住院慰问", "困难职工帮扶", "捐赠"} <= set(names)
    assert not Account.objects.filter(union=union).exists()  # suggested, not added
    parent = next(parent for parent, name in suggestions if name == "生病住院慰问")
    assert client.post(url, {"parent": parent.pk, "name": "生病住院慰问"}).status_code == 302
    assert list(Account.objects.filter(union=union).values_list("code", "name")) == [
        ("5010401", "生病住院慰问")
    ]
    names = [name for _, name in client.get(url).context["suggestions"]]
    assert "生病住院慰问" not in names and "三八妇女节活动" in names
    assert year.chart.code == "2009"


def test_a_union_without_a_year_asks_the_treasurer_to_open_one(fresh):
    union, _, client = fresh
    page = text(client.get(reverse("ledger:union", args=[union.slug])))
    assert "还没有建立会计年度的账套" in page and "建立年度账套" in page
    before = snapshot()
    for bad, message in (("", "请填写年度"), ("20x4", "年度须是四位数字"), ("1900", "年度不正确")):
        response = client.post(reverse("ledger:open_year", args=[union.slug]), {"year": bad})
        assert response.status_code == 200 and message in text(response) and snapshot() == before
    response = client.post(reverse("ledger:open_year", args=[union.slug]), {"year": "2024"})
    assert response["Location"] == reverse("ledger:dashboard", args=[union.slug, 2024])
    year = AccountingYear.objects.get(union=union, year=2024)
    assert not year.is_closed and year.chart.code == "2021"  # from 2022 on, the 2021 工会会计制度


def test_a_reader_of_a_union_without_a_year_is_told_to_wait(fresh):
    union, _, _ = fresh
    reader = get_user_model().objects.create_user("fresh-reader", password="pw-unionledger-1")
    reader.groups.add(Group.objects.get(name=roles.COMMITTEE))
    union.members.add(reader)
    client = Client()
    client.force_login(reader)
    page = text(client.get(reverse("ledger:union", args=[union.slug])))
    assert "请等出纳/会计建立账套后再来查阅" in page and "建立年度账套" not in page
    assert client.post(reverse("ledger:open_year", args=[union.slug]), {"year": "2024"}).status_code == 403
    assert not AccountingYear.objects.filter(union=union).exists()
