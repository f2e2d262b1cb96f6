import json

from django.core.management.base import BaseCommand, CommandError

from ledger import queries, services
from ledger.errors import LedgerError
from ledger.money import format_amount


class Command(BaseCommand):
    help = "打印科目余额表（期初余额、本期借方、本期贷方、期末余额）"

    def add_arguments(self, parser):
        parser.add_argument("--union", required=True, help="工会简称（slug），如 blzq-hospital")
        parser.add_argument("--year", required=True, type=int, help="会计年度，如 2012")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--all", action="store_true", help="也列出没有发生额和余额的科目")

    def handle(self, *args, union: str, year: int, format: str, all: bool, **options):
        try:
            accounting_year = services.find_year(slug=union, year=year)
        except LedgerError as error:
            raise CommandError(str(error)) from None
        rows = queries.trial_balance(year=accounting_year, include_zero=all)
        if format == "json":
            data = [
                {
                    "code": row.account.code,
                    "name": row.account.name,
                    "opening": f"{row.opening:.2f}",
                    "debit": f"{row.debit:.2f}",
                    "credit": f"{row.credit:.2f}",
                    "closing": f"{row.closing:.2f}",
                }
                for row in rows
            ]
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        totals = queries.trial_balance_totals(rows)
        self.stdout.write(f"{accounting_year.union.name} {year}年度 科目余额表（单位：元）")
        header = f"{'科目编码':<10}{'科目名称':<18}{'期初余额':>16}{'本期借方':>16}{'本期贷方':>16}{'期末余额':>16}"
        self.stdout.write(header)
        for row in rows:
            name = "  " * (row.level - 1) + row.account.name
            self.stdout.write(
                f"{row.account.code:<12}{name:<20}{format_amount(row.opening):>20}{format_amount(row.debit):>20}"
                f"{format_amount(row.credit):>20}{format_amount(row.closing):>20}"
            )
        self.stdout.write(
            f"合计：期初 借{format_amount(totals.opening_debit)} 贷{format_amount(totals.opening_credit)}；"
            f"本期 借{format_amount(totals.debit)} 贷{format_amount(totals.credit)}；"
            f"期末 借{format_amount(totals.closing_debit)} 贷{format_amount(totals.closing_credit)}"
        )
        self.stdout.write("试算平衡" if totals.balanced else "试算不平衡！")
