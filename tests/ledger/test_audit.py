from django.contrib.auth.models import Group

from ledger import roles
from ledger.models import AuditEvent


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
