"""``python manage.py import_calls FILE``: call records from a CSV, all or nothing, idempotent by key."""

import io
import sys

from django.core.management.base import BaseCommand, CommandError

from reports.services import ImportConflict, Importer, RecordsInvalid
from reports.services.telephony import CallImporter


class CsvImportCommand(BaseCommand):
    """Imports the CSV of one kind of record: every bad row is reported with its line number and then nothing is
    written; rows stored before with the same content are skipped (a file imported twice counts nothing twice)."""

    importer: type[Importer]
    noun: str

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV (UTF-8, a header row naming the columns), or - for standard input.")
        parser.add_argument("--check", action="store_true", help="Check every row and write nothing.")

    def handle(self, *args, file: str, check: bool, **options):
        if file == "-":
            stream = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", errors="replace", newline="")
        else:
            try:
                stream = open(file, encoding="utf-8-sig", errors="replace", newline="")  # noqa: SIM115
            except OSError as exc:
                raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc
        try:
            counts = self.importer().import_csv(stream, write=not check)
        except RecordsInvalid as exc:
            for line, errors in exc.errors.items():
                for name, messages in errors.items():
                    for message in messages:
                        self.stderr.write(f"line {line}: {name}: {message}")
            raise CommandError(f"{len(exc.errors)} bad row(s): nothing imported.") from exc
        except ImportConflict as exc:
            raise CommandError(exc.detail) from exc
        finally:
            stream.close()
        verb = "would be imported" if check else "imported"
        self.stdout.write(f"{counts.created} {self.noun} {verb}, {counts.duplicates} duplicate(s) skipped.")


class Command(CsvImportCommand):
    help = (
        "Import call records from a CSV with a header row: key, queue, offered_at and, optional, caller_number, "
        "answered_at, ended_at, abandoned, agent. All or nothing: every bad row is reported with its line number. "
        "Idempotent by key."
    )
    importer = CallImporter
    noun = "call records"
