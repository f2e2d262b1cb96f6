from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ledger.backup import create_backup
from ledger.errors import LedgerError


class Command(BaseCommand):
    help = "备份整个数据库（工会、用户、凭证、附件、报告文字、操作记录）到一个 zip 文件"

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="备份文件路径，如 var/backup-2026-11-25.zip")

    def handle(self, *args, output: str, **options):
        try:
            manifest = create_backup(Path(output))
        except LedgerError as error:
            raise CommandError(str(error)) from None
        vouchers = manifest["counts"].get("ledger.voucher", 0)
        self.stdout.write(f"已备份到 {output}：凭证 {vouchers} 张，附件 {manifest['attachments']} 个")
