import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from ledger.models import Account, AccountingYear, Attachment, AuditEvent, Chart, Union, Voucher
from reports.models import ReportText


@pytest.fixture
def admin_client(client, db):
    admin = get_user_model().objects.create_superuser("siteadmin", "admin@example.org", "pw-admin-1")
    client.force_login(admin)
    return client


@pytest.mark.parametrize(
    "model", [Union, Chart, Account, AccountingYear, Voucher, Attachment, AuditEvent, ReportText]
)
def test_every_model_has_an_admin_list(admin_client, demo, model):
    response = admin_client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", [AuditEvent, Attachment, ReportText])
def test_the_trail_scans_and_report_texts_cannot_be_changed_in_the_admin(admin_client, demo, model):
    names = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    assert admin_client.get(reverse(f"{names}_add")).status_code == 403
    event = AuditEvent.objects.first()
    if model is AuditEvent:
        assert (
            admin_client.post(reverse(f"{names}_change", args=[event.pk]), {"summary": "x"}).status_code
            == 403
        )
        assert (
            admin_client.post(reverse(f"{names}_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
        )
        assert AuditEvent.objects.get(pk=event.pk).summary == event.summary


def test_posted_vouchers_are_read_only_in_the_admin(admin_client, demo):
    voucher = Voucher.objects.filter(year=demo).order_by("number")[1]
    url = reverse("admin:ledger_voucher_change", args=[voucher.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    content = page.content.decode()
    assert voucher.summary in content and 'name="_save"' not in content
    response = admin_client.post(url, {"summary": "改过的摘要"})
    assert response.status_code == 403
    assert (
        admin_client.post(
            reverse("admin:ledger_voucher_delete", args=[voucher.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    voucher.refresh_from_db()
    assert voucher.summary != "改过的摘要"
    assert admin_client.get(reverse("admin:ledger_voucher_add")).status_code == 403


def test_the_review_settings_and_the_reviewer_role_are_in_the_admin(admin_client, demo):
    page = admin_client.get(reverse("admin:ledger_union_change", args=[demo.union_id])).content.decode()
    assert "凭证须经审核" in page and "现金、银行凭证须出纳签字" in page
    user = get_user_model().objects.get(username="committee")
    page = admin_client.get(reverse("admin:auth_user_change", args=[user.pk])).content.decode()
    assert "会计主管/审核" in page  # assignable beside the other roles
    data = {
        "name": demo.union.name,
        "slug": demo.union.slug,
        "signatures": '[["工会主席", ""]]',
        "members": list(demo.union.members.values_list("pk", flat=True)),
        "review_required": "",
        "cashier_sign_required": "on",
    }
    response = admin_client.post(reverse("admin:ledger_union_change", args=[demo.union_id]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    union = Union.objects.get(pk=demo.union_id)
    assert (union.review_required, union.cashier_sign_required) == (False, True)
