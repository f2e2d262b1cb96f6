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
    assert result.stderr.splitlines()[:7] == [
        "缺少以下系统软件：",
        "  - fontconfig（fc-list）",
        "  - Noto CJK 中文字体（Noto Serif CJK SC、Noto Sans CJK SC）",
        "  - 生僻字后备字体 HanaMin（花园明朝，CJK 扩展 B–F）",
        "  - poppler（pdffonts、pdftoppm）",
        "  apt   sudo apt-get install fontconfig fonts-noto-cjk fonts-hanazono poppler-utils",
        "  dnf   sudo dnf install fontconfig google-noto-serif-cjk-fonts google-noto-sans-cjk-fonts hanazono-fonts"
        " poppler-utils",
    ]


@pytest.fixture
def apt_system(tmp_path, no_dpkg_path) -> tuple[Path, Path]:
    """This system's commands plus stand-ins for dpkg, apt-cache and apt-get that record what they are asked.

    ``apt-cache policy chromium`` answers as the archive in $ARCHIVE_HAS_CHROMIUM does (Debian: yes;
    Ubuntu: no, its chromium-browser is a snap stub).
    """
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "apt-calls"
    stand_ins = {
        "dpkg": "exit 0",
        "apt-get": f'echo "apt-get $*" >> {calls}',
        # As the real one, the version table follows the candidate (a reader that stops at the candidate
        # makes it die of SIGPIPE, which under pipefail once hid Debian's chromium).
        "apt-cache": 'echo "chromium:"; if [ "$ARCHIVE_HAS_CHROMIUM" = 1 ]; then echo "  Candidate: 156.0-1"; '
        'else echo "  Candidate: (none)"; fi; sleep 0.2; echo "  Version table:"; echo " 156.0-1 500"',
    }
    for name, body in stand_ins.items():
        (bin_dir / name).write_text(f"#!/bin/sh\n{body}\n")
        (bin_dir / name).chmod(0o755)
    return Path(f"{bin_dir}{os.pathsep}{no_dpkg_path}"), calls


def test_on_debian_a_missing_browser_is_installed_with_apt(apt_system, tmp_path):
    bin_dir, calls = apt_system
    result = run(bin_dir, CHROMIUM=str(tmp_path / "no-such-browser"), ARCHIVE_HAS_CHROMIUM="1")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "安装系统软件包：chromium\n"
    assert calls.read_text().splitlines() == [
        "apt-get update -q",
        "apt-get install -y -q --no-install-recommends chromium",
    ]


def test_on_ubuntu_without_a_browser_the_browser_tests_are_skipped_with_one_line(apt_system, tmp_path):
    bin_dir, calls = apt_system
    result = run(bin_dir, CHROMIUM=str(tmp_path / "no-such-browser"), ARCHIVE_HAS_CHROMIUM="0")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == (
        "找不到 Chromium/Chrome，本系统也没有 chromium 软件包：将跳过浏览器测试"
        "（装好后设置 CHROMIUM=浏览器路径即可运行）。\n"
    )
    assert calls.read_text().splitlines() == ["apt-get update -q"]


def test_in_ci_a_missing_browser_fails_the_install(apt_system, tmp_path):
    bin_dir, _ = apt_system
    result = run(bin_dir, CHROMIUM=str(tmp_path / "no-such-browser"), ARCHIVE_HAS_CHROMIUM="0", CI="true")
    assert result.returncode == 1
    assert "浏览器测试在 CI 中不能跳过" in result.stderr
