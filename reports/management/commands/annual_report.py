import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ledger import services
from ledger.errors import LedgerError
from ledger.queries import journal_rows
from reports import fonts
from reports.consolidated import build_consolidated_report
from reports.data import build_annual_report
from reports.render.html import render_consolidated_html, render_html
from reports.render.json import render_consolidated_json, render_json
from reports.render.pdf import PdfUnavailable, render_consolidated_pdf, render_pdf
from reports.render.xlsx import render_xlsx

TEXT_FORMATS = {"json", "html"}
CONSOLIDATED = {
    "json": render_consolidated_json,
    "html": render_consolidated_html,
    "pdf": render_consolidated_pdf,
}


class Command(BaseCommand):
    help = "生成年度财务工作报告：网页（html）、PDF、Excel（xlsx）或报告数据（json）"

    def add_arguments(self, parser):
        parser.add_argument("--union", required=True, help="工会简称（slug），如 blzq-hospital")
        parser.add_argument("--year", required=True, type=int, help="会计年度，如 2012")
        parser.add_argument("--format", required=True, choices=["html", "pdf", "xlsx", "json"])
        parser.add_argument("--output", required=True, help="输出文件；json 和 html 可用 - 表示标准输出")
        parser.add_argument(
            "--consolidated",
            action="store_true",
            help="合并报告：本工会与单独建账的分工会合并，抵销内部补助下级（json、html、pdf）",
        )

    def handle(
        self, *args, union: str, year: int, format: str, output: str, consolidated: bool = False, **options
    ):
        try:
            accounting_year = services.find_year(slug=union, year=year)
        except LedgerError as error:
            raise CommandError(str(error)) from None
        if output == "-" and format not in TEXT_FORMATS:
            raise CommandError(f"{format} 是二进制文件，请用 --output 指定文件名")
        if consolidated and format == "xlsx":
            raise CommandError("合并报告可生成 json、html 或 pdf")
        data = (
            build_consolidated_report(accounting_year)
            if consolidated
            else build_annual_report(accounting_year)
        )
        try:
            if consolidated:
                _, _, body = CONSOLIDATED[format](data)
            elif format == "json":
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
