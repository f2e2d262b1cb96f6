from decimal import Decimal as D

import pytest

from plan.arith import dues_base, levy_split, monthly_dues, per_head, percent


@pytest.mark.parametrize(
    ("total", "share", "kept", "owed"),
    [
        ("10000.00", "60", "6000.00", "4000.00"),
        ("10000.05", "60", "6000.03", "4000.02"),  # 6000.030 kept; the rest goes up
        ("0.05", "60", "0.03", "0.02"),  # 0.030: half up to the 分 is 0.03
        ("0.01", "60", "0.01", "0.00"),  # 0.006 → 0.01 kept, nothing up
        ("123456.78", "55.5", "68518.51", "54938.27"),  # 68518.5129 → 68518.51
        ("999.99", "100", "999.99", "0.00"),
        ("999.99", "0", "0.00", "999.99"),
    ],
)
def test_the_levy_splits_to_the_cent_and_always_adds_up(total, share, kept, owed):
    assert levy_split(D(total), D(share)) == (D(kept), D(owed))
    assert sum(levy_split(D(total), D(share))) == D(total)


def test_the_wage_tail_under_ten_yuan_is_ignored():
    assert dues_base(D("3456.78")) == D("3450")
    assert dues_base(D("3450.00")) == D("3450")
    assert dues_base(D("9.99")) == D("0")


@pytest.mark.parametrize(
    ("wage", "permille", "rounding", "dues"),
    [
        ("3456.78", "5", "fen", "17.25"),  # 3450 × 5‰
        ("3456.78", "5", "jiao", "17.30"),  # 17.25 → 17.3 half up
        ("3456.78", "5", "yuan", "17.00"),
        ("6835.50", "5", "fen", "34.15"),  # 6830 × 5‰
        ("4988.88", "5", "jiao", "24.90"),  # 4980 × 5‰ = 24.90
        ("5015.00", "5", "yuan", "25.00"),  # 25.05 → 25
        ("3870.00", "5", "yuan", "19.00"),  # 19.35 → 19
        ("3890.00", "5", "yuan", "19.00"),  # 19.45 → 19
        ("3900.00", "5", "yuan", "20.00"),  # 19.50 → 20 (half up)
        ("4102.60", "3", "fen", "12.30"),  # 4100 × 3‰
    ],
)
def test_dues_follow_the_rate_and_the_unions_rounding(wage, permille, rounding, dues):
    assert monthly_dues(D(wage), D(permille), rounding) == D(dues)


def test_per_head_and_percent():
    assert per_head(D("1000.00"), 3) == D("333.33")
    assert per_head(D("1000.00"), None) is None
    assert percent(D("1"), D("3")) == D("33.3")
    assert percent(D("1"), D("0")) is None
