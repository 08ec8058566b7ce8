"""How a KPI result is shown to people — in the staff application's pages and in the PDF report alike: the
sections of the plans, values with their unit ("61,5 %", "2,4 werkdagen"), the norm in words, breakdown names."""

from datetime import date, timedelta

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts.models import Channel, Source

from .charts import data_uri, line_chart
from .kpis import REGISTRY, Filters, KpiStatus, Unit
from .kpis.contacts import OTHER
from .periods import Period, parse_period
from .selectors import kpi_breakdown

# The sections of the plans' reports, in their order: the module of ``reports.kpis`` each KPI is defined in.
SECTIONS = (
    ("contacts", gettext_lazy("Contacts and first line")),
    ("cases", gettext_lazy("Cases and throughput")),
    ("assistant", gettext_lazy("Virtual assistant and status information")),
    ("telephony", gettext_lazy("Contact centre telephony")),
    ("counter", gettext_lazy("Counter and appointments")),
)
UNITS = {
    Unit.PERCENT: "%",
    Unit.SECONDS: "s",
    Unit.MINUTES: "min",
    Unit.DAYS: gettext_lazy("days"),
    Unit.WORKING_DAYS: gettext_lazy("working days"),
    Unit.COUNT: "",
    Unit.SCORE: "/ 5",
}
BREAKDOWN_NAMES = {
    "channel": gettext_lazy("Channel"),
    "source": gettext_lazy("Source"),
    "handler": gettext_lazy("Staff member"),
    "handler_group": gettext_lazy("Handler group"),
    "case_type": gettext_lazy("Case type"),
    "category": gettext_lazy("Category"),
    "queue": gettext_lazy("Queue"),
    "cluster": gettext_lazy("Cluster"),
    "booking_channel": gettext_lazy("Booking channel"),
    "question": gettext_lazy("Question"),
    "quarter": gettext_lazy("Quarter"),
    "month": gettext_lazy("Month"),
}
# Breakdown keys that are codes of a choice: shown by their label.
KEY_LABELS = {"channel": Channel, "booking_channel": Channel, "source": Source}


def display(value, unit: str) -> str:
    """A KPI's value as a manager reads it: "61,5 %", "42 s", "2,4 werkdagen"; "—" without data."""
    if value is None:
        return "—"
    places = 0 if unit in (Unit.COUNT, Unit.SECONDS) else 1
    number = number_format(round(value, places), places, use_l10n=True, force_grouping=True)
    suffix = UNITS.get(unit, "")
    return f"{number} {suffix}".strip()


def norm_shown(report: dict) -> str:
    norm = report["norm"]
    if norm is None:
        return "—"
    if report["norm_relative"]:
        if norm == 0:
            return _("better than a year earlier")
        return _("%(change)s %% against a year earlier") % {"change": number_format(norm, 0, use_l10n=True)}
    comparison = "≥" if report["better"] == "higher" else "≤"
    return f"{comparison} {display(norm, report['unit'])}"


def key_label(by: str, key: str | None) -> str:
    if key is None:
        return "—"
    choices = KEY_LABELS.get(by)
    if choices is not None and key in choices.values:
        return str(choices(key).label)
    if by == "source" and key == OTHER:
        return _("Other")
    return key


def shown(report: dict) -> dict:
    """``report`` (``reports.selectors.kpi_report``) with the texts people read added."""
    unit = report["unit"]
    result = {
        **report,
        "shown": display(report["value"], unit),
        "norm_shown": norm_shown(report),
        "earlier_shown": display(report["year_earlier"]["value"], unit),
        "section": section_of(report["code"]),
        "status_label": str(KpiStatus(report["status"]).label),
    }
    if "breakdown" in report:
        result["breakdown"] = shown_breakdown(report["breakdown"], unit)
    return result


def shown_breakdown(breakdown: dict, unit: str) -> dict:
    """A breakdown (``reports.selectors``) with its name and each row's label and texts."""
    by = breakdown["by"]
    rows = [
        {
            **row,
            "label": key_label(by, row["key"]),
            "shown": display(row["value"], unit),
            "norm_shown": display(row["norm"], unit),
        }
        for row in breakdown["rows"]
    ]
    return {**breakdown, "rows": rows, "name": BREAKDOWN_NAMES.get(by, by)}


def section_of(code: str) -> str:
    return REGISTRY[code].compute.__module__.rsplit(".", 1)[-1]


def by_section(reports: list[dict]) -> list[tuple[str, str, list[dict]]]:
    """The shown reports grouped in the plans' sections, in their order (empty sections left out)."""
    grouped = {key: [] for key, _title in SECTIONS}
    for report in reports:
        grouped.setdefault(report["section"], []).append(report)
    return [(key, title, grouped[key]) for key, title in SECTIONS if grouped.get(key)]


def trend_period(period: Period) -> Period:
    """The twelve months that end with the period's last month."""
    last = period.last
    first = date(last.year - 1, last.month, 1) + timedelta(days=32)
    return parse_period(first=first.replace(day=1), last=last)


def trend(report: dict, period: Period, filters: Filters) -> dict | None:
    """The twelve months that end with ``period`` of the KPI of ``report`` (``shown``): each month's row and the
    chart of them, with the norm as a line when it is not relative; None when the KPI has no monthly breakdown."""
    if "month" not in REGISTRY[report["code"]].breakdowns:
        return None
    rows = shown_breakdown(kpi_breakdown(report, trend_period(period), filters, "month"), report["unit"])["rows"]
    norm = None if report["norm_relative"] else report["norm"]
    chart = line_chart(report["name"], [row["key"] for row in rows], [row["value"] for row in rows], norm=norm)
    return {"rows": rows, "chart": data_uri(chart)}
