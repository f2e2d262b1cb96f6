"""The README's upgrade procedure (backup, pull, ``make install-prod``, restart) on a copy of the demo books.

Each step runs as the server runs it: a fresh process with the production settings (DEBUG off), here on a
throwaway SQLite copy of the demo database. The ``make install-prod`` steps are read from the Makefile
itself, so this test follows them when they change. The books give the identical figures afterwards.
"""

import json
import os
import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
YEAR = ["--union", "blzq-hospital", "--year", "2012"]


def install_prod_steps() -> list[list[str]]:
    """The ``manage.py`` commands of the Makefile's install-prod recipe (installing packages aside)."""
    recipe = (BASE_DIR / "Makefile").read_text(encoding="utf-8").split("\ninstall-prod:", 1)[1]
    steps = []
    for line in recipe.splitlines()[1:]:
        if not line.startswith("\t"):
            break
        words = shlex.split(line.strip().lstrip("@"))
        if words[:2] == ["$(BIN)/python", "manage.py"]:
            steps.append(words[2:])
    return steps


@pytest.fixture
def server(tmp_path):
    """Run ``manage.py`` as the production server would, over the files of ``tmp_path``."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"}
    } | {
        "DJANGO_SETTINGS_MODULE": "unionledger.settings",
        "DEBUG": "0",
        "SECRET_KEY": "x7Qp2vN9cR4tL8mZ1wB6yH3kJ5sD0fG2aE9uI7oP4qW1rT6yU8iO3pA5sD7fG9hJ",
        "ALLOWED_HOSTS": "union.example.org",
        "VAR_DIR": str(tmp_path / "var"),  # static files, caches
        "REPORT_FONT_DIR": str(BASE_DIR / "var" / "fonts"),  # prepared once by make install
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unionledger.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }

    def manage(*args: str, **env: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=environment | env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}{result.stderr}"
        return result.stdout

    return manage


def figures(manage) -> dict:
    # (--skip-checks: the install-prod steps run the system checks; here they would only cost time.)
    report = json.loads(manage("annual_report", *YEAR, "--format", "json", "--output", "-", "--skip-checks"))
    trial_balance = json.loads(manage("trial_balance", *YEAR, "--format", "json", "--skip-checks"))
    return {"trial_balance": trial_balance, "report": report}


def test_the_upgrade_procedure_keeps_the_books_identical(server, tmp_path):
    steps = install_prod_steps()
    assert [step[0] for step in steps] == ["prepare_report_fonts", "collectstatic", "migrate", "check"]
    assert ["check", "--deploy", "--fail-level", "WARNING"] in steps

    # The books as they stand before the upgrade: the demo year, on a copy of its database.
    demo = tmp_path / "demo.sqlite3"
    server("migrate", "--no-input", "-v0", "--skip-checks", DEBUG="1", DATABASE_URL=f"sqlite:///{demo}")
    server("load_demo", "--skip-checks", DEBUG="1", DATABASE_URL=f"sqlite:///{demo}")
    shutil.copy(demo, tmp_path / "unionledger.sqlite3")
    before = figures(server)
    assert before["report"]["closing_balance"] == "15562.90"

    # 1. Back up (what the timer runs).
    (tmp_path / "backups").mkdir()
    assert "已备份到" in server("backup", "--dir", str(tmp_path / "backups"), "--keep", "7")
    # 2. (git pull) 3. make install-prod: its steps after installing the packages.
    for step in steps:
        server(*step)
    # 4. (restart) The books read the same, and the backup holds them.
    assert figures(server) == before
    [archive] = (tmp_path / "backups").glob("unionledger-*.zip")
    with zipfile.ZipFile(archive) as backup:
        assert (
            json.loads(backup.read("manifest.json"))["counts"]["ledger.voucher"] == 19 + 20 + 44 + 10
        )  # blzq-hospital: 17 posted, 2 waiting; city-hospital: 20, and 44 of the plan's demo; its 分工会: 10
    assert (tmp_path / "var" / "static" / "staticfiles.json").is_file()
