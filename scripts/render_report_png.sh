#!/usr/bin/env bash
# Render the demo union's 财务工作报告 to PDF and each page to PNG, to look at it as a person would.
#   scripts/render_report_png.sh [OUTPUT_DIR]      (default: var/report-png)
# Uses a throwaway SQLite database with the demo books; needs poppler-utils (pdftoppm, pdffonts).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-var/report-png}"
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export DEBUG=1 DATABASE_URL="sqlite:///$work/demo.sqlite3" REPORT_CACHE_DIR="$work/cache"
.venv/bin/python manage.py migrate --no-input -v0
.venv/bin/python manage.py load_demo >/dev/null
.venv/bin/python manage.py annual_report --union blzq-hospital --year 2012 --format pdf --output "$out/report.pdf"
rm -f "$out"/page-*.png
pdftoppm -png -r "${DPI:-80}" "$out/report.pdf" "$out/page"
pdffonts "$out/report.pdf"
ls "$out"/page-*.png
