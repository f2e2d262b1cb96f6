"""Every URL of ``ledger.urls`` for every role: who may read, who may write, who is refused, and how.

Signed out: a redirect to the login page. Another union's user: 404 (never reveal other books). A reader
asking to write, or a member without a role: 403 with a Chinese page. A POST with an empty form by the
treasurer re-renders the form with its errors and changes nothing.
"""

import pytest
from django.urls import URLPattern, get_resolver, reverse

from audit import urls as audit_urls
from imports import urls as imports_urls
from ledger import urls as ledger_urls
from ledger.models import AuditEvent
from tests.conftest import ROLE_NAMES, nth, snapshot

pytestmark = pytest.mark.usefixtures("media_root")

SLUG, YEAR = "blzq-hospital", 2012
LOGIN = "/login/?next="


def by_role(anonymous, norole, treasurer, committee, auditor, outsider, admin) -> dict[str, int]:
    """Expected statuses, in the order of ROLE_NAMES."""
    return dict(
        zip(ROLE_NAMES, (anonymous, norole, treasurer, committee, auditor, outsider, admin), strict=True)
    )


# Expected status by role, for a GET and for a POST of an empty form.
#                       anonymous norole treasurer committee auditor outsider admin
READ = {
    "GET": by_role(302, 403, 200, 200, 200, 404, 200),
    "POST": by_role(302, 405, 405, 405, 405, 405, 405),
}
# A file the report workers render: a reader's first GET queues it and answers with the waiting page (202).
FILE = {
    "GET": by_role(302, 403, 202, 202, 202, 404, 202),
    "POST": READ["POST"],
}
WRITE = {
    "GET": by_role(302, 403, 200, 403, 403, 404, 200),
    "POST": by_role(302, 403, 200, 403, 403, 404, 200),
}
POST_ONLY = {
    "GET": by_role(302, 405, 405, 405, 405, 405, 405),
    "POST": WRITE["POST"],
}
AUDIT = {
    "GET": by_role(302, 403, 403, 403, 200, 404, 200),
    "POST": READ["POST"],
}
# The 操作记录 workbook, written by a report worker: the auditor's first GET queues it (202).
AUDIT_FILE = {
    "GET": by_role(302, 403, 403, 403, 202, 404, 202),
    "POST": READ["POST"],
}
ADMIN_POST = {
    "GET": POST_ONLY["GET"],
    "POST": by_role(302, 403, 403, 403, 403, 404, 200),
}
# 修改 a posted voucher, or a step of its life it has passed: refused with a message on its page (302).
REFUSED_STEP = {
    "GET": by_role(302, 403, 302, 403, 403, 404, 302),
    "POST": by_role(302, 403, 302, 403, 403, 404, 302),
}
STEP = {"GET": POST_ONLY["GET"], "POST": REFUSED_STEP["POST"]}
UNION = {
    "GET": by_role(302, 403, 302, 302, 302, 404, 302),
    "POST": READ["POST"],
}

# 分工会: every reader sees the page; only the treasurer may post an allocation.
BRANCHES = {"GET": READ["GET"], "POST": WRITE["POST"]}

JSON = {"GET": WRITE["GET"], "POST": READ["POST"]}
# A POST that answers with a redirect and a message (POST/redirect/GET), even for an empty form.
REDIRECTING_POST = {
    "GET": POST_ONLY["GET"],
    "POST": by_role(302, 403, 302, 403, 403, 404, 302),
}


def _batch(demo):
    """An upload of the demo year waiting for its preview, with a wrong row: confirming it writes nothing."""
    from django.contrib.auth import get_user_model

    from imports import services as import_services
    from tests.imports.conftest import cashbook

    found = import_services.batches(demo)
    if found:
        return found[0].pk
    return import_services.upload(
        year=demo,
        kind="cashbook",
        file_name="坏.xlsx",
        content=cashbook(["2012-03-01", "会费", "会费收入", "abc", None, "现金"]),
        user=get_user_model().objects.get(username="treasurer"),
    ).pk


def _voucher(demo):
    return nth(demo, 3).pk


def _account(demo):
    return nth(demo, 3).lines.get(position=1).account_id


# URL name → (arguments from the demo books, expected statuses).
TABLE = {
    "union": (lambda demo, scan: [SLUG], UNION),
    "open_year": (lambda demo, scan: [SLUG], POST_ONLY),
    "dashboard": (lambda demo, scan: [SLUG, YEAR], READ),
    "opening_balances": (lambda demo, scan: [SLUG, YEAR], WRITE),
    "receipt": (lambda demo, scan: [SLUG, YEAR], WRITE),
    "payment": (lambda demo, scan: [SLUG, YEAR], WRITE),
    "branches": (lambda demo, scan: [SLUG, YEAR], BRANCHES),
    "voucher_new": (lambda demo, scan: [SLUG, YEAR], WRITE),
    "vouchers": (lambda demo, scan: [SLUG, YEAR], READ),
    "voucher": (lambda demo, scan: [SLUG, YEAR, _voucher(demo)], READ),
    "voucher_reverse": (lambda demo, scan: [SLUG, YEAR, _voucher(demo)], POST_ONLY),
    "voucher_edit": (lambda demo, scan: [SLUG, YEAR, _voucher(demo)], REFUSED_STEP),
    "voucher_print": (lambda demo, scan: [SLUG, YEAR, _voucher(demo)], READ),
    "voucher_step": (lambda demo, scan: [SLUG, YEAR, _voucher(demo), "review"], STEP),
    "voucher_batch": (lambda demo, scan: [SLUG, YEAR], STEP),
    "attachment_upload": (lambda demo, scan: [SLUG, YEAR, _voucher(demo)], POST_ONLY),
    "attachment": (lambda demo, scan: [SLUG, YEAR, scan.pk], READ),
    "cash_journal": (lambda demo, scan: [SLUG, YEAR], READ),
    "bank_journal": (lambda demo, scan: [SLUG, YEAR], READ),
    "accounts": (lambda demo, scan: [SLUG, YEAR], READ),
    "sub_account_new": (lambda demo, scan: [SLUG, YEAR], WRITE),
    "account_ledger": (lambda demo, scan: [SLUG, YEAR, _account(demo)], READ),
    "general_ledger": (lambda demo, scan: [SLUG, YEAR, _account(demo)], READ),
    "audit:trail": (lambda demo, scan: [SLUG, YEAR], AUDIT),
    "audit:export": (lambda demo, scan: [SLUG, YEAR], AUDIT_FILE),
    "year_close": (lambda demo, scan: [SLUG, YEAR], WRITE),
    "year_reopen": (lambda demo, scan: [SLUG, YEAR], ADMIN_POST),
    "entry_accounts": (lambda demo, scan: [SLUG, YEAR], JSON),
    "voucher_template": (lambda demo, scan: [SLUG, YEAR, _voucher(demo)], REDIRECTING_POST),
    "imports:start": (lambda demo, scan: [SLUG, YEAR], WRITE),
    "imports:template": (lambda demo, scan: [SLUG, YEAR, "cashbook"], READ),
    "imports:preview": (lambda demo, scan: [SLUG, YEAR, _batch(demo)], JSON),
    "imports:confirm": (lambda demo, scan: [SLUG, YEAR, _batch(demo)], REDIRECTING_POST),
    "imports:accounts": (lambda demo, scan: [SLUG, YEAR, _batch(demo)], REDIRECTING_POST),
    "imports:progress": (lambda demo, scan: [SLUG, YEAR, _batch(demo)], JSON),
    "imports:export": (lambda demo, scan: [SLUG, YEAR], FILE),
}


def test_every_url_pattern_is_in_the_table():
    names = set()
    for module in (ledger_urls, audit_urls, imports_urls):
        found = {p.name for p in get_resolver(module).url_patterns if isinstance(p, URLPattern)}
        assert len(found) == len(module.urlpatterns), "every book URL pattern needs a name"
        names |= {name if module is ledger_urls else f"{module.app_name}:{name}" for name in found}
    assert names == set(TABLE), "add the new URL to TABLE with the statuses each role must get"


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_every_url_for_every_role(role, demo, demo_scan, client_for):
    client = client_for(role)
    before = snapshot()
    events = AuditEvent.objects.count()
    wrong = []
    for name, (args, expected) in TABLE.items():
        url = reverse(name if ":" in name else f"ledger:{name}", args=args(demo, demo_scan))
        for method in ("GET", "POST"):
            response = client.get(url) if method == "GET" else client.post(url, {})
            want = expected[method][role]
            if response.status_code != want:
                wrong.append(f"{method} {name} {url}: {response.status_code}, expected {want}")
            elif want == 302 and role == "anonymous":
                assert response["Location"].startswith(LOGIN), url
            elif want in (403, 404):
                text = response.content.decode()
                assert ("无权访问" if want == 403 else "页面不存在") in text, url
    assert wrong == []
    assert snapshot() == before  # nothing any role did with empty forms wrote to the books
    assert AuditEvent.objects.count() == events


def test_403_page_says_why_in_chinese(client_for):
    response = client_for("committee").get(reverse("ledger:receipt", args=[SLUG, YEAR]))
    assert response.status_code == 403
    assert "只有出纳/会计可以记账" in response.content.decode()


@pytest.mark.parametrize("role", ["treasurer", "committee", "auditor", "admin"])
def test_readers_get_the_page_itself(role, demo, demo_scan, client_for):
    client = client_for(role)
    assert "巴林左旗医院工会" in client.get(reverse("ledger:dashboard", args=[SLUG, YEAR])).content.decode()
    response = client.get(reverse("ledger:attachment", args=[SLUG, YEAR, demo_scan.pk]))
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_union_redirects_to_its_latest_open_year(client_for):
    response = client_for("committee").get(reverse("ledger:union", args=[SLUG]))
    assert response["Location"] == reverse("ledger:dashboard", args=[SLUG, YEAR])


def test_a_year_that_does_not_exist_is_404(client_for):
    for name in ("dashboard", "receipt", "vouchers", "cash_journal"):
        assert client_for("treasurer").get(reverse(f"ledger:{name}", args=[SLUG, 2031])).status_code == 404


def test_an_unknown_union_is_404_like_another_union(client_for):
    client = client_for("treasurer")
    assert client.get(reverse("ledger:dashboard", args=["no-such-union", YEAR])).status_code == 404
    assert client.get(reverse("ledger:union", args=["no-such-union"])).status_code == 404


def test_another_unions_voucher_scan_and_account_are_404_through_our_url(client_for, other_year, other_scan):
    _, own_account, voucher, _ = other_year
    client = client_for("treasurer")
    assert client.get(reverse("ledger:voucher", args=[SLUG, YEAR, voucher.pk])).status_code == 404
    assert client.get(reverse("ledger:attachment", args=[SLUG, YEAR, other_scan.pk])).status_code == 404
    assert client.get(reverse("ledger:account_ledger", args=[SLUG, YEAR, own_account.pk])).status_code == 404
    # and through its own union's URL, the demo treasurer is not a member: 404 as well
    other = ["other-hospital", YEAR]
    assert client.get(reverse("ledger:voucher", args=[*other, voucher.pk])).status_code == 404
    assert client.get(reverse("ledger:attachment", args=[*other, other_scan.pk])).status_code == 404
    # its own treasurer sees them
    keeper = client_for("outsider")
    assert keeper.get(reverse("ledger:voucher", args=[*other, voucher.pk])).status_code == 200
    assert keeper.get(reverse("ledger:attachment", args=[*other, other_scan.pk])).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "vouchers/99999999999999999999/",
        "accounts/99999999999999999999/",
        "attachments/99999999999999999999/",
        "vouchers/99999999999999999999/reverse/",
    ],
)
def test_absurd_ids_are_404_never_500(client_for, path):
    client = client_for("treasurer")
    method = client.post if path.endswith("reverse/") else client.get
    assert (
        method(f"/u/{SLUG}/{YEAR}/{path}", {"reason": "x"} if method == client.post else {}).status_code
        == 404
    )
    assert client.get(f"/u/{SLUG}/99999999999999999999/").status_code == 404


@pytest.mark.parametrize(
    "query", [{"category": "99999999999999999999"}, {"min_amount": "9" * 30}, {"page": "9" * 30}]
)
def test_absurd_filters_are_answered_not_crashed(client_for, query):
    assert client_for("committee").get(f"/u/{SLUG}/{YEAR}/vouchers/", query).status_code == 200


# --- the pages outside ledger.urls: home, login, logout ------------------------------------------------


def test_signed_out_visitor_reaches_only_the_login_page(client):
    assert client.get("/")["Location"] == "/login/?next=/"
    response = client.get("/login/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "登录工会经费账" in text and 'lang="zh-CN"' in text


def test_login_with_a_wrong_password_says_so_in_chinese(client, demo):
    response = client.post("/login/", {"username": "treasurer", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_then_home_goes_to_the_union_and_year(client, demo):
    response = client.post("/login/", {"username": "auditor", "password": "unionledger-demo"})
    assert response["Location"] == "/"
    assert client.get("/")["Location"] == reverse("ledger:union", args=[SLUG])


def test_logout_is_a_post(client_for):
    client = client_for("treasurer")
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/")["Location"] == "/login/"
    assert client.get("/")["Location"].startswith(LOGIN)


def test_home_for_a_user_with_no_union_is_a_friendly_page(client, db):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_user("lonely", password="pw-unionledger-1"))
    response = client.get("/")
    assert response.status_code == 200
    assert "您还没有加入任何工会的账套" in response.content.decode()


def test_home_with_several_unions_offers_a_choice(client_for, treasurer, other_year):
    other_year[0].union.members.add(treasurer)
    response = client_for("treasurer").get("/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "选择工会" in text and "巴林左旗医院工会" in text and "另一家医院工会" in text


def test_error_pages_are_chinese(client_for):
    from django.template.loader import render_to_string

    assert "服务器出错" in render_to_string("500.html")
    assert "页面已过期" in render_to_string("403_csrf.html")
    assert "请求有误" in render_to_string("400.html")
