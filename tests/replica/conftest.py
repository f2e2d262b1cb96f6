"""The router's tests against a real streaming replica (scripts/start-replica.sh: 127.0.0.1:5433).

They run only when DATABASE_REPLICA_URL is set (with DATABASE_URL on the replica's primary); `.ci/run` starts
the replica, sets both and REPLICA_TESTS_REQUIRED=1, so there they fail, never skip, if it cannot be had.

The test database: the runner creates ``test_<name>`` on the primary and never on the replica (the alias is
a test MIRROR of ``default``, so it is neither created, migrated nor flushed). Django's mirror keeps the
replica's own host and port and takes the primary's test database name; streaming replication carries the
CREATE DATABASE, the migrations and every committed write to it, so a test waits for the replica to replay
up to the primary's WAL position before it reads (``wait_for_replay``). The tests are transactional: what
a plain test writes is never committed, so it would never reach the replica.
"""

import os
import time

import pytest
from django.conf import settings
from django.db import OperationalError, connections

CONFIGURED = "replica" in settings.DATABASES
if os.environ.get("REPLICA_TESTS_REQUIRED") and not CONFIGURED:
    raise RuntimeError("REPLICA_TESTS_REQUIRED 已设置，但没有 DATABASE_REPLICA_URL：读副本的测试无法运行")

replica_tests = [
    pytest.mark.skipif(
        not CONFIGURED, reason="未设置 DATABASE_REPLICA_URL：读副本的测试只在配置了副本时运行"
    ),
    pytest.mark.replica,
    pytest.mark.django_db(transaction=True, databases=["default", "replica"] if CONFIGURED else ["default"]),
]


def wait_for_replay(timeout: float = 30) -> None:
    """Until the replica has replayed everything the primary has written so far (or fail after ``timeout``)."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (target,) = cursor.fetchone()
    deadline = time.monotonic() + timeout
    while True:
        try:
            with connections["replica"].cursor() as cursor:
                cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
                if cursor.fetchone()[0]:
                    return
        except OperationalError:  # the test database's CREATE DATABASE is not replayed yet
            connections["replica"].close()
        if time.monotonic() > deadline:
            pytest.fail(f"读副本在 {timeout} 秒内没有追上主库（WAL {target}）")
        time.sleep(0.05)


@pytest.fixture
def replayed():
    wait_for_replay()
