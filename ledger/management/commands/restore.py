from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ledger.backup import restore_backup
from ledger.errors import LedgerError


class Command(BaseCommand):
    help = "从 backup 命令生成的 zip 文件恢复整个数据库；数据库非空时须加 --replace"

    def add_arguments(self, parser):
        parser.add_argument("file", help="备份文件")
        parser.add_argument("--replace", action="store_true", help="用备份替换数据库中现有的全部数据")
        parser.add_argument(
            "--trust-unsigned",
            action="store_true",
            help="签名缺失或无法验证时仍然恢复（确认备份来源可信时才用；会记入操作记录）",
        )

    def handle(self, *args, file: str, replace: bool, trust_unsigned: bool, **options):
        try:
            manifest = restore_backup(Path(file), replace=replace, trust_unsigned=trust_unsigned)
        except LedgerError as error:
            raise CommandError(str(error)) from None
        vouchers = manifest["counts"].get("ledger.voucher", 0)
        self.stdout.write(f"已从 {file} 恢复（备份时间 {manifest['created_at']}）：凭证 {vouchers} 张")
