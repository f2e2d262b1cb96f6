from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from imports import services
from ledger import services as ledger_services
from ledger.errors import LedgerError
from ledger.models import Union


class DryRun(Exception):
    pass


class Command(BaseCommand):
    help = "从Excel文件（凭证模板或收支流水模板）导入一个年度的账，可同时导入期初余额（科目余额表）"

    def add_arguments(self, parser):
        parser.add_argument("file", help="凭证或收支流水的 .xlsx 文件")
        parser.add_argument("--union", required=True, help="工会简称（slug）")
        parser.add_argument("--year", required=True, type=int, help="会计年度，如 2012（没有就建立）")
        parser.add_argument("--opening", help="期初余额（科目余额表）的 .xlsx 文件，导入第一个年度时用")
        parser.add_argument("--kind", choices=["auto", "vouchers", "cashbook"], default="auto")
        parser.add_argument("--user", help="记账人的用户名（默认：第一个系统管理员）")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入任何数据")

    def handle(self, *args, file, union, year, opening, kind, user, dry_run, **options):
        found = Union.objects.filter(slug=union).first()
        if found is None:
            raise CommandError(f"没有简称为“{union}”的工会")
        users = get_user_model().objects.filter(is_active=True)
        person = (
            users.filter(username=user).first()
            if user
            else users.filter(is_superuser=True).order_by("pk").first()
        )
        if person is None:
            raise CommandError(f"没有用户“{user}”" if user else "请用 --user 指定记账人（没有系统管理员）")
        try:
            with transaction.atomic():
                self._import(found, year, file, opening, kind, person, dry_run)
                if dry_run:
                    raise DryRun
        except DryRun:
            self.stdout.write("检查通过（--dry-run，没有写入任何数据）")
        except LedgerError as error:
            raise CommandError(error.message) from None

    def _read(self, path: str) -> tuple[str, bytes]:
        try:
            return Path(path).name, Path(path).read_bytes()
        except OSError as error:
            raise CommandError(f"无法读取文件{path}：{error.strerror}") from None

    def _import(self, union, year, file, opening, kind, person, dry_run):
        accounting_year = ledger_services.open_year(union=union, year=year, user=None)
        steps = []
        if opening:
            steps.append(("opening", *self._read(opening)))
        name, content = self._read(file)
        steps.append((kind if kind != "auto" else services.detect_kind(content), name, content))
        for step_kind, step_name, step_content in steps:
            batch = services.upload(
                year=accounting_year, kind=step_kind, file_name=step_name, content=step_content, user=person
            )
            analysis = services.analyse(batch, page=0)
            if analysis.file_problem:
                raise CommandError(f"{step_name}：{analysis.file_problem}")
            if analysis.problem_count:
                for problem in analysis.problems:
                    self.stderr.write(f"{step_name} {problem}")
                if analysis.problem_count > len(analysis.problems):
                    self.stderr.write(f"……共{analysis.problem_count}处问题")
                raise CommandError(f"{step_name}有{analysis.problem_count}处问题，没有导入任何数据")
            services.record_analysis(batch, analysis)
            self.stdout.write(f"{step_name}：{analysis.rows}行，{analysis.voucher_count}张凭证，检查通过")
            if dry_run:
                continue
            batch = services.confirm(batch=batch, user=person, progress=self._progress)
            if batch.kind != "opening":
                self.stderr.write("")  # end the progress bar's line
            self.stdout.write(f"{step_name}：{batch.message}")

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        self.stderr.write(f"\r记账 [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending="")
        self.stderr.flush()
