from django.core.management.base import BaseCommand, CommandError

from ledger import services
from ledger.errors import LedgerError
from ledger.models import Union


class Command(BaseCommand):
    help = "建立一个工会组织（可指定上级工会和省份），供管理员批量建立"

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="工会名称，如 巴林左旗医院工会")
        parser.add_argument("--slug", required=True, help="简称（网址中用），小写字母、数字和连字符")
        parser.add_argument("--parent", help="上级工会的简称")
        parser.add_argument("--province", default="", help="省份，如 内蒙古")
        parser.add_argument(
            "--no-books",
            action="store_true",
            help="分工会不单独建账：在上级工会的凭证分录上按分会辅助核算（须同时指定 --parent）",
        )

    def handle(self, *args, name, slug, parent, province, no_books=False, **options):
        above = None
        if parent:
            above = Union.objects.filter(slug=parent).first()
            if above is None:
                raise CommandError(f"没有简称为“{parent}”的上级工会")
        try:
            union = services.create_union(
                name=name, slug=slug, parent=above, province=province, keeps_books=not no_books
            )
        except LedgerError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"已建立工会：{union.name}（{union.slug}）")
