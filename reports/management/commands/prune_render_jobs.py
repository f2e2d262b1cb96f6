from django.core.management.base import BaseCommand, CommandError

from reports import jobs


class Command(BaseCommand):
    help = "删除早于 N 天、已完成或已失败的报表生成任务及其任务结果（后台进程每次生成后也会顺带清理少量）"

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=float, default=None, help="保留天数（默认 REPORT_RENDER_KEEP_DAYS，即 7 天）"
        )

    def handle(self, *args, days, **options):
        if days is not None and days < 0:
            raise CommandError("保留天数不能为负数")
        total = 0
        while removed := jobs.prune(days=days, limit=1000):  # each round removes some, or it stops
            total += removed
        self.stdout.write(f"已删除 {total} 个报表生成任务。")
