from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ledger.backup import backup_file_name, create_backup, prune_backups
from ledger.errors import LedgerError


class Command(BaseCommand):
    help = "备份整个数据库（工会、用户、凭证、附件、报告文字、操作记录）到一个 zip 文件"

    def add_arguments(self, parser):
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("--output", help="备份文件路径，如 var/backup-2026-11-25.zip")
        where.add_argument(
            "--dir", help="备份目录：文件名按时间生成（unionledger-20261125-023000.zip），适合定时备份"
        )
        parser.add_argument(
            "--keep",
            type=int,
            metavar="N",
            help="备份成功后，只保留该目录中最新的 N 份备份，删除更早的（其他文件不动）",
        )

    def handle(self, *args, output: str | None, dir: str | None, keep: int | None, **options):
        if keep is not None and keep < 1:
            raise CommandError("--keep 至少为 1")
        if dir is not None:
            directory = Path(dir)
            if not directory.is_dir():
                raise CommandError(f"备份目录不存在：{directory}")
            path = directory / backup_file_name()
        else:
            path = Path(output)
            if not path.parent.is_dir():
                raise CommandError(f"备份目录不存在：{path.parent}")
        try:
            manifest = create_backup(path)
        except LedgerError as error:
            raise CommandError(str(error)) from None
        vouchers = manifest["counts"].get("ledger.voucher", 0)
        self.stdout.write(f"已备份到 {path}：凭证 {vouchers} 张，附件 {manifest['attachments']} 个")
        if keep is not None:
            for old in prune_backups(path.parent, keep=keep):
                self.stdout.write(f"已删除旧备份 {old}")
