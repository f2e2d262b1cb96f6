import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from bank import services
from ledger.errors import LedgerError
from ledger.models import AccountingYear

DEMO_STATEMENT = settings.BASE_DIR / "fixtures" / "blzq-hospital-2012-bank-statement.csv"
DEMO_MAPPING = {
    "date_column": "交易日期",
    "summary_column": "摘要",
    "income_column": "收入",
    "expense_column": "支出",
    "balance_column": "余额",
    "counterparty_column": "对方户名",
}


class Command(BaseCommand):
    help = "上传演示银行对账单（巴林左旗医院工会2012年度，含两笔未达账项）并自动匹配；需先运行 load_demo"

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="DEBUG 关闭时也载入（仅用于测试环境）")
        parser.add_argument("--confirm", action="store_true", help="同时确认全部自动匹配")

    def handle(self, *args, force: bool = False, confirm: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("演示对账单只在开发环境（DEBUG=1）载入；生产环境不要运行此命令")
        year = (
            AccountingYear.objects.select_related("union", "chart")
            .filter(union__slug="blzq-hospital", year=2012)
            .first()
        )
        if year is None:
            raise CommandError("没有演示账套：请先运行 python manage.py load_demo")
        user = get_user_model().objects.get(username="treasurer")
        try:
            services.upload_statement(
                year=year,
                user=user,
                bank_name="中国农业银行巴林左旗支行",
                name=DEMO_STATEMENT.name,
                content=DEMO_STATEMENT.read_bytes(),
                mapping=DEMO_MAPPING,
                period_end=datetime.date(2012, 12, 31),
            )
            if confirm:
                services.confirm_matches(year=year, user=user)
        except LedgerError as error:
            raise CommandError(f"演示对账单载入失败：{error}") from error
        self.stdout.write(f"已上传演示对账单：{DEMO_STATEMENT.name}")
