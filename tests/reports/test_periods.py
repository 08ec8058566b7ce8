from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from reports.periods import parse_period

BRUSSELS = ZoneInfo("Europe/Brussels")


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2026", date(2026, 1, 1), date(2026, 12, 31)),
        ("2026-H1", date(2026, 1, 1), date(2026, 6, 30)),
        ("2026-H2", date(2026, 7, 1), date(2026, 12, 31)),
        ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30)),
        ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
        ("2026-07", date(2026, 7, 1), date(2026, 7, 31)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
    ],
)
def test_named_periods(text, first, last):
    period = parse_period(text)
    assert (period.first, period.last, period.label) == (first, last, text)


def test_bounds_are_brussels_midnights():
    """00:30 local on 1 October is still 30 September in UTC: it lies in Q4."""
    q4 = parse_period("2026-Q4")
    assert q4.start == datetime(2026, 10, 1, tzinfo=BRUSSELS)
    assert q4.start.utcoffset().total_seconds() == 7200
    moment = datetime(2026, 9, 30, 22, 30, tzinfo=ZoneInfo("UTC"))
    assert q4.start <= moment < q4.end
    assert not parse_period("2026-Q3").start <= moment < parse_period("2026-Q3").end


def test_a_range_of_dates_includes_both_ends():
    period = parse_period(first=date(2026, 3, 1), last=date(2026, 3, 31))
    assert period.end == datetime(2026, 4, 1, tzinfo=BRUSSELS)
    assert period.label == "2026-03-01/2026-03-31"
    assert period.file_label == "2026-03-01_2026-03-31"  # in a download's file name: no slash


def test_the_year_earlier():
    assert parse_period("2026-Q3").year_earlier() == parse_period("2025-Q3")
    leap = parse_period(first=date(2024, 2, 1), last=date(2024, 2, 29)).year_earlier()
    assert (leap.first, leap.last) == (date(2023, 2, 1), date(2023, 2, 28))


@pytest.mark.parametrize("text", ["2026-Q5", "2026-13", "2026-H3", "26", "2026Q3", "Q3-2026", "1200", "2026-7"])
def test_unknown_periods_list_the_accepted_forms(text):
    with pytest.raises(ValidationError) as refused:
        parse_period(text)
    assert "2026-Q3" in refused.value.message_dict["period"][0]


def test_a_range_needs_both_ends_in_order():
    with pytest.raises(ValidationError):
        parse_period(first=date(2026, 3, 1))
    with pytest.raises(ValidationError) as refused:
        parse_period(first=date(2026, 3, 2), last=date(2026, 3, 1))
    assert "to" in refused.value.message_dict
    with pytest.raises(ValidationError):
        parse_period("2026", first=date(2026, 3, 1), last=date(2026, 3, 2))
