from django.contrib.auth.models import Group

from audit.queries import union_trail
from ledger import roles, services
from ledger.models import AuditEvent
from tests.conftest import settle_year_end


def test_sign_in_and_failed_sign_in_are_recorded(client, django_user_model, db):
    user = django_user_model.objects.create_user("committee", password="committee-pass-1")
    assert client.post("/login/", {"username": "committee", "password": "nope"}).status_code == 200
    assert (
        client.post("/login/", {"username": "committee", "password": "committee-pass-1"}).status_code == 302
    )
    events = list(AuditEvent.objects.filter(action__in=["login", "login_failed"]).order_by("id"))
    assert [(e.action, e.username, e.user) for e in events] == [
        ("login_failed", "committee", None),
        ("login", "committee", user),
    ]


def test_user_role_and_membership_changes_are_recorded(union, django_user_model):
    treasurer_group = Group.objects.get(name=roles.TREASURER)
    clerk = django_user_model.objects.create_user("clerk")
    clerk.groups.add(treasurer_group)
    union.members.add(clerk)
    treasurer_group.user_set.remove(clerk)
    summaries = list(
        AuditEvent.objects.filter(action="user_changed").order_by("id").values_list("summary", flat=True)
    )
    assert summaries[-4:] == [
        "新建用户 clerk",
        "授予角色：clerk 出纳/会计",
        "加入工会成员：clerk",
        "撤销角色：clerk 出纳/会计",
    ]
    assert AuditEvent.objects.filter(
        action="user_changed", union=union, summary="加入工会成员：clerk"
    ).exists()


def test_role_permissions_are_what_migration_0005_installs(db):
    """``roles.ROLE_PERMISSIONS`` (which the test fixtures restore after a flush) matches the migration."""
    installed = {
        group.name: sorted(group.permissions.values_list("codename", flat=True))
        for group in Group.objects.filter(name__in=roles.ROLE_PERMISSIONS)
    }
    assert installed == {name: sorted(codenames) for name, codenames in roles.ROLE_PERMISSIONS.items()}


def trail_of(union) -> list[tuple[str, str, str]]:
    return list(union_trail(union).order_by("id").values_list("action", "username", "summary"))


def test_a_members_failed_sign_ins_are_in_the_unions_trail(client_for, demo, other_year, committee):
    before = trail_of(demo.union)
    for username in ["committee", "other-keeper", "nobody"]:
        response = client_for("anonymous").post("/login/", {"username": username, "password": "wrong"})
        assert response.status_code == 200
    assert trail_of(demo.union)[len(before) :] == [("login_failed", "committee", "用户名或密码错误")]
    page = client_for("auditor").get(f"/u/{demo.union.slug}/2012/audit/?action=login_failed").content.decode()
    assert "committee" in page and "用户名或密码错误" in page
    assert "other-keeper" not in page and "nobody" not in page


def test_opening_a_year_is_in_the_unions_trail(client_for, demo, treasurer):
    response = client_for("treasurer").post(f"/u/{demo.union.slug}/years/", {"year": "2013"})
    assert response.status_code == 302
    opened = demo.union.years.get(year=2013)
    event = AuditEvent.objects.get(action="year_opened", union=demo.union, object_id=str(opened.pk))
    assert (event.user, event.object_type, event.summary) == (treasurer, "AccountingYear", "建立2013年度账套")
    # Asking again for a year that exists opens nothing and records nothing.
    services.open_year(union=demo.union, year=2013, user=treasurer)
    assert AuditEvent.objects.filter(action="year_opened", union=demo.union).count() == 2  # 2012 (demo), 2013


def test_closing_a_year_records_the_opening_of_the_next(demo, treasurer):
    settle_year_end(demo, treasurer)
    services.close_year(year=demo, user=treasurer)
    events = AuditEvent.objects.filter(union=demo.union, action__in=["year_closed", "year_opened"]).order_by(
        "id"
    )
    assert list(events.values_list("action", "username", "summary")) == [
        ("year_opened", "", "建立2012年度账套"),  # by load_demo, not by a user
        ("year_closed", "treasurer", "2012年度结账"),
        ("year_opened", "treasurer", "建立2013年度账套"),
    ]


def test_a_year_opened_in_the_admin_is_recorded(client_for, demo, admin):
    response = client_for("admin").post(
        "/admin/ledger/accountingyear/add/", {"union": demo.union.pk, "year": "2014", "chart": demo.chart.pk}
    )
    assert response.status_code == 302
    opened = demo.union.years.get(year=2014)
    event = AuditEvent.objects.get(action="year_opened", object_id=str(opened.pk))
    assert (event.union, event.user, event.summary) == (demo.union, admin, "建立2014年度账套")


def test_site_wide_changes_by_an_administrator_who_is_a_member_stay_out_of_the_unions_trail(
    client_for, demo, admin
):
    demo.union.members.add(admin)
    before = trail_of(demo.union)
    client = client_for("anonymous")
    assert (
        client.post("/login/", {"username": "siteadmin", "password": "pw-unionledger-1"}).status_code == 302
    )
    response = client.post(
        "/admin/auth/user/add/",
        {
            "username": "clerk",
            "password1": "Clerk-pass-2026",
            "password2": "Clerk-pass-2026",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(
        action="user_changed", username="siteadmin", summary="新建用户 clerk"
    ).exists()
    assert trail_of(demo.union)[len(before) :] == [("login", "siteadmin", "登录成功")]
