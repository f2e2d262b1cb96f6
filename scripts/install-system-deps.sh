#!/usr/bin/env bash
# Install what the system lacks for unionledger on Debian or Ubuntu (idempotent; quick when all is present):
#   fonts-noto-cjk        the CJK fonts the 财务工作报告 PDF embeds (Noto Serif CJK SC body, Sans CJK SC headings)
#   fonts-hanazono        the PDF's fallback for rare characters (CJK Extension B–F, e.g. 𠀀 in a name)
#   libharfbuzz-subset0   lets WeasyPrint subset those fonts in well under a second (fontTools takes ~10 s)
#   chromium              the real browser the end-to-end tests drive (never downloaded by Playwright)
#   poppler-utils         pdftotext/pdftoppm, to read and look at the PDFs the tests render
#   libpango-1.0-0 ...    WeasyPrint's text layout
set -euo pipefail

packages=(fonts-noto-cjk fonts-hanazono libharfbuzz-subset0 chromium poppler-utils libpango-1.0-0 libpangoft2-1.0-0 fontconfig)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
    echo "缺少系统软件包：${missing[*]}。请用系统的包管理器安装后重试。" >&2
    exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "需要 root 权限安装：${missing[*]}" >&2; exit 1; }
    sudo="sudo"
fi
echo "安装系统软件包：${missing[*]}"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fc-cache -f >/dev/null 2>&1 || true
