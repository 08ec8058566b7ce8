"""Working days and due dates (DESIGN §6), always in Europe/Brussels local dates.

A working day is Monday to Friday, not a Belgian public holiday (``holidays.Belgium``), not a
regional holiday from ``MIDOFFICE_REGIONAL_HOLIDAYS`` (11 July by default) and not one of the
city's closing days (``ClosingDay``, edited in the admin).
"""

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


def _public_holidays(year: int) -> frozenset[date]:
    return _holidays_of(year, tuple(settings.MIDOFFICE_REGIONAL_HOLIDAYS))


@lru_cache(maxsize=64)
def _holidays_of(year: int, regional: tuple[str, ...]) -> frozenset[date]:
    extra = set()
    for month_day in regional:
        month, day = (int(part) for part in month_day.split("-"))
        extra.add(date(year, month, day))
    return frozenset(holidays.Belgium(years=year)) | extra


# The closing days are a short table read on nearly every case write and detail view: keep it in memory
# for a minute. A change in this process clears it at once (signals below); other processes see it
# within CLOSING_DAYS_TTL.
CLOSING_DAYS_TTL = 60.0
_closing_days: tuple[float, frozenset[date]] | None = None


def closing_days() -> frozenset[date]:
    global _closing_days
    now = monotonic()
    if _closing_days is None or now - _closing_days[0] > CLOSING_DAYS_TTL:
        _closing_days = (now, frozenset(ClosingDay.objects.values_list("date", flat=True)))
    return _closing_days[1]


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


def local_date(moment: datetime) -> date:
    return moment.astimezone(BRUSSELS).date()


def is_working_day(day: date) -> bool:
    return WorkingCalendar(day, day).is_working_day(day)


def working_days_between(start: datetime, end: datetime) -> int:
    """Working days d with start's date < d <= end's date: same day 0, Friday → Monday 1, Saturday → Monday 1."""
    first, last = local_date(start), local_date(end)
    if last <= first:
        return 0
    calendar = WorkingCalendar(first + timedelta(days=1), last)
    return sum(calendar.is_working_day(first + timedelta(days=n)) for n in range(1, (last - first).days + 1))


def add_working_days(start: date, count: int) -> date:
    """The ``count``-th working day after ``start`` (``start`` itself when ``count`` is 0)."""
    if count < 0:
        raise ValueError("count must not be negative")
    day, found = start, 0
    # Long enough for any norm: weekends, holidays and closing days never take more than half the days.
    span = timedelta(days=count * 2 + 30)
    calendar = WorkingCalendar(start, start + span)
    while found < count:
        day += timedelta(days=1)
        if day > calendar.end:
            calendar = WorkingCalendar(day, day + span)
        found += calendar.is_working_day(day)
    return day


def subtract_working_days(start: date, count: int) -> date:
    """The ``count``-th working day before ``start`` (``start`` itself when ``count`` is 0)."""
    if count < 0:
        raise ValueError("count must not be negative")
    day, found = start, 0
    span = timedelta(days=count * 2 + 30)
    calendar = WorkingCalendar(start - span, start)
    while found < count:
        day -= timedelta(days=1)
        if day < calendar.start:
            calendar = WorkingCalendar(day - span, day)
        found += calendar.is_working_day(day)
    return day


def end_of_day(day: date) -> datetime:
    return datetime.combine(day, END_OF_DAY, tzinfo=BRUSSELS)


def due_at(registered_at: datetime, *, norm_days: int, working_days: bool) -> datetime:
    """End (23:59:59 local) of the N-th working day after registration, or of registration date + N days."""
    registered = local_date(registered_at)
    if working_days:
        return end_of_day(add_working_days(registered, norm_days))
    return end_of_day(registered + timedelta(days=norm_days))
