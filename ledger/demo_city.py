"""The second demo union: a city hospital's union in 内蒙古 with its 2025 books on the 2021 chart.

Loaded by ``load_demo`` through the same public services as the first (``ledger.demo.load_year_file``);
its year is described in ``fixtures/city-hospital-2025.json``.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser

from ledger import roles
from ledger.demo import load_year_file
from ledger.models import Union

CITY_FILE = settings.BASE_DIR / "fixtures" / "city-hospital-2025.json"
CITY_SLUG = "city-hospital"
# (username, first name, role group): the city union's own demo users, one per role, like the first union's.
CITY_USERS = [
    ("city-treasurer", "赵敏", roles.TREASURER),
    ("city-committee", "孙志强", roles.COMMITTEE),
    ("city-auditor", "周红梅", roles.AUDITOR),
]


def load_city_hospital(*, user: AbstractBaseUser) -> tuple[Union, bool]:
    """The city hospital's union, loaded now (True) or found already there (False)."""
    found = Union.objects.filter(slug=CITY_SLUG).first()
    if found is not None:
        return found, False
    return load_year_file(CITY_FILE, user=user), True
