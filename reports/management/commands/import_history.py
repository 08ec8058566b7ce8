"""``python manage.py import_history cases|contacts FILE``: the previous system's history from a CSV, all or nothing,
idempotent by key (reports.services.history)."""

from reports.services.history import CaseHistoryImporter, ContactHistoryImporter

from .import_calls import CsvImportCommand

IMPORTERS = {"cases": (CaseHistoryImporter, "cases"), "contacts": (ContactHistoryImporter, "contacts")}


class Command(CsvImportCommand):
    help = (
        "Import the previous system's history from a CSV with a header row. cases: key, case_type, channel, state "
        "(resolved, closed, rejected or cancelled), registered_at and, optional, source, handler_group, "
        "admissibility_decided_at, resolved_at, closed_at, waiting (from/to;from/to), national_number, "
        "enterprise_number, email, description. contacts: key, channel, occurred_at, subject and, optional, source, "
        "direction, summary, outcome, guided, national_number, enterprise_number, email, case_key. All or nothing: "
        "every bad row is reported with its line number. Idempotent by key. Imported cases are routed to no one and "
        "notify no one."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(IMPORTERS), help="What the file holds.")
        super().add_arguments(parser)

    def handle(self, *args, kind: str, **options):
        self.importer, self.noun = IMPORTERS[kind]
        return super().handle(*args, **options)
