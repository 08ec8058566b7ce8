"""Every read of the reports: a KPI's value, norm, status, year-earlier figure and breakdown for a period."""

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .kpis import NO_FILTERS, REGISTRY, Figure, Filters, Kpi, KpiStatus
from .models import KpiNorm
from .periods import Period

MET, NOT_MET, NO_DATA, NO_NORM = KpiStatus.MET, KpiStatus.NOT_MET, KpiStatus.NO_DATA, KpiStatus.NO_NORM
PLACES = Decimal("0.01")


def kpi_norms() -> dict[str, Decimal]:
    """Every KPI's norm: the installation's (admin → KPI norms) or the catalogue's."""
    norms = {code: kpi.norm for code, kpi in REGISTRY.items()}
    norms.update(KpiNorm.objects.filter(code__in=REGISTRY).values_list("code", "value"))
    return norms


def kpi_value(kpi: Kpi, figure: Figure) -> Decimal | None:
    """``numerator ÷ denominator × scale``, to two decimals (half up); None without data."""
    if figure.numerator is None or not figure.denominator:
        return None
    value = Decimal(figure.numerator) / Decimal(figure.denominator) * kpi.scale
    return value.quantize(PLACES, rounding=ROUND_HALF_UP)


def kpi_status(kpi: Kpi, value: Decimal | None, norm: Decimal | None, earlier: Decimal | None) -> str:
    if value is None:
        return NO_DATA
    if norm is None:
        return NO_NORM
    if kpi.norm_relative:
        if earlier is None:
            return NO_NORM
        norm = earlier * (1 + norm / 100)
        if norm == earlier:  # "↑" or "↓": strictly better than a year earlier
            met = value > earlier if kpi.better == "higher" else value < earlier
            return MET if met else NOT_MET
    met = value >= norm if kpi.better == "higher" else value <= norm
    return MET if met else NOT_MET


def _figure(kpi: Kpi, figure: Figure) -> dict:
    return {
        "value": kpi_value(kpi, figure),
        "numerator": figure.numerator,
        "denominator": figure.denominator,
        **{name: value for name, value in figure.extra.items() if name != "norm"},
    }


def _single(kpi: Kpi, period: Period, filters: Filters) -> Figure:
    found = kpi.compute(period, filters, None)
    return found[0] if found else Figure(None, None)


def check_request(code: str, filters: Filters, breakdown: str | None) -> Kpi:
    kpi = REGISTRY.get(code)
    if kpi is None:
        raise ValidationError({"code": [_("There is no KPI %(code)s.") % {"code": code}]})
    unsupported = filters.given() - kpi.filters
    if unsupported:
        raise ValidationError(
            {
                name: [_("The KPI %(code)s cannot be filtered by %(filter)s.") % {"code": code, "filter": name}]
                for name in sorted(unsupported)
            }
        )
    if breakdown is not None and breakdown not in kpi.breakdowns:
        forms = ", ".join(kpi.breakdowns) or _("none")
        raise ValidationError(
            {"breakdown": [_("The KPI %(code)s breaks down by: %(forms)s.") % {"code": code, "forms": forms}]}
        )
    return kpi


def kpi_report(
    code: str,
    period: Period,
    filters: Filters = NO_FILTERS,
    breakdown: str | None = None,
    *,
    norms: dict | None = None,
) -> dict:
    """One KPI for ``period``: value, norm, status (met / not met / no data / no norm), numerator and denominator,
    the same period a year earlier, and with ``breakdown`` one row per key (each with its status)."""
    kpi = check_request(code, filters, breakdown)
    norms = kpi_norms() if norms is None else norms
    figure = _single(kpi, period, filters)
    # A figure may carry its own norm (resolution days filtered on one case type: that type's norm).
    norm = figure.extra.get("norm", norms.get(code))
    earlier_period = period.year_earlier()
    earlier = _single(kpi, earlier_period, filters)
    current, previous = _figure(kpi, figure), _figure(kpi, earlier)
    report = {
        "code": kpi.code,
        "name": str(kpi.name),
        "definition": str(kpi.definition),
        "unit": kpi.unit,
        "better": kpi.better,
        "period": {"label": period.label, "from": period.first, "to": period.last},
        "norm": norm,
        "norm_relative": kpi.norm_relative,
        **current,
        "status": kpi_status(kpi, current["value"], norm, previous["value"]),
        "year_earlier": {
            "period": {"label": earlier_period.label, "from": earlier_period.first, "to": earlier_period.last},
            **previous,
            "status": NO_DATA if previous["value"] is None else kpi_status(kpi, previous["value"], norm, None),
        },
    }
    if breakdown is not None:
        report["breakdown"] = _breakdown(kpi, period, filters, breakdown, norm)
    return report


def kpi_breakdown(report: dict, period: Period, filters: Filters, breakdown: str) -> dict:
    """Only the breakdown of the KPI of ``report`` (a ``kpi_report`` result, whose norm the rows fall back on) for
    ``period`` — its trend over months, say — without computing its headline and year-earlier figures again."""
    kpi = check_request(report["code"], filters, breakdown)
    return _breakdown(kpi, period, filters, breakdown, report["norm"])


def _breakdown(kpi: Kpi, period: Period, filters: Filters, breakdown: str, norm: Decimal | None) -> dict:
    rows = []
    for row in kpi.compute(period, filters, breakdown):
        row_norm = row.extra.get("norm", norm)
        values = _figure(kpi, row)
        status = kpi_status(kpi, values["value"], row_norm, None) if not kpi.norm_relative else NO_NORM
        rows.append({"key": row.key, **values, "norm": row_norm, "status": status})
    return {"by": breakdown, "rows": rows}


def kpi_reports(period: Period, filters: Filters = NO_FILTERS) -> tuple[list[dict], list[str]]:
    """Every KPI that can take ``filters`` for ``period``, and the codes of those that cannot."""
    norms = kpi_norms()
    given = filters.given()
    reports, left_out = [], []
    for code, kpi in REGISTRY.items():
        if given - kpi.filters:
            left_out.append(code)
            continue
        reports.append(kpi_report(code, period, filters, norms=norms))
    return reports, left_out
