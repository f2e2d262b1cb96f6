"""Every plan page for every role: readers read, only the treasurer writes, another union's books are a
404, and an empty POST never writes nor fails with a 500."""

from decimal import Decimal

import pytest
from django.urls import URLPattern, get_resolver, reverse

from ledger.models import AuditEvent
from plan import urls as plan_urls
from plan.models import Budget, Member, PlanSettings
from tests.conftest import ROLE_NAMES, snapshot

READ = {
    "anonymous": 302,
    "norole": 403,
    "treasurer": 200,
    "committee": 200,
    "auditor": 200,
    "outsider": 404,
    "admin": 200,
}
WRITE = READ | {"committee": 403, "auditor": 403}
POSTED = WRITE | {"treasurer": 302, "admin": 302}
NOT_ALLOWED = dict.fromkeys(ROLE_NAMES, 405) | {"anonymous": 302}

TABLE = {  # name → (GET, POST with an empty form)
    "settings": (WRITE, WRITE),
    "levy": (WRITE, WRITE),
    "remit": (WRITE, WRITE),
    "budget": (READ, WRITE),
    "budget_import": (NOT_ALLOWED, POSTED),
    "budget_draft": (NOT_ALLOWED, POSTED),
    "members": (READ, WRITE),
    "members_import": (NOT_ALLOWED, POSTED),
    "dues": (READ, WRITE),
    "dues_xlsx": (READ, NOT_ALLOWED),
    "compliance": (READ, NOT_ALLOWED),
    "member_edit": (WRITE, WRITE),
}


def test_every_plan_url_is_in_the_table():
    found = {p.name for p in get_resolver(plan_urls).url_patterns if isinstance(p, URLPattern)}
    assert found == set(TABLE)


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_every_plan_url_for_every_role(role, demo, client_for):
    member = Member.objects.create(
        union=demo.union, name="张伟", department="内科", wage_base="5000.00", joined="2010-01-01"
    )
    client = client_for(role)
    before = snapshot()
    events = AuditEvent.objects.count()
    wrong = []
    for name, (get, post) in TABLE.items():
        url = reverse(
            f"plan:{name}", args=["blzq-hospital", 2012, *([member.pk] if name == "member_edit" else [])]
        )
        for method, want in (("GET", get[role]), ("POST", post[role])):
            response = client.get(url) if method == "GET" else client.post(url, {})
            if response.status_code != want:
                wrong.append(f"{method} {name}: {response.status_code}, expected {want}")
    assert wrong == []
    assert snapshot() == before
    assert AuditEvent.objects.count() == events
    assert not (Budget.objects.exists() or PlanSettings.objects.exists())
    assert list(Member.objects.values_list("name", "wage_base")) == [("张伟", Decimal("5000.00"))]


def test_another_unions_member_is_a_404(demo, client_for, other_year):
    member = Member.objects.create(
        union=other_year[0].union, name="外人", department="内科", wage_base="5000.00", joined="2010-01-01"
    )
    url = reverse("plan:member_edit", args=["blzq-hospital", 2012, member.pk])
    assert client_for("treasurer").get(url).status_code == 404
