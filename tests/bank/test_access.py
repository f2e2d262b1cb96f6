"""Who may open and who may write the bank and cash-count pages (and the auditor's report)."""

import pytest
from django.urls import reverse

from bank.models import CashCount, Statement

pytestmark = pytest.mark.usefixtures("media_root")
SLUG, YEAR = "blzq-hospital", 2012
PAGES = [
    ("bank:statements", []),
    ("bank:matching", []),
    ("bank:reconciliation", [12]),
    ("bank:cash_counts", []),
    ("review:list", []),
    ("review:audit_report", []),
]
#            anonymous norole treasurer committee auditor outsider admin
READ = dict(anonymous=302, norole=403, treasurer=200, committee=200, auditor=200, outsider=404, admin=200)
WRITE = dict(anonymous=302, norole=403, treasurer=200, committee=403, auditor=403, outsider=404, admin=200)


@pytest.mark.parametrize("role", list(READ))
def test_every_role_on_every_page(demo, client_for, role):
    client = client_for(role)
    for name, args in PAGES:
        response = client.get(reverse(name, args=[SLUG, YEAR, *args]))
        assert response.status_code == READ[role], (name, role)
    for name in ("bank:statements", "bank:cash_counts", "bank:matching"):
        response = client.post(reverse(name, args=[SLUG, YEAR]), {"action": "confirm_all"})
        expected = WRITE[role]
        if expected == 200 and name == "bank:matching":
            expected = 302  # the treasurer's action redirects back to the list
        assert response.status_code == expected, (name, role)
    assert not Statement.objects.exists() and not CashCount.objects.exists()


def test_a_month_outside_the_year_is_404(demo, client_for):
    assert client_for("auditor").get(reverse("bank:reconciliation", args=[SLUG, YEAR, 13])).status_code == 404
