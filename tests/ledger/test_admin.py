import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from ledger.models import Account, AccountingYear, Chart, Union, Voucher


@pytest.fixture
def admin_client(client, db):
    admin = get_user_model().objects.create_superuser("siteadmin", "admin@example.org", "pw-admin-1")
    client.force_login(admin)
    return client


@pytest.mark.parametrize("model", [Union, Chart, Account, AccountingYear, Voucher])
def test_every_model_has_an_admin_list(admin_client, demo, model):
    response = admin_client.get(reverse(f"admin:ledger_{model._meta.model_name}_changelist"))
    assert response.status_code == 200


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
