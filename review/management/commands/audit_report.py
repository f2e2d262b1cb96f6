import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ledger import services
from ledger.errors import LedgerError
from reports import fonts
from reports.render.pdf import PdfUnavailable
from review import render
from review.report import build_audit_report

TEXT_FORMATS = {"json", "html"}


class Command(BaseCommand):
    help = "生成年度经费审查报告：网页（html）、PDF、Excel（xlsx）或报告数据（json）"

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
        data = build_audit_report(accounting_year)
        renderer = {"json": render.render_json, "html": render.render_html, "pdf": render.render_pdf}.get(
            format, render.render_xlsx
        )
        if format == "pdf" and not fonts.status().has_cjk_font:
            raise CommandError(" ".join(fonts.status().problems))
        try:
            _, _, body = renderer(data)
        except (PdfUnavailable, fonts.MissingGlyphs) as error:
            raise CommandError(str(error)) from None
        if output == "-":
            sys.stdout.flush()
            self.stdout.write(body.decode("utf-8"), ending="")
            return
        path = Path(output)
        path.write_bytes(body)
        self.stderr.write(f"已生成 {path}（{len(body)} 字节）")
