"""Every URL of the site with a union in it, for the users who read from above: the 总工会 user and the parent's
treasurer. A union outside theirs is a 404 (never revealed), whatever the method; a union under them is read
at most: no request of theirs writes anything. The URL list is the URL conf itself, so a new page is covered
the day it is added."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from ledger.models import AuditEvent, Voucher
from tests.conftest import snapshot
from tests.federation.conftest import signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


def _patterns(resolvers, prefix: str = "") -> list[tuple[str, URLPattern]]:
    found = []
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            if str(entry.pattern).startswith("admin/"):
                continue
            found += _patterns(entry.url_patterns, prefix + str(entry.pattern))
        else:
            found.append((prefix + str(entry.pattern), entry))
    return found


UNION_URLS = sorted(route for route, _ in _patterns(get_resolver().url_patterns) if "<slug:slug>" in route)
VALUES = {
    "<int:year>": "2025",
    "<int:month>": "6",
    "<str:kind>": "vouchers",
    "<step:step>": "post",
    "<uuid:job>": "00000000-0000-4000-8000-000000000000",  # no such render: 404
}


def url(route: str, slug: str, pk: int) -> str:
    path = route.replace("<slug:slug>", slug).replace("<int:pk>", str(pk))
    for converter, value in VALUES.items():
        path = path.replace(converter, value)
    assert "<" not in path, path
    return "/" + path


def test_the_list_covers_the_books_reports_plan_review_bank_imports_and_federation():
    assert len(UNION_URLS) > 60
    for part in (
        "federation/",
        "consolidated/",
        "plan/dues/",
        "review/",
        "reconcile/",
        "import/",
        "vouchers/",
    ):
        assert any(part in route for route in UNION_URLS), part


@pytest.mark.parametrize("route", UNION_URLS)
def test_a_federation_user_never_opens_a_union_outside_the_federation(route, books, outside_year, fed_user):
    client = signed_in(fed_user)
    pk = Voucher.objects.filter(year=outside_year).first().pk
    target = url(route, "other-hospital", pk)
    before = snapshot()
    assert client.get(target).status_code in (404, 405), target
    assert client.post(target, {}).status_code in (404, 405), target
    assert snapshot() == before


@pytest.mark.parametrize("route", UNION_URLS)
@pytest.mark.parametrize(
    "who, slug", [("fed_user", "first-hospital"), ("fed_user", "first-neike"), ("keeper", "first-neike")]
)
def test_reading_from_above_never_writes(route, who, slug, books, request):
    client = signed_in(request.getfixturevalue(who))
    pk = Voucher.objects.filter(year__union__slug=slug).first().pk
    target = url(route, slug, pk)
    before, events = snapshot(), AuditEvent.objects.count()
    # 202: a file the report workers render (a render job queued is no write to the books)
    assert client.get(target).status_code in (200, 202, 302, 403, 404, 405, 503), target
    assert client.post(target, {}).status_code in (403, 404, 405), target
    assert snapshot() == before and AuditEvent.objects.count() == events


def test_who_opens_the_federation_table(books, fed_user, keeper, outside_keeper, federation):
    table = "/u/city-federation/2025/federation/"
    assert signed_in(fed_user).get(table).status_code == 200
    assert (
        signed_in(keeper).get(table).status_code == 404
    )  # the hospital's treasurer is not above the federation
    assert signed_in(outside_keeper).get(table).status_code == 404
    federation.members.add(keeper)  # a member of the federation without the 总工会 role
    assert signed_in(keeper).get(table).status_code == 403
    assert signed_in(fed_user).get("/u/first-hospital/2025/federation/").status_code == 403  # not its member


def test_the_federation_users_home_lists_only_the_unions_under_it(books, outside_year, fed_user):
    page = signed_in(fed_user).get("/").content.decode()
    assert "第一医院工会" in page and "内科分会" in page and "外区医院工会" not in page
    assert (
        '<a href="/u/city-federation/2025/federation/" class="federation-link">市总工会：所属工会汇总</a>'
        in page
    )
