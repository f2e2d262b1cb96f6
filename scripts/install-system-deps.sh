#!/usr/bin/env bash
# What unionledger needs from the system, checked by what is there (not by package names), and installed
# through apt-get on Debian and Ubuntu. Idempotent; quick when everything is present.
#
#   scripts/install-system-deps.sh            what the app needs to run, and what only the tests need
#   scripts/install-system-deps.sh --runtime  what the app needs to run (make install-prod)
#
# To run:  Python's venv module; fontconfig and the Noto CJK fonts the 财务工作报告 PDF embeds (Noto Serif
#          CJK SC body, Noto Sans CJK SC headings); HanaMin (花园明朝), the PDF's fallback for rare characters
#          such as CJK Extension B (𠀀 in a name; without it they print as 〓); Pango, WeasyPrint's text
#          layout; the HarfBuzz subset library, which makes a CJK PDF take well under a second instead of
#          about ten (see TECH.md).
# To test: a Chromium or Google Chrome for the browser tests ($CHROMIUM, else the first of
#          scripts/browser-paths.txt — the tests look in the same places); poppler (pdffonts, pdftoppm).
#
# On Ubuntu, whose `chromium-browser` is only a snap stub, a Chromium or Chrome already installed is used;
# without one the browser tests are skipped (one line says so) — except in CI (CI=true), where they fail.
# Elsewhere (Fedora, macOS, …) this prints what to install with apt, dnf and brew, and exits 1 only when
# something is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

part="all"
[ "${1:-}" = "--runtime" ] && part="runtime"
python="${PYTHON:-python3}"

has_command() { command -v "$1" >/dev/null 2>&1; }

missing_libraries() {
    # ctypes finds what the dynamic loader finds (WeasyPrint loads its libraries the same way); Homebrew's
    # lib folders are looked at too, since macOS's loader only searches them when told to.
    "$python" - "$@" <<'EOF' 2>/dev/null || echo "$@"
import ctypes.util, glob, sys
for name in sys.argv[1:]:
    if not ctypes.util.find_library(name) and not any(
        glob.glob(f"{prefix}/lib{name}*.dylib") for prefix in ("/opt/homebrew/lib", "/usr/local/lib")
    ):
        print(name)
EOF
}

has_noto_cjk() {
    # The report asks fontconfig for these two families (prepare_report_fonts cuts its faces out of them).
    local families
    families="$(fc-list ':lang=zh-cn' family 2>/dev/null | tr ',' '\n')"
    grep -qx 'Noto Serif CJK SC' <<<"$families" && grep -qx 'Noto Sans CJK SC' <<<"$families"
}

browser() {
    if [ -n "${CHROMIUM:-}" ]; then
        [ -x "$CHROMIUM" ] && echo "$CHROMIUM"
        return 0
    fi
    local path
    while IFS= read -r path; do
        case "$path" in "" | "#"*) continue ;; esac
        [ -x "$path" ] && { echo "$path"; return 0; }
    done <scripts/browser-paths.txt
    return 0
}

# Each missing need, as "key|what it is|apt packages|dnf packages|brew packages".
missing=()
need() { missing+=("$1"); }

if ! "$python" -c 'import venv, ensurepip' >/dev/null 2>&1; then
    version="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || echo 3)"
    need "venv|Python 的 venv 模块（$python）|python$version-venv|python3|python@$version"
fi
has_command fc-list || need "fontconfig|fontconfig（fc-list）|fontconfig|fontconfig|fontconfig"
has_noto_cjk || need "fonts|Noto CJK 中文字体（Noto Serif CJK SC、Noto Sans CJK SC）|fonts-noto-cjk|google-noto-serif-cjk-fonts google-noto-sans-cjk-fonts|--cask font-noto-serif-cjk-sc font-noto-sans-cjk-sc"
# Never `cmd | grep -q` under pipefail: grep exits at the first match, cmd dies of SIGPIPE, the test is false.
grep -q . <<<"$(fc-list 'HanaMinB' family 2>/dev/null)" || need "hanazono|生僻字后备字体 HanaMin（花园明朝，CJK 扩展 B–F）|fonts-hanazono|hanazono-fonts|--cask font-hanazono"
libraries="$(missing_libraries pango-1.0 pangoft2-1.0 harfbuzz-subset)"
grep -q pango <<<"$libraries" && need "pango|Pango 排版库|libpango-1.0-0 libpangoft2-1.0-0|pango|pango"
grep -q harfbuzz-subset <<<"$libraries" && need "harfbuzz|HarfBuzz 字体子集库（libharfbuzz-subset）|libharfbuzz-subset0|harfbuzz|harfbuzz"
if [ "$part" = all ]; then
    [ -n "$(browser)" ] || need "browser|浏览器测试用的 Chromium 或 Google Chrome（或设置 CHROMIUM=浏览器路径）|chromium|chromium|--cask chromium"
    { has_command pdffonts && has_command pdftoppm; } || need "poppler|poppler（pdffonts、pdftoppm）|poppler-utils|poppler-utils|poppler"
fi

[ ${#missing[@]} -eq 0 ] && exit 0

field() { cut -d'|' -f"$1" <<<"$2"; }

if ! has_command apt-get || ! has_command dpkg; then
    echo "缺少以下系统软件：" >&2
    for item in "${missing[@]}"; do echo "  - $(field 2 "$item")" >&2; done
    for manager in "apt:3:sudo apt-get install" "dnf:4:sudo dnf install" "brew:5:brew install"; do
        column="$(cut -d: -f2 <<<"$manager")"
        packages=""
        for item in "${missing[@]}"; do packages+=" $(field "$column" "$item")"; done
        printf '  %-5s %s%s\n' "$(cut -d: -f1 <<<"$manager")" "$(cut -d: -f3 <<<"$manager")" "$packages" >&2
    done
    echo "（dnf/brew 的 python 已带 venv。brew 装的字体不在默认目录时，请把字体目录写进 REPORT_FONT_DIRS。）" >&2
    echo "装好后重新运行 make install。" >&2
    exit 1
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    has_command sudo || { echo "需要 root 权限才能用 apt-get 安装系统软件包。" >&2; exit 1; }
    sudo="sudo"
fi
$sudo apt-get update -q >/dev/null

packages=()
for item in "${missing[@]}"; do
    if [ "$(field 1 "$item")" = browser ]; then
        # Debian has a real `chromium` package; Ubuntu's archive has none (its chromium-browser is a snap stub).
        if grep -q 'Candidate: [0-9]' <<<"$(apt-cache policy chromium 2>/dev/null)"; then
            packages+=(chromium)
        elif [[ "${CI:-}" =~ ^(1|[Tt]rue|TRUE|yes)$ ]]; then
            echo "CI：找不到 Chromium/Chrome，而浏览器测试在 CI 中不能跳过。请安装 Chromium 或 Google Chrome，或设置 CHROMIUM=浏览器路径。" >&2
            exit 1
        else
            echo "找不到 Chromium/Chrome，本系统也没有 chromium 软件包：将跳过浏览器测试（装好后设置 CHROMIUM=浏览器路径即可运行）。"
        fi
        continue
    fi
    read -r -a names <<<"$(field 3 "$item")"
    packages+=("${names[@]}")
done
[ ${#packages[@]} -eq 0 ] && exit 0
echo "安装系统软件包：${packages[*]}"
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${packages[@]}"
fc-cache -f >/dev/null 2>&1 || true
