import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ledger import services
from ledger.errors import LedgerError
from ledger.queries import journal_rows
from reports import fonts
from reports.data import build_annual_report
from reports.render.html import render_html
from reports.render.json import render_json
from reports.render.pdf import PdfUnavailable, render_pdf
from reports.render.xlsx import render_xlsx

TEXT_FORMATS = {"json", "html"}


class Command(BaseCommand):
    help = "生成年度财务工作报告：网页（html）、PDF、Excel（xlsx）或报告数据（json）"

    def add_arguments(self, parser):
        parser.add_argument("--union", required=True, help="工会简称（slug），如 blzq-hospital")
        parser.add_argument("--year", required=True, type=int, help="会计年度，如 2012")
        parser.add_argument("--format", required=True, choices=["html", "pdf", "xlsx", "json"])
        parser.add_argument("--output", required=True, help="输出文件；json 和 html 可用 - 表示标准输出")

    def handle(self, *args, union: str, year: int, format: str, output: str, **options):
        try:
            accounting_year = services.find_year(slug=union, year=year)
        except LedgerError as error:
            raise CommandError(str(error)) from None
        if output == "-" and format not in TEXT_FORMATS:
            raise CommandError(f"{format} 是二进制文件，请用 --output 指定文件名")
        data = build_annual_report(accounting_year)
        try:
            if format == "json":
                _, _, body = render_json(data)
            elif format == "html":
                _, _, body = render_html(data)
            elif format == "pdf":
                _, _, body = render_pdf(data)
            else:
                _, _, body = render_xlsx(data, journal_rows(accounting_year))
        except (PdfUnavailable, fonts.MissingGlyphs) as error:
            raise CommandError(str(error)) from None
        if output == "-":
            sys.stdout.flush()
            self.stdout.write(body.decode("utf-8"), ending="")
            return
        path = Path(output)
        path.write_bytes(body)
        self.stderr.write(f"已生成 {path}（{len(body)} 字节）")
