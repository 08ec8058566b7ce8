"""Every write of the reports' own data: call records and live telephony events (``telephony``), counter visits
(``counter``), and the CSV imports started in the admin (``ImportJob``).

A batch of records is imported all or nothing: every record is checked, every bad one reported with its index (API)
or line number (CSV), and nothing is written when one is bad. Each record carries an idempotency key: a key stored
before with the same content is skipped and counted as a duplicate (a batch sent again counts nothing twice), the same
key with other content is an error of that record. Derived values are computed here, never taken from input.
"""

import csv
import io
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, time
from itertools import chain, islice
from typing import Any, ClassVar, TextIO

from celery import current_app
from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from midoffice.errors import DomainError
from midoffice.text import clean_text

from ..models import ImportJob

logger = logging.getLogger(__name__)

Errors = dict[str, list[str]]
IMPORT_TASK = "reports.tasks.import_job_run"
# Rows checked per round: their keys are looked up in one query, and (when all is well) written.
CHUNK_SIZE = 5000
# Rows per INSERT of bulk_create (SQLite; Django lowers it further to SQLite's limit of parameters).
INSERT_BATCH_SIZE = 2000
TRUE_TEXTS = frozenset({"1", "true", "t", "yes", "y", "ja", "j", "waar"})
FALSE_TEXTS = frozenset({"", "0", "false", "f", "no", "n", "nee", "onwaar"})


@dataclass(frozen=True)
class ImportCounts:
    created: int
    duplicates: int


class RecordsInvalid(Exception):
    """Bad records, each with its index (API) or line number (CSV) and its errors per field; nothing was written."""

    def __init__(self, errors: Mapping[int, Errors]):
        super().__init__(f"{len(errors)} bad record(s)")
        self.errors = dict(sorted(errors.items()))


class ImportConflict(DomainError):
    """A key was stored by another request between the look-up and the insert: nothing written, send it again."""

    code = "import_conflict"


def earliest_moment() -> datetime:
    return datetime.combine(settings.MIDOFFICE_MIN_DATE, time.min, tzinfo=timezone.get_current_timezone())


def moment_errors(values: Mapping[str, Any], names: Iterable[str], earliest: datetime) -> Errors:
    """Each given moment must carry its UTC offset and lie on or after ``earliest`` (``earliest_moment()``)."""
    errors: Errors = {}
    for name in names:
        value = values.get(name)
        if value is None:
            continue
        if value.utcoffset() is None:
            errors[name] = [_("Give the time with its offset, e.g. 2026-03-01T10:00:00+01:00.")]
        elif value < earliest:
            errors[name] = [_("Give a moment on or after {date}.").format(date=settings.MIDOFFICE_MIN_DATE)]
    return errors


# --- CSV columns: how the text of a cell becomes a record's value (ValueError: the cell's message) ---------------


@dataclass(frozen=True)
class Column:
    parse: Callable[[str], Any]
    required: bool = False
    # The value when the file has no such column.
    default: Any = None


def _required() -> ValueError:
    return ValueError(_("This field is required."))


def text_column(max_length: int, *, required: bool = False) -> Column:
    def parse(text: str) -> str:
        value = clean_text(text)
        if not value and required:
            raise _required()
        if len(value) > max_length:
            message = _("Ensure this field has no more than {max_length} characters.")
            raise ValueError(message.format(max_length=max_length))
        return value

    return Column(parse, required, "")


def moment_column(*, required: bool = False) -> Column:
    def parse(text: str) -> datetime | None:
        text = text.strip()
        if not text:
            if required:
                raise _required()
            return None
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(_("Not a date and time: write it as 2026-03-01T10:00:00+01:00.")) from None
        if value.tzinfo is None:
            raise ValueError(_("Give the time with its offset, e.g. 2026-03-01T10:00:00+01:00."))
        return value

    return Column(parse, required, None)


def flag_column() -> Column:
    def parse(text: str) -> bool:
        folded = text.strip().lower()
        if folded in TRUE_TEXTS:
            return True
        if folded in FALSE_TEXTS:
            return False
        raise ValueError(_("Write 1 or 0 (true or false)."))

    return Column(parse, False, False)


def choice_column(choices: type[models.Choices], *, default: str | None = None) -> Column:
    values = frozenset(choices.values)

    def parse(text: str) -> str:
        value = text.strip()
        if not value and default is not None:
            return default
        if not value:
            raise _required()
        if value not in values:
            raise ValueError(
                _("“{value}” is not one of: {choices}.").format(value=value, choices=", ".join(choices.values))
            )
        return value

    return Column(parse, default is None, default)


def _chunks(rows: Iterable, size: int) -> Iterator[list]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def csv_dialect(header_line: str) -> type[csv.Dialect]:
    """Comma-separated, or semicolon-separated as a spreadsheet in a Belgian locale saves it."""
    return csv.excel if header_line.count(",") >= header_line.count(";") else _Semicolon


class _Semicolon(csv.excel):
    delimiter = ";"


def csv_row_count(stream: TextIO) -> int:
    """The data rows of a CSV (not its header, nor blank lines), read from where the stream is."""
    header = stream.readline()
    return sum(1 for row in csv.reader(stream, csv_dialect(header)) if row)


class Importer:
    """Imports one kind of record: ``check`` finds what is wrong with a record (and resolves its references into
    ``values``), ``build`` gives the row to store, by field, with its derived values. The records' content (the
    ``content_fields``) decides whether a key sent again is a duplicate or an error.

    On PostgreSQL the keys are looked up with one ``= ANY(array)`` and the rows written with ``COPY``: for a
    million rows, making a model instance per row and compiling bulk inserts cost more than everything else together
    (see docs/reports.md); elsewhere (SQLite) the ORM's ``bulk_create``."""

    model: ClassVar[type[models.Model]]
    columns: ClassVar[dict[str, Column]]
    content_fields: ClassVar[tuple[str, ...]]
    moment_fields: ClassVar[tuple[str, ...]]

    def __init__(self):
        self.earliest = earliest_moment()

    def check(self, values: dict[str, Any]) -> Errors:
        raise NotImplementedError

    def build(self, values: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def import_records(self, records: Iterable[Mapping[str, Any]]) -> ImportCounts:
        """Records as the API read them (typed values, every column present), labelled by their index."""
        rows = ((index, dict(record), {}) for index, record in enumerate(records))
        with transaction.atomic():
            return self._run(rows, write=True)

    def import_csv(
        self, stream: TextIO, *, write: bool = True, progress: Callable[[int], None] | None = None
    ) -> ImportCounts:
        """A CSV with a header row naming the columns; its rows labelled by their line number (the header is line 1).
        ``write=False`` checks every row and writes nothing; ``progress`` is told the rows handled so far."""
        if not write:
            return self._run(self.csv_rows(stream), write=False, progress=progress)
        with transaction.atomic():
            return self._run(self.csv_rows(stream), write=True, progress=progress)

    def csv_rows(self, stream: TextIO) -> Iterator[tuple[int, dict[str, Any] | None, Errors]]:
        header_line = stream.readline()
        if not header_line.strip():
            raise RecordsInvalid({1: {"header": [_("The file is empty: its first line must name the columns.")]}})
        reader = csv.reader(chain([header_line], stream), csv_dialect(header_line))
        names = [clean_text(name).lower() for name in next(reader)]
        header_errors = self._header_errors(names)
        if header_errors:
            raise RecordsInvalid({1: {"header": header_errors}})
        parsers = [(index, name, self.columns[name].parse) for index, name in enumerate(names)]
        absent = {name: column.default for name, column in self.columns.items() if name not in names}
        width = len(names)
        last_line = reader.line_num
        for row in reader:
            line, last_line = last_line + 1, reader.line_num
            if not row:
                continue
            if len(row) != width:
                message = _("{found} values where the header names {expected} columns.")
                yield line, None, {"row": [message.format(found=len(row), expected=width)]}
                continue
            if any("\ufffd" in cell for cell in row):
                yield line, None, {"row": [_("This line is not valid UTF-8: save the file as UTF-8.")]}
                continue
            values = dict(absent)
            errors: Errors = {}
            for index, name, parse in parsers:
                try:
                    values[name] = parse(row[index])
                except ValueError as exc:
                    errors[name] = [str(exc)]
            yield line, values, errors

    def _header_errors(self, names: list[str]) -> list[str]:
        errors = []
        unknown = [name for name in names if name not in self.columns]
        if unknown:
            errors.append(
                _("Unknown columns: {unknown} (the columns are: {columns}).").format(
                    unknown=", ".join(unknown), columns=", ".join(self.columns)
                )
            )
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            errors.append(_("Columns named twice: {names}.").format(names=", ".join(repeated)))
        missing = [name for name, column in self.columns.items() if column.required and name not in names]
        if missing:
            errors.append(_("Missing columns: {names}.").format(names=", ".join(missing)))
        return errors

    def _run(
        self,
        rows: Iterable[tuple[int, dict[str, Any] | None, Errors]],
        *,
        write: bool,
        progress: Callable[[int], None] | None = None,
    ) -> ImportCounts:
        errors: dict[int, Errors] = {}
        created = duplicates = handled = 0
        # The keys of rows checked but not written (checking only, or after a bad row): key → hash of the content.
        unwritten: dict[str, int] = {}
        for chunk in _chunks(rows, CHUNK_SIZE):
            checked = []
            for label, values, row_errors in chunk:
                if values is not None and not row_errors:
                    row_errors = self.check(values)
                if row_errors:
                    errors[label] = row_errors
                else:
                    checked.append((label, values))
            stored = self._stored({values["key"] for _label, values in checked})
            fresh: dict[str, tuple[tuple, dict[str, Any]]] = {}
            for label, values in checked:
                key, content = values["key"], tuple(values[name] for name in self.content_fields)
                known = stored[key] if key in stored else fresh[key][0] if key in fresh else None
                if known is not None:
                    same = known == content
                elif key in unwritten:
                    same = unwritten[key] == hash(content)
                else:
                    fresh[key] = (content, values)
                    continue
                if same:
                    duplicates += 1
                else:
                    errors[label] = {"key": [_("A record with this key was sent before with other content.")]}
            if write and not errors:
                self._insert([self.build(values) for _content, values in fresh.values()])
            else:
                unwritten.update((key, hash(content)) for key, (content, _values) in fresh.items())
            created += len(fresh)
            handled += len(chunk)
            if progress is not None:
                progress(handled)
        if errors:
            raise RecordsInvalid(errors)
        return ImportCounts(created=created, duplicates=duplicates)

    def _stored(self, keys: set[str]) -> dict[str, tuple]:
        """The content stored under these keys."""
        if not keys:
            return {}
        if connection.vendor != "postgresql":
            rows = self.model.objects.filter(key__in=keys).values_list("key", *self.content_fields)
            return {row[0]: row[1:] for row in rows}
        quote, opts = connection.ops.quote_name, self.model._meta
        columns = ", ".join(quote(opts.get_field(name).column) for name in ("key", *self.content_fields))
        sql = f"SELECT {columns} FROM {quote(opts.db_table)} WHERE {quote('key')} = ANY(%s::text[])"
        with connection.cursor() as cursor:
            cursor.execute(sql, [list(keys)])
            return {row[0]: row[1:] for row in cursor.fetchall()}

    def _insert(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        try:
            if connection.vendor == "postgresql":
                self._copy(rows)
            else:
                self.model.objects.bulk_create([self.model(**row) for row in rows], batch_size=INSERT_BATCH_SIZE)
        except IntegrityError as exc:
            # Only a key written by another request since it was looked up gets here: everything else was checked.
            # The import's transaction is rolled back as this leaves it.
            raise ImportConflict(
                _("Another request stored some of these keys at the same time: send the batch again.")
            ) from exc

    def _copy(self, rows: list[dict[str, Any]]) -> None:
        """``COPY … FROM STDIN`` of the rows, each with the moment it was received (the model's ``auto_now_add``)."""
        quote, opts = connection.ops.quote_name, self.model._meta
        names = [*rows[0], "received_at"]
        columns = ", ".join(quote(opts.get_field(name).column) for name in names)
        sql = f"COPY {quote(opts.db_table)} ({columns}) FROM STDIN"
        received_at = timezone.now()
        with connection.cursor() as cursor, connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row((*row.values(), received_at))


# --- The admin's CSV imports ----------------------------------------------------------------------------------


def import_job_create(*, actor, kind: str, file) -> ImportJob:
    """Store the uploaded file and have a task import it once this transaction is committed."""
    job = ImportJob.objects.create(kind=kind, file=file, file_name=file.name[-200:], created_by=actor)
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    try:
        current_app.tasks[IMPORT_TASK].apply_async((job_id,))
    except Exception:
        # The broker is down (or, run eagerly, the import failed and recorded why): the job says so.
        logger.warning("Could not run CSV import %s", job_id, exc_info=True)


def import_job_run(*, job_id: int, importers: Mapping[str, Callable[[], Importer]]) -> None:
    """Import the job's file: every row checked first (the progress the admin page shows), then, if none is bad,
    written in one transaction. Runs once: a job that is not waiting any more is left alone. The file is deleted
    afterwards, whatever the outcome."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(
        status=ImportJob.Status.CHECKING, started_at=timezone.now()
    )
    if not claimed:
        return
    job = ImportJob.objects.get(pk=job_id)
    jobs = ImportJob.objects.filter(pk=job_id)
    outcome: dict[str, Any] = {"status": ImportJob.Status.FAILED}
    try:
        importer = importers[job.kind]()
        with job.file.open("rb"):
            stream = io.TextIOWrapper(job.file, encoding="utf-8-sig", errors="replace", newline="")
            jobs.update(rows_total=csv_row_count(stream))
            stream.seek(0)
            importer.import_csv(stream, write=False, progress=lambda rows: jobs.update(rows_checked=rows))
            jobs.update(status=ImportJob.Status.WRITING)
            stream.seek(0)
            counts = importer.import_csv(stream, write=True)
        outcome = {"status": ImportJob.Status.DONE, "created": counts.created, "duplicates": counts.duplicates}
    except RecordsInvalid as exc:
        outcome["errors"] = [{"line": line, "errors": errors} for line, errors in exc.errors.items()]
    except ImportConflict as exc:
        outcome["message"] = exc.detail
    except Exception:
        outcome["message"] = _("The import stopped on an unexpected error: nothing was imported.")
        raise
    finally:
        job.file.delete(save=False)
        jobs.update(file="", finished_at=timezone.now(), **outcome)
