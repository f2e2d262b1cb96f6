"""DATABASE_REPLICA_URL: without it one database and no router (no change at all); with it a replica alias
that tests treat as a mirror; refused beside SQLite. The routing itself: tests/replica/ (a real replica)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
SHOW = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({'aliases': sorted(settings.DATABASES), 'routers': settings.DATABASE_ROUTERS, "
    "'test': settings.DATABASES.get('replica', {}).get('TEST', {}).get('MIRROR'), "
    "'port': settings.DATABASES.get('replica', {}).get('PORT')}))"
)


def settings_with(**env) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DATABASE_REPLICA_URL")}
    environ |= {"DJANGO_SETTINGS_MODULE": "unionledger.settings_test", **env}
    return subprocess.run([sys.executable, "-c", SHOW], cwd=ROOT, env=environ, capture_output=True, text=True)


@pytest.mark.skipif("replica" in settings.DATABASES, reason="this run has a replica configured")
def test_without_a_replica_there_is_one_database_and_no_router():
    assert list(settings.DATABASES) == ["default"] and settings.DATABASE_ROUTERS == []


def test_a_replica_url_adds_the_alias_and_the_router():
    done = settings_with(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/unionledger",
        DATABASE_REPLICA_URL="postgres://postgres@127.0.0.1:5433/unionledger",
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "aliases": ["default", "replica"],
        "routers": ["unionledger.replica.ReplicaRouter"],
        "test": "default",
        "port": 5433,
    }


def test_a_replica_beside_sqlite_is_refused():
    done = settings_with(DATABASE_REPLICA_URL="postgres://postgres@127.0.0.1:5433/unionledger")
    assert done.returncode != 0
    assert "DATABASE_REPLICA_URL needs DATABASE_URL to be PostgreSQL" in done.stderr


@pytest.mark.parametrize(
    ("sql", "theirs"),
    [
        ('INSERT INTO "ledger_voucher" ("year_id") VALUES (%s)', True),
        ('UPDATE "reports_reporttext" SET "opening" = %s', True),
        ('DELETE FROM "ledger_attachment" WHERE "id" = %s', True),
        ('INSERT INTO "federation_yearfigures" ("year_id") VALUES (%s) ON CONFLICT', False),
        ('UPDATE "federation_yearfigures" SET "basis" = %s', False),
        ('DELETE FROM "federation_yearfigures" WHERE "year_id" IN (%s)', False),
        ('SELECT "ledger_voucher"."id" FROM "ledger_voucher"', False),
    ],
)
def test_a_memo_of_what_was_read_is_not_the_users_write(sql, theirs):
    """Only a user's own writes open the primary window; the 总工会's table keeping its figures does not."""
    from unionledger.replica import users_write  # noqa: PLC0415

    assert users_write(sql) is theirs
