"""Report periods: a month, quarter, half-year, year or any range of dates, in Brussels time."""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cases.calendar import BRUSSELS

ACCEPTED = "2026, 2026-H1, 2026-Q3, 2026-07, or from and to dates (2026-07-01 … 2026-09-30)"
_PATTERN = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<half>H[12])|(?P<quarter>Q[1-4])|(?P<month>\d{2})))?$")
# The earliest and latest years a report covers: enough for history imported from a previous system.
MIN_YEAR, MAX_YEAR = 1990, 2100


@dataclass(frozen=True)
class Period:
    """The local days ``first`` … ``last`` (both included)."""

    first: date
    last: date
    label: str

    @property
    def file_label(self) -> str:
        """The label in a file name: ``2026-Q3``, ``2026-07-01_2026-09-30`` (no slash)."""
        return self.label.replace("/", "_")

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time.min, tzinfo=BRUSSELS)

    @property
    def end(self) -> datetime:
        """The first moment after the period (exclusive bound)."""
        return datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=BRUSSELS)

    def year_earlier(self) -> "Period":
        label = re.sub(r"^\d{4}", lambda m: str(int(m.group()) - 1), self.label)
        if not _PATTERN.match(self.label):
            label = f"{_shift_year(self.first, -1).isoformat()}/{_shift_year(self.last, -1).isoformat()}"
        return Period(_shift_year(self.first, -1), _shift_year(self.last, -1), label)


def _shift_year(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _month_end(year: int, month: int) -> date:
    return (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)


def parse_period(text: str | None = None, *, first: date | None = None, last: date | None = None) -> Period:
    """``2026``, ``2026-H1``, ``2026-Q3``, ``2026-07``, or ``first``/``last`` dates; ValidationError otherwise."""
    if text:
        if first is not None or last is not None:
            raise ValidationError({"period": [_("Give a period or from and to dates, not both.")]})
        return _named(text.strip())
    if first is None or last is None:
        raise ValidationError({"period": [_("Give a period: %(forms)s.") % {"forms": ACCEPTED}]})
    if last < first:
        raise ValidationError({"to": [_("The end date lies before the start date.")]})
    if not (first.year >= MIN_YEAR and last.year <= MAX_YEAR):
        raise ValidationError(
            {"period": [_("Give dates between %(min)d and %(max)d.") % {"min": MIN_YEAR, "max": MAX_YEAR}]}
        )
    return Period(first, last, f"{first.isoformat()}/{last.isoformat()}")


def _named(text: str) -> Period:
    match = _PATTERN.match(text)
    year = int(match["year"]) if match else 0
    if not match or not MIN_YEAR <= year <= MAX_YEAR:
        raise _unknown(text)
    if match["half"]:
        first_month = 1 if match["half"] == "H1" else 7
        return Period(date(year, first_month, 1), _month_end(year, first_month + 5), text)
    if match["quarter"]:
        first_month = 3 * (int(match["quarter"][1]) - 1) + 1
        return Period(date(year, first_month, 1), _month_end(year, first_month + 2), text)
    if match["month"]:
        month = int(match["month"])
        if not 1 <= month <= 12:
            raise ValidationError(
                {
                    "period": [
                        _("Unknown period %(value)s; give one of: %(forms)s.") % {"value": text, "forms": ACCEPTED}
                    ]
                }
            )
        return Period(date(year, month, 1), _month_end(year, month), text)
    return Period(date(year, 1, 1), date(year, 12, 31), text)


def _unknown(text: str) -> ValidationError:
    message = _("Unknown period %(value)s; give one of: %(forms)s.") % {"value": text, "forms": ACCEPTED}
    return ValidationError({"period": [message]})
