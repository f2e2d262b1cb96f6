"""The audit trail as a user reads it: each object by its name (记-0003 2012年1月, 会费收入 科目, the scan's
file name) and each change as ``字段：旧值 → 新值`` in Chinese.

``readable(events)`` takes a page (or a chunk of the export) and answers in a fixed number of queries: one
per kind of object named in it, however many events there are. Apps above the trail add their own objects
and field names with ``register_object`` and ``register_fields`` (from their ``AppConfig.ready``); the trail
never imports them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q

from ledger.models import Account, AccountingYear, Attachment, AuditEvent, Voucher


def voucher_label(voucher: Voucher) -> str:
    """记-0003 2012年1月 (a draft: 草稿 and its date)."""
    return f"{voucher.voucher_no} {voucher.date.year}年{voucher.date.month}月"


def _vouchers(ids: set[str]) -> dict[str, str]:
    return {str(v.pk): voucher_label(v) for v in Voucher.objects.filter(pk__in=_ints(ids))}


def _attachments(ids: set[str]) -> dict[str, str]:
    return {
        str(pk): name
        for pk, name in Attachment.objects.filter(pk__in=_ints(ids)).values_list("pk", "original_name")
    }


def _accounts(ids: set[str]) -> dict[str, str]:
    return {
        str(pk): f"{name} 科目"
        for pk, name in Account.objects.filter(pk__in=_ints(ids)).values_list("pk", "name")
    }


def _years(ids: set[str]) -> dict[str, str]:
    rows = AccountingYear.objects.filter(pk__in=_ints(ids)).values_list("pk", "year")
    return {str(pk): f"{year}年度账套" for pk, year in rows}


def _users(ids: set[str]) -> dict[str, str]:
    rows = get_user_model().objects.filter(pk__in=_ints(ids)).values_list("pk", "username", "first_name")
    return {str(pk): f"用户 {username}" + (f"（{first}）" if first else "") for pk, username, first in rows}


def _ints(ids: Iterable[str]) -> list[int]:
    return [int(value) for value in ids if str(value).isdigit()]


# Object type (the model's class name, as ``audit.trail.record`` writes it) → ids → names, one query.
OBJECTS: dict[str, Callable[[set[str]], dict[str, str]]] = {
    "Voucher": _vouchers,
    "Attachment": _attachments,
    "Account": _accounts,
    "AccountingYear": _years,
    "User": _users,
}
TYPE_NAMES = {
    "Voucher": "凭证",
    "Attachment": "附件",
    "Account": "科目",
    "AccountingYear": "账套",
    "User": "用户",
}

# Keys of ``AuditEvent.changes`` → their Chinese names.
# Their order is the order changes are shown in (PostgreSQL's jsonb does not keep the order they were written in).
FIELDS: dict[str, str] = {
    "reversal_id": "冲销凭证",
    "voucher_id": "凭证",
    "reason": "原因",
    "sha256": "SHA-256",
    "size": "大小（字节）",
    "type": "文件类型",
    "username": "用户名",
    "is_active": "启用",
    "is_staff": "可进入管理后台",
    "is_superuser": "超级管理员",
    "action": "变更",
    "users": "用户",
    "roles": "角色",
    "lines": "分录",
    "state": "状态",
}
HIDDEN = {"remark_id", "reply_id", "row", "line"}  # internal ids the summary already names
VALUES = {
    "post_add": "增加",
    "post_remove": "移除",
    "post_clear": "清空",
}


def register_object(type_name: str, label: str, names: Callable[[set[str]], dict[str, str]]) -> None:
    OBJECTS[type_name] = names
    TYPE_NAMES[type_name] = label


def register_fields(labels: dict[str, str]) -> None:
    FIELDS.update(labels)


@dataclass(frozen=True)
class ReadableEvent:
    event: AuditEvent
    object_label: str
    changes: tuple[str, ...]

    def __getattr__(self, name):  # the template and the export read the event's own fields through it
        return getattr(self.event, name)


def _value(value) -> str:
    if value is None or value == "":
        return "（无）"
    if value is True:
        return "是"
    if value is False:
        return "否"
    if isinstance(value, list):
        return "、".join(_value(item) for item in value) or "（无）"
    if isinstance(value, dict):
        return "；".join(f"{FIELDS.get(k, k)}：{_value(v)}" for k, v in value.items())
    return VALUES.get(str(value), str(value))


def _line(line, accounts: dict[str, str]) -> str:
    code, debit, credit = (list(line) + ["", "", ""])[:3]
    name = accounts.get(str(code), "")
    side = f"借 {debit}" if debit not in ("", "0", "0.00", None) else f"贷 {credit}"
    return f"{code} {name} {side}".replace("  ", " ")


def _ordered(keys: Iterable[str]) -> list[str]:
    """Known fields in the order of ``FIELDS``, then the others by name."""
    order = {key: position for position, key in enumerate(FIELDS)}
    return sorted(set(keys), key=lambda key: (order.get(key, len(order)), key))


def _changes(changes: dict, vouchers: dict[str, str], accounts: dict[str, str]) -> tuple[str, ...]:
    if not isinstance(changes, dict):
        return (_value(changes),)
    if set(changes) == {"before", "after"} and isinstance(changes["before"], dict):
        before, after = changes["before"], changes["after"]
        return tuple(
            f"{FIELDS.get(key, key)}：{_value(before.get(key))} → {_value(after.get(key))}"
            for key in _ordered([*before, *after])
        )
    out = []
    for key in _ordered(changes):
        value = changes[key]
        if key in HIDDEN:
            continue
        label = FIELDS.get(key, key)
        if key == "lines" and isinstance(value, list):
            out.append(f"{label}：" + "；".join(_line(line, accounts) for line in value))
        elif key in ("reversal_id", "voucher_id"):
            out.append(f"{label}：{vouchers.get(str(value), value)}")
        elif isinstance(value, list) and len(value) == 2 and key == "state":
            out.append(f"{label}：{_value(value[0])} → {_value(value[1])}")
        else:
            out.append(f"{label}：{_value(value)}")
    return tuple(out)


def readable(events: Iterable[AuditEvent]) -> list[ReadableEvent]:
    """Events with their objects' names and their changes in words: one query per kind of object."""
    events = list(events)
    ids: dict[str, set[str]] = defaultdict(set)
    codes: set[str] = set()
    for event in events:
        if event.object_type and event.object_id:
            ids[event.object_type].add(event.object_id)
        changes = event.changes if isinstance(event.changes, dict) else {}
        for key in ("reversal_id", "voucher_id"):
            if key in changes:
                ids["Voucher"].add(str(changes[key]))
        for line in changes.get("lines", []) if isinstance(changes.get("lines"), list) else []:
            if isinstance(line, list) and line:
                codes.add(str(line[0]))
    names = {kind: OBJECTS[kind](found) for kind, found in ids.items() if kind in OBJECTS}
    accounts: dict[str, str] = {}
    if codes:
        unions = {event.union_id for event in events if event.union_id}
        rows = Account.objects.filter(Q(union__isnull=True) | Q(union_id__in=unions), code__in=codes)
        accounts = dict(rows.order_by("union_id").values_list("code", "name"))
    result = []
    for event in events:
        label = ""
        if event.object_type:
            found = names.get(event.object_type, {}).get(event.object_id)
            label = (
                found or f"{TYPE_NAMES.get(event.object_type, event.object_type)} {event.object_id}".strip()
            )
        result.append(
            ReadableEvent(event, label, _changes(event.changes, names.get("Voucher", {}), accounts))
        )
    return result


def readable_stream(events: Iterable[AuditEvent], *, chunk: int = 2000) -> Iterator[ReadableEvent]:
    """``readable`` over a long trail, a chunk at a time (the export): a fixed number of queries per chunk."""
    batch: list[AuditEvent] = []
    for event in events:
        batch.append(event)
        if len(batch) >= chunk:
            yield from readable(batch)
            batch = []
    if batch:
        yield from readable(batch)
