from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from ledger import hooks, roles
from ledger.demo import load_year_file
from ledger.demo_city import (
    CITY_USERS,
    FEDERATION_SLUG,
    FEDERATION_USER,
    load_city_branches,
    load_city_hospital,
)
from ledger.errors import LedgerError
from ledger.models import Union

DEMO_FILE = settings.BASE_DIR / "fixtures" / "blzq-hospital-2012.json"
DEMO_PASSWORD = "unionledger-demo"
# (username, first name, role group): one user per role, all members of the demo union.
DEMO_USERS = [
    ("treasurer", "王秀兰", roles.TREASURER),
    ("committee", "李建国", roles.COMMITTEE),
    ("auditor", "张丽华", roles.AUDITOR),
    ("reviewer", "赵志刚", roles.REVIEWER),
]


class Command(BaseCommand):
    help = "载入演示数据：巴林左旗医院工会2012年度账目（样本财务工作报告的那一年）、呼和浩特市第一医院工会2025年度账目（2021年制度）及演示用户"

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="DEBUG 关闭时也载入（仅用于测试环境）")
        parser.add_argument(
            "--no-pending",
            action="store_true",
            help="不载入待审核、待记账的两张凭证（2012年度即可结账；测试用）",
        )
        parser.add_argument(
            "--books-only",
            action="store_true",
            help="只载入两个工会的账目，不载入其他模块的演示数据（预算、会员会费等；测试用）",
        )

    def handle(
        self, *args, force: bool = False, no_pending: bool = False, books_only: bool = False, **options
    ):
        if not settings.DEBUG and not force:
            raise CommandError("演示数据和演示用户只在开发环境（DEBUG=1）载入；生产环境不要运行此命令")
        users = _demo_users(DEMO_USERS)
        if Union.objects.filter(slug="blzq-hospital").exists():
            union = Union.objects.get(slug="blzq-hospital")
            self.stdout.write("演示数据已存在：巴林左旗医院工会（blzq-hospital），未重复载入")
        else:
            try:
                union = load_year_file(
                    DEMO_FILE, user=users["treasurer"], reviewer=users["reviewer"], pending=not no_pending
                )
            except LedgerError as error:
                raise CommandError(f"演示数据载入失败：{error}") from error
            self.stdout.write(f"已载入演示数据：{union.name}（{union.slug}）2012年度")
            if not no_pending:
                self.stdout.write(
                    "其中两张凭证待审核、待记账（reviewer 审核记账或 treasurer 删除后才能结账）"
                )
        union.members.add(*users.values())
        for username, first_name, group_name in DEMO_USERS:
            self.stdout.write(f"演示用户：{username} / {DEMO_PASSWORD}（{group_name}，{first_name}）")
        city_users = _demo_users(CITY_USERS)  # the second demo union, 2025 on the 2021 chart
        try:
            city, loaded = load_city_hospital(user=city_users["city-treasurer"])
        except LedgerError as error:
            raise CommandError(f"演示数据载入失败：{error}") from error
        city.members.add(*city_users.values())
        self.stdout.write(
            f"{'已载入演示数据：' if loaded else '演示数据已存在：'}{city.name}（{city.slug}）2025年度"
        )
        for username, first_name, group_name in CITY_USERS:
            self.stdout.write(
                f"演示用户：{username} / {DEMO_PASSWORD}（{group_name}，{first_name}，{city.name}）"
            )
        if books_only:
            return
        # The other apps' demo data (the plan's budget, roster, dues and levy in city-hospital 2025), once the
        # books they build on are in; each loader adds its data once.
        for loader in hooks.demo_loaders:
            line = loader(user=city_users["city-treasurer"])
            if line:
                self.stdout.write(line)
        # The city union's 分工会 (their books, an allocation to each) and the 总工会 above it, with its user.
        try:
            line = load_city_branches(user=city_users["city-treasurer"])
        except LedgerError as error:
            raise CommandError(f"演示数据载入失败：{error}") from error
        if line:
            self.stdout.write(line)
        federation_users = _demo_users([FEDERATION_USER])
        Union.objects.get(slug=FEDERATION_SLUG).members.add(*federation_users.values())
        username, first_name, group_name = FEDERATION_USER
        self.stdout.write(
            f"演示用户：{username} / {DEMO_PASSWORD}（{group_name}，{first_name}，呼和浩特市总工会）"
        )


def _demo_users(specs) -> dict:
    """The demo users of ``specs`` (username, first name, role group), made once with the demo password."""
    User = get_user_model()
    users = {}
    for username, first_name, group_name in specs:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first_name, "last_name": ""}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        try:
            user.groups.add(Group.objects.get(name=group_name))
        except Group.DoesNotExist:
            raise CommandError(f"缺少角色“{group_name}”：请先运行 python manage.py migrate") from None
        users[username] = user
    return users
