"""Which database each kind of request reads, against a real streaming replica (see conftest.py).

Report pages and an auditor's pages read the replica; the treasurer's pages and every write use the primary;
after a write its user reads the primary for REPLICA_PRIMARY_WINDOW seconds, then the replica again.
"""

import time
from contextlib import ExitStack, contextmanager

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.models import ReportText
from tests.replica.conftest import replica_tests, wait_for_replay
from unionledger import replica

pytestmark = replica_tests

SLUG, YEAR = "blzq-hospital", 2012
BOOK = [SLUG, YEAR]


@contextmanager
def reads():
    """The queries each alias ran inside the block: {"default": [...], "replica": [...]}."""
    with ExitStack() as stack:
        captured = {
            alias: stack.enter_context(CaptureQueriesContext(connections[alias])) for alias in connections
        }
        found: dict[str, list[str]] = {}
        yield found
    found.update(
        {alias: [query["sql"] for query in context.captured_queries] for alias, context in captured.items()}
    )


def books_read(sqls: list[str]) -> list[str]:
    return [sql for sql in sqls if '"ledger_' in sql]


def test_the_replica_alias_is_a_standby_holding_the_test_database(demo):
    wait_for_replay()
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), current_database(), inet_server_port()")
        in_recovery, name, port = cursor.fetchone()
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), current_database(), inet_server_port()")
        primary = cursor.fetchone()
    assert in_recovery is True and primary[0] is False
    assert name == primary[1] and name.startswith("test_")  # the primary's test database, replicated
    assert port != primary[2]
    vouchers = demo.vouchers.count()
    assert vouchers > 0 and demo.vouchers.using("replica").count() == vouchers


@pytest.mark.parametrize("name", ["reports:annual", "reports:statements", "review:audit_report"])
def test_report_pages_read_the_replica_for_every_reader(client_for, demo, name):
    client = client_for("treasurer")
    wait_for_replay()
    with reads() as found:
        response = client.get(reverse(name, args=BOOK))
    assert response.status_code == 200
    assert books_read(found["replica"]), "the books were not read from the replica"
    assert books_read(found["default"]) == []  # sessions and users only, never the books


def test_the_treasurers_own_pages_read_the_primary(client_for, demo):
    client = client_for("treasurer")
    wait_for_replay()
    for name in ("ledger:dashboard", "ledger:vouchers", "ledger:accounts"):
        with reads() as found:
            assert client.get(reverse(name, args=BOOK)).status_code == 200
        assert found["replica"] == [], name
        assert books_read(found["default"]), name


def test_an_auditor_reads_every_page_from_the_replica(client_for, demo):
    client = client_for("auditor")
    wait_for_replay()
    for name in ("ledger:dashboard", "ledger:vouchers", "audit:trail"):
        with reads() as found:
            assert client.get(reverse(name, args=BOOK)).status_code == 200
        assert books_read(found["replica"]), name
        assert books_read(found["default"]) == [], name


def _words(**changes) -> dict:
    return {
        "salutation": "各位领导、各位代表：",
        "mandate": "我在这里代表医院工会向大会作财务工作报告，请予以审议。",
        "opening": "（概述）",
        "priorities": "（一）甲。",
        "closing": "谢谢大家！",
        "report_date": "2013-03-26",
        "date_style": "chinese",
        "label_401": "会员会费收缴",
        "label_405": "单位补助",
        "label_5010201": "庆“七一”文艺汇演",
        "label_5010401": "三八妇女节",
        "label_5010402": "职工元旦活动费",
        "label_50801": "为乡村扶贫点等捐赠及慰问",
    } | changes


def test_after_a_write_its_user_reads_the_primary_for_the_window_then_the_replica(client_for, demo, settings):
    """Replay is paused, so the replica is stale: the writer sees the write at once, the others (and the
    writer after the window) see the replica's older copy, until it replays."""
    settings.REPLICA_PRIMARY_WINDOW = 2
    treasurer, committee = client_for("treasurer"), client_for("committee")
    report = reverse("reports:annual", args=BOOK)
    wait_for_replay()
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        with reads() as found:
            response = treasurer.post(reverse("reports:edit_text", args=BOOK), _words(opening="新的概述文字"))
        assert response.status_code == 302 and found["replica"] == []  # a write reads and writes the primary
        assert ReportText.objects.get().opening == "新的概述文字"
        assert treasurer.session[replica.SESSION_KEY] > time.time()

        with reads() as found:
            page = treasurer.get(report).content.decode()
        assert "新的概述文字" in page  # read-your-own-writes: from the primary
        assert found["replica"] == [] and books_read(found["default"])

        with reads() as found:
            other = committee.get(report).content.decode()
        assert "新的概述文字" not in other and books_read(found["replica"])  # the replica has not replayed it

        time.sleep(2.1)  # the window closes
        with reads() as found:
            later = treasurer.get(report).content.decode()
        assert "新的概述文字" not in later and books_read(found["replica"])
    finally:
        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")
    wait_for_replay()
    assert "新的概述文字" in treasurer.get(report).content.decode()


def test_a_refused_post_changes_nothing_and_opens_no_window(client_for, demo):
    client = client_for("treasurer")
    response = client.post(reverse("reports:edit_text", args=BOOK), _words(report_date="不是日期"))
    assert response.status_code == 400 and not ReportText.objects.exists()
    assert replica.SESSION_KEY not in client.session
    wait_for_replay()
    with reads() as found:
        client.get(reverse("reports:annual", args=BOOK))
    assert books_read(found["replica"])


def test_a_render_enqueued_by_a_report_download_is_polled_from_the_primary(client_for, demo):
    """The task queue and the job's status never come from the replica: a new job must be found at once."""
    client = client_for("committee")
    wait_for_replay()
    response = client.get(reverse("reports:annual_xlsx", args=BOOK))
    assert response.status_code == 202
    job = response.context["job"]
    with reads() as found:
        status = client.get(reverse("reports:render_status", args=[*BOOK, job.pk]))
    assert status.status_code == 200 and status.json()["state"] == "queued"
    assert not any("django_tasks_db" in sql for sql in found["replica"])


def test_the_federation_table_keeps_its_figures_on_the_primary_without_opening_a_window(demo):
    """The 总工会's table reads the books from the replica and keeps the figures it computed on the primary; that
    is not the viewer's writing, so their next reading still goes to the replica, where it finds them kept."""
    from decimal import Decimal  # noqa: PLC0415

    from ledger import roles, services  # noqa: PLC0415
    from ledger.models import Union  # noqa: PLC0415
    from tests.federation.conftest import person, signed_in  # noqa: PLC0415

    federation = services.create_union(name="旗总工会", slug="replica-federation")
    Union.objects.filter(pk=demo.union_id).update(parent=federation)
    client = signed_in(person("fed-reader", roles.FEDERATION, federation))
    url = reverse("federation:table", args=["replica-federation", YEAR])
    wait_for_replay()
    with reads() as found:
        response = client.get(url)
    assert response.status_code == 200
    [row] = response.context["rows"]
    assert (row.slug, row.income, row.expense) == (SLUG, Decimal("36200.00"), Decimal("29358.50"))
    assert any('"ledger_daytotal"' in sql for sql in found["replica"])  # computed from the replica's books
    assert books_read(found["default"]) == []
    assert any(sql.startswith('INSERT INTO "federation_yearfigures"') for sql in found["default"])
    assert replica.SESSION_KEY not in client.session  # no primary window for a memo

    wait_for_replay()
    with reads() as found:
        again = client.get(url)
    assert again.context["rows"] == [row]
    assert any('"federation_yearfigures"' in sql for sql in found["replica"])
    kept_not_computed = not any('"ledger_daytotal"' in sql for alias in found for sql in found[alias])
    assert kept_not_computed
    assert not any("federation_yearfigures" in sql for sql in found["default"])
