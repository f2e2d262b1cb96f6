import datetime

from django.core.management.base import BaseCommand, CommandError

from ledger.chart_import import ChartImportError, import_chart, read_rows
from ledger.models import Chart


class Command(BaseCommand):
    help = (
        "导入更正后的会计科目表，建立新的会计制度版本：Excel（列：科目编码、科目名称、类别、余额方向、上级科目）"
        "或 JSON。任何一行有误则一个科目也不导入，并逐行说明。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=".xlsx 或 .json 文件")
        parser.add_argument(
            "--code", help="新版本的编码，如 2021-2（JSON 科目表文件可省略，取文件中的 code）"
        )
        parser.add_argument("--name", help="新版本的名称，如 工会会计制度（2021，核对版）")
        parser.add_argument("--effective-from", help="施行日期 YYYY-MM-DD（默认取所依据版本的施行日期）")
        parser.add_argument("--base", help="所依据（被更正）的会计制度版本编码，如 2021")

    def handle(self, *args, file, code=None, name=None, effective_from=None, base=None, **options):
        try:
            rows, meta = read_rows(file)
        except FileNotFoundError:
            raise CommandError(f"找不到文件：{file}") from None
        except ChartImportError as error:
            raise CommandError(error.message) from None
        base_chart = None
        if base:
            base_chart = Chart.objects.filter(code=base).first()
            if base_chart is None:
                raise CommandError(f"没有编码为“{base}”的会计制度")
        start = effective_from or meta.get("effective_from")
        if start:
            try:
                start = datetime.date.fromisoformat(str(start))
            except ValueError:
                raise CommandError(f"施行日期“{start}”应为 YYYY-MM-DD") from None
        elif base_chart is not None:
            start = base_chart.effective_from
        else:
            raise CommandError("请用 --effective-from 指明施行日期，或用 --base 指明所依据的版本")
        keys = {
            key: meta[key]
            for key in ("cash_code", "bank_code", "surplus_code", "payable_upper_code")
            if key in meta
        }
        try:
            chart = import_chart(
                rows=rows,
                code=code or meta.get("code", ""),
                name=name or meta.get("name", ""),
                effective_from=start,
                base=base_chart,
                key_codes=keys,
            )
        except ChartImportError as error:
            raise CommandError(error.message) from None
        self.stdout.write(
            f"已导入会计制度版本“{chart.code}”（{chart.name}，{chart.accounts.count()}个科目，"
            f"{chart.effective_from:%Y-%m-%d}起施行）"
        )
