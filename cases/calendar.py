"""Working days and due dates, always in Europe/Brussels local dates.

A working day is Monday to Friday, not a Belgian public holiday (``holidays.Belgium``), not a
regional holiday from ``MIDOFFICE_REGIONAL_HOLIDAYS`` (11 July by default) and not one of the
city's closing days (``ClosingDay``, edited in the admin).

Spans are counted by whole weeks minus the holidays and closing days that fall on a weekday in them,
never day by day, so a span of decades costs about as much as one of days. The calendar knows the days
from ``MIDOFFICE_MIN_DATE`` to ``LAST_DAY``: the API refuses earlier moments, and a span reaching
outside (a row written before the bound existed) is clamped to it rather than counted through centuries.
"""

from bisect import bisect_right
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from time import monotonic
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import ClosingDay

BRUSSELS = ZoneInfo("Europe/Brussels")
END_OF_DAY = time(23, 59, 59)
# Far beyond any due date: the longest norm (32,767 working days) from today ends before 2160.
LAST_DAY = date(2299, 12, 31)


def first_day() -> date:
    return settings.MIDOFFICE_MIN_DATE


def _public_holidays(year: int) -> frozenset[date]:
    return _holidays_of(year, tuple(settings.MIDOFFICE_REGIONAL_HOLIDAYS))


# Enough years for every span inside the bounds.
@lru_cache(maxsize=1024)
def _holidays_of(year: int, regional: tuple[str, ...]) -> frozenset[date]:
    extra = set()
    for month_day in regional:
        month, day = (int(part) for part in month_day.split("-"))
        extra.add(date(year, month, day))
    return frozenset(holidays.Belgium(years=year)) | extra


@lru_cache(maxsize=1024)
def _weekday_holidays_of(year: int, regional: tuple[str, ...]) -> tuple[date, ...]:
    """The year's holidays that fall on Monday to Friday, sorted: the ones a span of weekdays loses."""
    return tuple(sorted(day for day in _holidays_of(year, regional) if day.weekday() < 5))


# The closing days are a short table read on nearly every case write and detail view: keep it in memory
# for a minute. A change in this process clears it at once (signals below); other processes see it
# within CLOSING_DAYS_TTL.
CLOSING_DAYS_TTL = 60.0
_closing_days: tuple[float, frozenset[date], tuple[date, ...]] | None = None


def _load_closing_days() -> tuple[frozenset[date], tuple[date, ...]]:
    global _closing_days
    now = monotonic()
    if _closing_days is None or now - _closing_days[0] > CLOSING_DAYS_TTL:
        days = frozenset(ClosingDay.objects.values_list("date", flat=True))
        _closing_days = (now, days, tuple(sorted(day for day in days if day.weekday() < 5)))
    return _closing_days[1], _closing_days[2]


def closing_days() -> frozenset[date]:
    return _load_closing_days()[0]


@receiver([post_save, post_delete], sender=ClosingDay)
def forget_closing_days(**kwargs):
    global _closing_days
    _closing_days = None


class WorkingCalendar:
    """Answers working-day questions for a span of dates."""

    def __init__(self, start: date, end: date):
        self.start, self.end = start, end
        self.closed = closing_days()

    def is_working_day(self, day: date) -> bool:
        if not self.start <= day <= self.end:
            raise ValueError(f"{day} lies outside the calendar's span {self.start}–{self.end}")
        return day.weekday() < 5 and day not in _public_holidays(day.year) and day not in self.closed


def is_holiday_or_closing_day(day: date) -> bool:
    """A public holiday or one of the city's closing days (whatever the weekday): no service that day."""
    return day in _public_holidays(day.year) or day in closing_days()


def local_date(moment: datetime) -> date:
    return moment.astimezone(BRUSSELS).date()


def is_working_day(day: date) -> bool:
    return WorkingCalendar(day, day).is_working_day(day)


def _weekdays_through(day: date) -> int:
    """Mondays to Fridays from 1 January of year 1 (a Monday) up to and including ``day``."""
    weeks, rest = divmod(day.toordinal(), 7)
    return weeks * 5 + min(rest, 5)


def _working_days_after(first: date, last: date) -> int:
    """Working days d with first < d <= last: the weekdays, less the holidays and closing days among them."""
    if last <= first:
        return 0
    regional = tuple(settings.MIDOFFICE_REGIONAL_HOLIDAYS)
    count = _weekdays_through(last) - _weekdays_through(first)
    for year in range(first.year, last.year + 1):
        days = _weekday_holidays_of(year, regional)
        count -= bisect_right(days, last) - bisect_right(days, first)
    closed = _load_closing_days()[1]
    for day in closed[bisect_right(closed, first) : bisect_right(closed, last)]:
        count -= day not in _holidays_of(day.year, regional)
    return count


def _nth_weekday(day: date, n: int, step: int) -> date | None:
    """The ``n``-th Monday-to-Friday after (``step`` 1) or before (``step`` -1) ``day``; None outside the calendar."""
    lowest, highest = first_day().toordinal() - 1, LAST_DAY.toordinal()
    weeks, rest = divmod(n - 1, 5)  # seven days hold five weekdays; the last one to five are walked
    ordinal = day.toordinal() + step * 7 * weeks
    if not lowest <= ordinal <= highest:
        return None
    day = date.fromordinal(ordinal)
    for _ in range(rest + 1):
        day += timedelta(days=step)
        while day.weekday() >= 5:
            day += timedelta(days=step)
    return day if lowest < day.toordinal() <= highest else None


def _clamp(day: date) -> date:
    """Inside the calendar, or its edge; the day before the first one counts as no working day."""
    return min(max(day, first_day() - timedelta(days=1)), LAST_DAY)


def working_days_between(start: datetime, end: datetime) -> int:
    """Working days d with start's date < d <= end's date: same day 0, Friday → Monday 1, Saturday → Monday 1."""
    return _working_days_after(_clamp(local_date(start)), _clamp(local_date(end)))


def add_working_days(start: date, count: int) -> date:
    """The ``count``-th working day after ``start`` (``start`` itself when ``count`` is 0).

    Counted from the calendar's first day when ``start`` lies before it; ``LAST_DAY`` if the count runs past it.
    """
    if count < 0:
        raise ValueError("count must not be negative")
    if count == 0 or start >= LAST_DAY:
        return start
    day, missing = _clamp(start), count
    # Jump over as many weekdays as are missing; the holidays and closing days jumped over are missing next.
    while missing:
        target = _nth_weekday(day, missing, 1)
        if target is None:
            return LAST_DAY
        missing -= _working_days_after(day, target)
        day = target
    return day


def subtract_working_days(start: date, count: int) -> date:
    """The ``count``-th working day before ``start`` (``start`` itself when ``count`` is 0).

    The calendar's first day when the count runs past it; ``start`` itself when it lies before that day.
    """
    if count < 0:
        raise ValueError("count must not be negative")
    if count == 0 or start <= first_day():
        return start
    day, missing = _clamp(start), count
    while missing:
        target = _nth_weekday(day, missing, -1)
        if target is None:
            return first_day()
        missing -= _working_days_after(target - timedelta(days=1), day - timedelta(days=1))
        day = target
    return day


def end_of_day(day: date) -> datetime:
    return datetime.combine(day, END_OF_DAY, tzinfo=BRUSSELS)


def due_at(registered_at: datetime, *, norm_days: int, working_days: bool) -> datetime:
    """End (23:59:59 local) of the N-th working day after registration, or of registration date + N days."""
    registered = local_date(registered_at)
    if working_days:
        return end_of_day(add_working_days(registered, norm_days))
    return end_of_day(registered + timedelta(days=norm_days))
