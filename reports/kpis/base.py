"""The KPI contract: each KPI is a definition and one SQL aggregate over a period.

A KPI's ``compute(period, filters, breakdown)`` returns one ``Figure`` per breakdown key (a single one with key
None when there is no breakdown), each a numerator and a denominator summed by the database: the value is
``numerator ÷ denominator × scale`` (a share in percent, an average in seconds …), "no data" when the
denominator is 0 or missing. Nothing is computed by iterating rows in Python.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db.models import DurationField, Expression, ExpressionWrapper, F, Q, QuerySet, Sum, TextChoices
from django.db.models.functions import Coalesce, TruncMonth, TruncQuarter
from django.utils.translation import gettext_lazy as _

from cases.calendar import BRUSSELS

from ..periods import Period


class KpiStatus(TextChoices):
    MET = "met", _("met")
    NOT_MET = "not_met", _("not met")
    NO_DATA = "no_data", _("no data")
    NO_NORM = "no_norm", _("no norm")


class Unit:
    PERCENT = "percent"
    SECONDS = "seconds"
    MINUTES = "minutes"
    DAYS = "days"
    WORKING_DAYS = "working_days"
    COUNT = "count"
    SCORE = "score"


class Better:
    HIGHER = "higher"
    LOWER = "lower"


@dataclass(frozen=True)
class Filters:
    handler_group: int | None = None
    case_type: str | None = None
    channel: str | None = None

    def given(self) -> set[str]:
        return {name for name in ("handler_group", "case_type", "channel") if getattr(self, name) is not None}


@dataclass(frozen=True)
class Figure:
    """One aggregate: ``numerator`` and ``denominator`` as the database summed them; ``extra`` holds what a KPI
    reports besides its value (a median, the wait buckets, a per-cluster ``norm`` …)."""

    numerator: Decimal | int | None
    denominator: Decimal | int | None
    key: str | None = None
    extra: dict = field(default_factory=dict)


NO_FILTERS = Filters()


@dataclass(frozen=True)
class Kpi:
    code: str
    name: str
    definition: str
    unit: str
    better: str
    compute: Callable[[Period, Filters, str | None], list[Figure]]
    # The catalogue's norm in the KPI's unit (percent for shares); None: the KPI has none.
    norm: Decimal | None = None
    # The norm is a change in percent against the same period a year earlier (−10: at least 10 % less; 0: less or
    # more, by ``better``) rather than a value.
    norm_relative: bool = False
    breakdowns: tuple[str, ...] = ()
    filters: frozenset[str] = frozenset()
    scale: Decimal = Decimal(1)


REGISTRY: dict[str, Kpi] = {}


def register(kpi: Kpi) -> Kpi:
    if kpi.code in REGISTRY:
        raise ValueError(f"KPI {kpi.code} is registered twice")
    REGISTRY[kpi.code] = kpi
    return kpi


# Breakdowns over time: the period's quarters or months, in Brussels time.
TIME_BREAKDOWNS = {"quarter": TruncQuarter, "month": TruncMonth}
# The local day (Brussels) of a daily rollup's row (reports/rollups.py): a date, bucketed as it is.
DAY = "day"


def summed(field: str, condition: Q | None = None) -> Coalesce:
    """The sum of a rollup's count ``field`` over its rows (those meeting ``condition``): 0 without rows, as the
    ``Count`` over the source rows gives."""
    return Coalesce(Sum(field, filter=condition), 0)


def time_bucket(breakdown: str, time_field: str) -> Expression:
    if time_field == DAY:
        return TIME_BREAKDOWNS[breakdown](time_field)
    return TIME_BREAKDOWNS[breakdown](time_field, tzinfo=BRUSSELS)


def time_key(breakdown: str, moment) -> str:
    """``2026-Q3`` or ``2026-07``: the period syntax of the API."""
    if breakdown == "quarter":
        return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"
    return f"{moment.year}-{moment.month:02d}"


# The name of a breakdown's key in the rows of a grouped query ("key" is a field of call records and visits).
GROUP = "group"


def grouped(
    queryset: QuerySet, breakdown: str | None, fields: dict[str, str], time_field: str, *, carried: dict | None = None
) -> QuerySet:
    """``queryset`` grouped by the breakdown as ``GROUP``: a time bucket of ``time_field`` for ``quarter`` and
    ``month``, else the field ``fields[breakdown]`` names (with the fields ``carried`` names grouped along, such as
    a cluster's norm); ungrouped without a breakdown."""
    if breakdown is None:
        return queryset
    if breakdown in TIME_BREAKDOWNS:
        return queryset.annotate(**{GROUP: time_bucket(breakdown, time_field)}).values(GROUP)
    also = {name: F(path) for name, path in (carried or {}).items()}
    return queryset.values(**{GROUP: F(fields[breakdown])}, **also)


def aggregate_rows(queryset: QuerySet, breakdown: str | None, **aggregates) -> list[dict]:
    """The aggregates: one row without a breakdown (the whole ``queryset``), else one per ``GROUP``. One query."""
    if breakdown is None:
        return [queryset.aggregate(**aggregates)]
    return list(queryset.annotate(**aggregates).order_by(GROUP))


def grouped_rows(
    queryset: QuerySet,
    breakdown: str | None,
    fields: dict[str, str],
    time_field: str,
    *,
    carried: dict[str, str] | None = None,
    **aggregates,
) -> list[dict]:
    """``aggregate_rows`` of ``grouped``: the aggregates over ``queryset``, per breakdown key. One query."""
    return aggregate_rows(grouped(queryset, breakdown, fields, time_field, carried=carried), breakdown, **aggregates)


def figures(rows, *, breakdown: str | None, key_field: str = GROUP, extra_fields: tuple[str, ...] = ()) -> list[Figure]:
    """Figures from the rows of ``.values(key).annotate(numerator=…, denominator=…)``, time keys formatted."""
    result = []
    for row in rows:
        key = row.get(key_field)
        if breakdown in TIME_BREAKDOWNS and key is not None:
            key = time_key(breakdown, key)
        elif key is not None:
            key = str(key)
        extra = {name: _number(row[name]) for name in extra_fields if name in row}
        result.append(Figure(_number(row["numerator"]), _number(row["denominator"]), key, extra))
    return result


def duration(end: str, start: str) -> ExpressionWrapper:
    """``end − start`` as a duration, for ``Sum``/``Avg`` on PostgreSQL and SQLite alike (``figures`` turns a
    summed duration into seconds)."""
    return ExpressionWrapper(F(end) - F(start), output_field=DurationField())


def _number(value):
    if isinstance(value, timedelta):
        return Decimal(value.days * 86_400 + value.seconds) + Decimal(value.microseconds) / 1_000_000
    return value
