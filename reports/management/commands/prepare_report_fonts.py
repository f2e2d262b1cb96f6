from django.core.management.base import BaseCommand

from reports import fonts


class Command(BaseCommand):
    help = "准备财务工作报告 PDF 使用的中文字体（安装时运行一次；make install 会运行）"
    requires_system_checks: list = []  # the checks would only say that the fonts are not prepared yet

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="即使已准备也重新生成")

    def handle(self, *args, force: bool = False, **options):
        for line in fonts.prepare(force=force):
            self.stdout.write(line)
        status = fonts.status()
        for problem in status.problems:
            self.stderr.write(problem)
