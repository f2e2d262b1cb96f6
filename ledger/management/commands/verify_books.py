from django.core.management.base import BaseCommand, CommandError

from ledger import services, totals
from ledger.errors import LedgerError
from ledger.models import Account, AccountingYear
from ledger.money import fen_to_decimal


class Command(BaseCommand):
    help = "用分录重算科目日发生额（记账时由数据库维护的派生数据），逐行核对；有任何差异则以非零状态退出"

    def add_arguments(self, parser):
        parser.add_argument("--union", help="工会简称（slug），如 blzq-hospital；不填则核对全部工会")
        parser.add_argument("--year", type=int, help="会计年度，如 2012；须与 --union 同用")

    def handle(self, *args, union: str | None, year: int | None, **options):
        if (union is None) != (year is None):
            raise CommandError("--union 和 --year 须同时给出，或都不给（核对全部账套）")
        years = None
        if union is not None:
            try:
                years = [services.find_year(slug=union, year=year).pk]
            except LedgerError as error:
                raise CommandError(str(error)) from None
        found = totals.differences(year_ids=years)
        scope = f"{union} {year}年度" if union else "全部账套"
        if not found:
            count = AccountingYear.objects.count() if years is None else 1
            self.stdout.write(f"{scope}：科目日发生额与分录一致（核对 {count} 个会计年度）")
            return
        names = dict(
            AccountingYear.objects.filter(pk__in={d.year_id for d in found})
            .select_related("union")
            .values_list("pk", "union__slug")
        )
        years_of = dict(AccountingYear.objects.filter(pk__in=names).values_list("pk", "year"))
        codes = dict(Account.objects.filter(pk__in={d.account_id for d in found}).values_list("pk", "code"))
        for difference in found:
            stored, recomputed = difference.stored, difference.recomputed
            self.stdout.write(
                f"{names[difference.year_id]} {years_of[difference.year_id]}年度 {difference.date:%Y-%m-%d} "
                f"科目{codes.get(difference.account_id, difference.account_id)}（{difference.part}）："
                f"记录 借{fen_to_decimal(stored[0])} 贷{fen_to_decimal(stored[1])} {stored[2]}笔，"
                f"按分录重算 借{fen_to_decimal(recomputed[0])} 贷{fen_to_decimal(recomputed[1])} {recomputed[2]}笔"
            )
        raise CommandError(f"{scope}：科目日发生额有 {len(found)} 处与分录不符")
