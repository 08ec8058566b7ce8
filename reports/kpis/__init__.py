"""The KPI catalogue: each module registers its KPIs (``base.register``) when imported here."""

from . import assistant, cases, contacts, counter, telephony  # noqa: F401 (registers the KPIs)
from .base import NO_FILTERS, REGISTRY, Better, Figure, Filters, Kpi, KpiStatus, Unit

__all__ = ["NO_FILTERS", "REGISTRY", "Better", "Figure", "Filters", "Kpi", "KpiStatus", "Unit"]
