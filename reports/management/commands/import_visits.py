"""``python manage.py import_visits FILE``: counter visits from a CSV, all or nothing, idempotent by key."""

from reports.services.counter import VisitImporter

from .import_calls import CsvImportCommand


class Command(CsvImportCommand):
    help = (
        "Import counter visits from a CSV with a header row: key, cluster, booked_at, scheduled_start, "
        "booking_channel and, optional, called_at, booking_source, started_at. All or nothing: every bad row is "
        "reported with its line number. Idempotent by key."
    )
    importer = VisitImporter
    noun = "counter visits"
