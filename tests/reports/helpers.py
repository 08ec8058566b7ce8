"""What the KPI tests share: moments in Brussels time and a KPI read through the API."""

from datetime import datetime
from zoneinfo import ZoneInfo

from reports.rollups import TAG

BRUSSELS = ZoneInfo("Europe/Brussels")
KPIS = "/api/v1/reports/kpis/"


def kpi_queries(captured) -> list[str]:
    """The SQL of ``captured`` (a ``CaptureQueriesContext``) less the daily rollups' refresh, which runs before a
    KPI reads a rollup on PostgreSQL: its check for written days and their computation (tagged)."""
    return [query["sql"] for query in captured.captured_queries if not query["sql"].startswith(TAG)]


def at(*args) -> datetime:
    return datetime(*args, tzinfo=BRUSSELS)


def kpi(api, code: str, **query) -> dict:
    """One KPI as the API answers it (200 asserted)."""
    response = api.get(f"{KPIS}{code}/", query)
    assert response.status_code == 200, response.json()
    return response.json()


def headline(body: dict) -> tuple:
    return body["numerator"], body["denominator"], body["value"], body["status"]


def rows(body: dict) -> dict:
    """A breakdown's rows by key: (numerator, denominator, value, status)."""
    return {
        row["key"]: (row["numerator"], row["denominator"], row["value"], row["status"])
        for row in body["breakdown"]["rows"]
    }
