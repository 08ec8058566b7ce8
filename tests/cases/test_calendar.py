import random
from datetime import date, datetime, timedelta

import pytest

from cases.calendar import (
    BRUSSELS,
    LAST_DAY,
    add_working_days,
    due_at,
    is_working_day,
    subtract_working_days,
    working_days_between,
)
from cases.models import ClosingDay

pytestmark = pytest.mark.django_db


def at(*args) -> datetime:
    return datetime(*args, tzinfo=BRUSSELS)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 4, 3), True),  # Friday before Easter
        (date(2026, 4, 4), False),  # Saturday
        (date(2026, 4, 5), False),  # Easter Sunday
        (date(2026, 4, 6), False),  # Easter Monday
        (date(2026, 5, 14), False),  # Ascension
        (date(2026, 5, 25), False),  # Whit Monday
        (date(2025, 7, 11), False),  # Flemish holiday, a Friday in 2025
        (date(2025, 7, 21), False),  # National day
        (date(2025, 7, 10), True),
        (date(2026, 11, 11), False),  # Armistice
        (date(2026, 11, 12), True),
    ],
)
def test_working_days(day, working):
    assert is_working_day(day) is working


def test_closing_day_is_not_a_working_day():
    ClosingDay.objects.create(date=date(2026, 11, 2), reason="Brugdag Allerzielen")
    assert is_working_day(date(2026, 11, 2)) is False
    assert is_working_day(date(2026, 11, 3)) is True


def test_regional_holidays_are_configurable(settings):
    settings.MIDOFFICE_REGIONAL_HOLIDAYS = []
    assert is_working_day(date(2025, 7, 11)) is True
    settings.MIDOFFICE_REGIONAL_HOLIDAYS = ["07-11", "09-27"]  # e.g. a city also closing on 27 September
    assert is_working_day(date(2025, 7, 11)) is False
    assert is_working_day(date(2024, 9, 27)) is False


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (at(2026, 11, 16, 9), at(2026, 11, 16, 17), 0),  # same day
        (at(2026, 11, 20, 16), at(2026, 11, 23, 9), 1),  # Friday → Monday
        (at(2026, 11, 21, 10), at(2026, 11, 23, 9), 1),  # Saturday → Monday
        (at(2026, 11, 16, 9), at(2026, 11, 23, 9), 5),  # a week
        (at(2026, 4, 3, 9), at(2026, 4, 7, 9), 1),  # over Easter: only Tuesday counts
        (at(2026, 11, 23, 9), at(2026, 11, 16, 9), 0),  # end before start
    ],
)
def test_working_days_between(start, end, days):
    assert working_days_between(start, end) == days


def test_dates_are_taken_in_brussels_time():
    # 23:30 UTC on Friday is already Saturday 00:30 in Brussels (winter time).
    friday_night_utc = datetime.fromisoformat("2026-11-20T23:30:00+00:00")
    assert working_days_between(friday_night_utc, at(2026, 11, 23, 9)) == 1
    assert working_days_between(at(2026, 11, 20, 9), at(2026, 11, 23, 9)) == 1


def test_add_working_days_skips_weekends_holidays_and_closing_days():
    assert add_working_days(date(2026, 11, 19), 3) == date(2026, 11, 24)  # Thu + 3 = Tue
    assert add_working_days(date(2026, 4, 2), 2) == date(2026, 4, 7)  # Thu + 2 over Easter Monday
    ClosingDay.objects.create(date=date(2026, 11, 23), reason="Personeelsdag")
    assert add_working_days(date(2026, 11, 19), 3) == date(2026, 11, 25)
    assert add_working_days(date(2026, 11, 19), 0) == date(2026, 11, 19)


def _closing_days_of_thirty_years():
    ClosingDay.objects.bulk_create(
        [
            ClosingDay(date=date(2010, 5, 14), reason="Brugdag na O.L.H. Hemelvaart"),  # a Friday: one day less
            ClosingDay(date=date(2020, 12, 26), reason="Tweede kerstdag"),  # a Saturday: no working day anyway
            ClosingDay(date=date(2015, 7, 21), reason="Nationale feestdag"),  # already a holiday: not twice
        ]
    )


def test_a_thirty_year_span_is_counted_exactly():
    """Counted by weeks and the holidays in the span; the figures are those of a day-by-day count."""
    _closing_days_of_thirty_years()
    assert working_days_between(at(1996, 1, 1, 9), at(2025, 12, 31, 9)) == 7564
    assert add_working_days(date(1996, 1, 1), 7500) == date(2025, 9, 30)
    assert subtract_working_days(date(2026, 1, 1), 7500) == date(1996, 4, 1)


def test_the_arithmetic_agrees_with_walking_day_by_day():
    _closing_days_of_thirty_years()
    ClosingDay.objects.create(date=date(2026, 11, 2), reason="Brugdag Allerzielen")
    rng = random.Random(20261130)
    for _ in range(300):
        first = date(1995, 1, 1) + timedelta(days=rng.randrange(365 * 32))
        last = first + timedelta(days=rng.randrange(800))
        count = rng.randrange(300)
        walked = [first + timedelta(days=n) for n in range(1, (last - first).days + 1)]
        assert working_days_between(
            at(first.year, first.month, first.day, 12), at(last.year, last.month, last.day, 8)
        ) == sum(is_working_day(day) for day in walked)
        forward, found = first, 0
        while found < count:
            forward += timedelta(days=1)
            found += is_working_day(forward)
        assert add_working_days(first, count) == forward
        backward, found = last, 0
        while found < count:
            backward -= timedelta(days=1)
            found += is_working_day(backward)
        assert subtract_working_days(last, count) == backward


def test_spans_outside_the_calendar_are_clamped_not_walked(settings):
    """Day by day, year 200 took 13 s and year 1 overflowed; the calendar starts at MIDOFFICE_MIN_DATE."""
    assert working_days_between(at(200, 3, 1, 10), at(1990, 1, 5, 10)) == 4  # 1 January is a holiday
    assert working_days_between(at(1, 1, 1, 10), at(1, 12, 31, 10)) == 0
    assert add_working_days(date(1, 1, 1), 3) == date(1990, 1, 4)
    assert subtract_working_days(date(1990, 1, 3), 5) == date(1990, 1, 1)
    assert subtract_working_days(date(1, 1, 1), 5) == date(1, 1, 1)
    assert add_working_days(date(2299, 12, 20), 30) == LAST_DAY
    assert add_working_days(date(2026, 11, 19), 10**12) == LAST_DAY
    settings.MIDOFFICE_MIN_DATE = date(2026, 11, 1)
    assert working_days_between(at(2026, 10, 1, 10), at(2026, 11, 4, 10)) == 3  # 2, 3 and 4 November


class TestDueAt:
    def test_working_day_norm_ends_at_end_of_the_nth_working_day(self):
        # A report registered on Tuesday with a 3-working-day norm is due Friday 23:59:59.
        assert due_at(at(2026, 11, 17, 14), norm_days=3, working_days=True) == at(2026, 11, 20, 23, 59, 59)

    def test_registration_on_a_saturday_counts_from_the_weekend(self):
        assert due_at(at(2026, 11, 21, 11), norm_days=3, working_days=True) == at(2026, 11, 25, 23, 59, 59)

    def test_over_ascension_and_the_bridge_day(self):
        ClosingDay.objects.create(date=date(2026, 5, 15), reason="Brugdag na O.L.H. Hemelvaart")
        assert due_at(at(2026, 5, 13, 10), norm_days=2, working_days=True) == at(2026, 5, 19, 23, 59, 59)

    def test_calendar_day_norm(self):
        # An invoice received on 5 December: 30 calendar days, weekends and holidays included.
        assert due_at(at(2026, 12, 5, 10), norm_days=30, working_days=False) == at(2027, 1, 4, 23, 59, 59)

    def test_across_daylight_saving_time(self):
        due = due_at(at(2026, 3, 27, 10), norm_days=1, working_days=True)  # Friday before the clocks change
        assert due == at(2026, 3, 30, 23, 59, 59)
        assert due.utcoffset().total_seconds() == 7200


def test_functional_admin_edits_closing_days_in_the_admin(client):
    from tests.factories import UserFactory

    user = UserFactory(role="functional_admin", is_staff=True)
    client.force_login(user)
    response = client.post("/admin/cases/closingday/add/", {"date": "2026-11-02", "reason": "Brugdag"})
    assert response.status_code == 302
    assert ClosingDay.objects.get().reason == "Brugdag"
    duplicate = client.post("/admin/cases/closingday/add/", {"date": "2026-11-02", "reason": "Nog eens"})
    assert duplicate.status_code == 200  # the form is shown again with the error
    assert ClosingDay.objects.count() == 1
