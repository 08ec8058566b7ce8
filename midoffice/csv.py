"""CSV written row by row, for responses streamed in constant memory."""

import csv
from collections.abc import Iterable, Iterator


class _Echo:
    """A file-like object whose ``write`` returns the line: ``csv.writer`` then yields each row's text."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Iterable]) -> Iterator[str]:
    """Each row as one CSV line; the first with a byte-order mark, so that spreadsheet programs read UTF-8."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in rows:
        yield writer.writerow(row)
