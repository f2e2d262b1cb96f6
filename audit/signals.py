"""Audit-trail entries for what Django reports only through signals: sign-ins, users, roles, memberships."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver

from audit import trail as audit
from ledger.models import AuditEvent, Union

User = get_user_model()


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit.record(AuditEvent.Action.LOGIN, user=user, summary="登录成功")


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record(AuditEvent.Action.LOGOUT, user=user, summary="退出登录")


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    refused = getattr(request, "sign_in_refused", False)  # set by audit.auth.LockoutBackend
    summary = "登录失败次数过多，已拒绝登录" if refused else "用户名或密码错误"
    audit.record(AuditEvent.Action.LOGIN_FAILED, user=None, username=username, summary=summary)


def _actor():
    user = audit.current_user.get()
    return user if user is not None and user.is_authenticated else None


@receiver(post_save, sender=User)
def _user_saved(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw or audit.replaying.get() or (update_fields is not None and set(update_fields) <= {"last_login"}):
        return
    audit.record(
        AuditEvent.Action.USER_CHANGED,
        user=_actor(),
        obj=instance,
        summary=f"{'新建' if created else '修改'}用户 {instance.get_username()}",
        changes={
            "username": instance.get_username(),
            "is_active": instance.is_active,
            "is_staff": instance.is_staff,
            "is_superuser": instance.is_superuser,
        },
    )


@receiver(m2m_changed, sender=User.groups.through)
def _roles_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if audit.replaying.get() or action not in {"post_add", "post_remove", "post_clear"}:
        return
    if reverse:  # group.user_set changed: instance is a Group
        users = [user.get_username() for user in User.objects.filter(pk__in=pk_set or [])]
        roles = [instance.name]
    else:
        users = [instance.get_username()]
        roles = list(Group.objects.filter(pk__in=pk_set or []).values_list("name", flat=True))
    verb = {"post_add": "授予", "post_remove": "撤销", "post_clear": "清除"}[action]
    audit.record(
        AuditEvent.Action.USER_CHANGED,
        user=_actor(),
        summary=f"{verb}角色：{'、'.join(users)} {'、'.join(roles) or '全部角色'}",
        changes={"action": action, "users": users, "roles": roles},
    )


@receiver(m2m_changed, sender=Union.members.through)
def _members_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if audit.replaying.get() or action not in {"post_add", "post_remove", "post_clear"}:
        return
    if reverse:  # user.unions changed: instance is a user
        unions = list(Union.objects.filter(pk__in=pk_set or []))
        users = [instance.get_username()]
    else:
        unions = [instance]
        users = [user.get_username() for user in User.objects.filter(pk__in=pk_set or [])]
    verb = {"post_add": "加入", "post_remove": "移出", "post_clear": "清空"}[action]
    for union in unions:
        audit.record(
            AuditEvent.Action.USER_CHANGED,
            user=_actor(),
            union=union,
            summary=f"{verb}工会成员：{'、'.join(users) or '全部'}",
            changes={"action": action, "users": users},
        )
