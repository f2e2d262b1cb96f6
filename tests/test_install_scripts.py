"""scripts/install-system-deps.sh checks what the system can do, and on a system without dpkg or apt-get
(Fedora, macOS) prints what to install with apt, dnf and brew: exit 1 only when something is missing."""

import os
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

SCRIPT = Path(settings.BASE_DIR) / "scripts" / "install-system-deps.sh"
NOT_THERE = {"dpkg", "dpkg-query", "apt-get", "apt-cache", "apt"}


@pytest.fixture(scope="module")
def no_dpkg_path(tmp_path_factory) -> Path:
    """A PATH holding every command of this system's PATH but dpkg and apt: a system that is not Debian."""
    bin_dir = tmp_path_factory.mktemp("bin")
    for directory in os.environ["PATH"].split(os.pathsep) + ["/usr/sbin", "/sbin"]:
        if not os.path.isdir(directory):
            continue
        for entry in os.scandir(directory):
            target = bin_dir / entry.name
            if entry.name not in NOT_THERE and not target.exists() and os.access(entry.path, os.X_OK):
                target.symlink_to(entry.path)
    return bin_dir


def run(path: Path, *args: str, hide: tuple[str, ...] = (), **env: str) -> subprocess.CompletedProcess:
    for name in hide:  # a command this system "has not"
        (path / name).unlink(missing_ok=True)
    environment = {key: value for key, value in os.environ.items() if key not in {"CHROMIUM", "CI"}}
    return subprocess.run(
        ["bash", str(SCRIPT), *args],
        env=environment | {"PATH": str(path)} | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_dpkg_a_complete_system_passes_silently(no_dpkg_path):
    result = run(no_dpkg_path, CHROMIUM="/bin/true")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_without_dpkg_what_is_missing_is_listed_for_apt_dnf_and_brew(no_dpkg_path, tmp_path):
    result = run(no_dpkg_path, CHROMIUM=str(tmp_path / "no-such-browser"))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "缺少以下系统软件：",
        "  - 浏览器测试用的 Chromium 或 Google Chrome（或设置 CHROMIUM=浏览器路径）",
        "  apt   sudo apt-get install chromium",
        "  dnf   sudo dnf install chromium",
        "  brew  brew install --cask chromium",
        "（dnf/brew 的 python 已带 venv。brew 装的字体不在默认目录时，请把字体目录写进 REPORT_FONT_DIRS。）",
        "装好后重新运行 make install。",
    ]


def test_the_runtime_part_does_not_ask_for_a_browser(no_dpkg_path, tmp_path):
    result = run(no_dpkg_path, "--runtime", CHROMIUM=str(tmp_path / "no-such-browser"))
    assert (result.returncode, result.stderr) == (0, "")


def test_without_fontconfig_fonts_and_poppler_are_listed_too(tmp_path_factory, no_dpkg_path):
    bare = tmp_path_factory.mktemp("bare-bin")
    for entry in no_dpkg_path.iterdir():
        (bare / entry.name).symlink_to(os.readlink(entry))
    result = run(bare, hide=("fc-list", "pdffonts"), CHROMIUM="/bin/true")
    assert result.returncode == 1
    assert result.stderr.splitlines()[:6] == [
        "缺少以下系统软件：",
        "  - fontconfig（fc-list）",
        "  - Noto CJK 中文字体（Noto Serif CJK SC、Noto Sans CJK SC）",
        "  - poppler（pdffonts、pdftoppm）",
        "  apt   sudo apt-get install fontconfig fonts-noto-cjk poppler-utils",
        "  dnf   sudo dnf install fontconfig google-noto-serif-cjk-fonts google-noto-sans-cjk-fonts poppler-utils",
    ]
