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
