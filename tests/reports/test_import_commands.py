"""``manage.py import_calls`` and ``import_visits``: a CSV with a header row imported all or nothing, every bad row
reported with its line number (the header is line 1), idempotent by key; the derived values as the API's.

The queue ``kcc`` is open Monday to Friday 08:30–17:00 (Brussels; UTC+1 in early March 2026).
"""

from datetime import datetime, time
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from reports.models import CallRecord, CounterCluster, CounterVisit, OpeningInterval, Queue

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")

CALLS_CSV = """\
key,queue,caller_number,offered_at,answered_at,ended_at,abandoned,agent
c1,kcc,+3293001234,2026-03-02T08:30:00+01:00,2026-03-02T08:30:30.900+01:00,2026-03-02T08:35:00+01:00,0,jpeeters
c2,kcc,,2026-03-02T17:00:00+01:00,,2026-03-02T17:01:00+01:00,1,
c3,kcc,,2026-03-02T07:59:59Z,2026-03-02T08:00:10Z,,false,an
"""


@pytest.fixture
def kcc():
    queue = Queue.objects.create(code="kcc", name="Contactcenter")
    for weekday in range(5):
        OpeningInterval.objects.create(queue=queue, weekday=weekday, opens=time(8, 30), closes=time(17))
    return queue


def run(command: str, path, *args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(command, str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(command: str, path) -> tuple[str, str]:
    err = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command(command, str(path), stdout=StringIO(), stderr=err)
    return str(failure.value), err.getvalue()


def test_calls_imported_with_their_derived_values(tmp_path, kcc):
    """c1 at the opening minute, answered after 30.9 s: inside, 30 s. c2 at the closing minute: outside, abandoned.
    c3 at 07:59:59 UTC = 08:59:59 in Brussels: inside, answered after 11 s."""
    path = tmp_path / "calls.csv"
    path.write_text(CALLS_CSV, encoding="utf-8")
    out, _err = run("import_calls", path)
    assert out == "3 call records imported, 0 duplicate(s) skipped.\n"
    rows = {
        key: rest for key, *rest in CallRecord.objects.values_list("key", "inside_hours", "wait_seconds", "abandoned")
    }
    assert rows == {"c1": [True, 30, False], "c2": [False, None, True], "c3": [True, 11, False]}
    c1 = CallRecord.objects.get(key="c1")
    assert (c1.caller_number, c1.agent, c1.offered_at) == (
        "+3293001234",
        "jpeeters",
        datetime(2026, 3, 2, 8, 30, tzinfo=BRUSSELS),
    )


def test_a_file_imported_again_counts_nothing_twice(tmp_path, kcc):
    path = tmp_path / "calls.csv"
    path.write_text(CALLS_CSV, encoding="utf-8")
    run("import_calls", path)
    out, _err = run("import_calls", path)
    assert out == "0 call records imported, 3 duplicate(s) skipped.\n"
    assert CallRecord.objects.count() == 3


def test_every_bad_row_with_its_line_number_and_nothing_imported(tmp_path, kcc):
    """Line 3 answered before it was offered, line 5 without an offset; lines 2 and 4 are good but not imported.
    A quoted value over two lines (line 6–7) counts its lines: the row after it is line 8."""
    path = tmp_path / "calls.csv"
    path.write_text(
        "key,queue,offered_at,answered_at,agent\n"
        "a,kcc,2026-03-02T09:00:00+01:00,,\n"
        "b,kcc,2026-03-02T09:00:00+01:00,2026-03-02T08:59:00+01:00,\n"
        "c,kcc,2026-03-02T09:00:00+01:00,,\n"
        "d,kcc,2026-03-02T09:00:00,,\n"
        'e,kcc,2026-03-02T09:00:00+01:00,,"two\nlines"\n'
        "f,nope,2026-03-02T09:00:00+01:00,,\n",
        encoding="utf-8",
    )
    message, err = refused("import_calls", path)
    assert message == "3 bad row(s): nothing imported."
    assert err.splitlines() == [
        "line 3: answered_at: The call was answered before it was offered.",
        "line 5: offered_at: Give the time with its offset, e.g. 2026-03-01T10:00:00+01:00.",
        "line 8: queue: There is no telephony queue with the code “nope”.",
    ]
    assert not CallRecord.objects.exists()


def test_cells_that_are_not_what_their_column_needs(tmp_path, kcc):
    path = tmp_path / "calls.csv"
    path.write_text(
        "key,queue,offered_at,abandoned\n"
        ",kcc,2026-03-02T09:00:00+01:00,0\n"
        "b,kcc,yesterday,maybe\n"
        "c,kcc\n"
        "d,kcc,2026-03-02T09:00:00+01:00,0\n"
        "d,kcc,2026-03-02T09:00:00+01:00,1\n",
        encoding="utf-8",
    )
    _message, err = refused("import_calls", path)
    assert err.splitlines() == [
        "line 2: key: This field is required.",
        "line 3: offered_at: Not a date and time: write it as 2026-03-01T10:00:00+01:00.",
        "line 3: abandoned: Write 1 or 0 (true or false).",
        "line 4: row: 2 values where the header names 4 columns.",
        "line 6: key: A record with this key was sent before with other content.",
    ]


COLUMNS = "key, queue, caller_number, offered_at, answered_at, ended_at, abandoned, agent"


@pytest.mark.parametrize(
    ("header", "errors"),
    [
        (
            "key,queue,ofered_at",
            [f"Unknown columns: ofered_at (the columns are: {COLUMNS}).", "Missing columns: offered_at."],
        ),
        ("key,queue,queue,offered_at", ["Columns named twice: queue."]),
        ("", ["The file is empty: its first line must name the columns."]),
    ],
)
def test_the_header_is_line_1(tmp_path, kcc, header, errors):
    path = tmp_path / "calls.csv"
    path.write_text(f"{header}\n", encoding="utf-8")
    _message, err = refused("import_calls", path)
    assert err.splitlines() == [f"line 1: header: {error}" for error in errors]


def test_a_spreadsheets_csv_semicolons_a_byte_order_mark_and_blank_lines(tmp_path, kcc):
    path = tmp_path / "calls.csv"
    path.write_bytes("\ufeffKey;Queue;Offered_at;Abandoned\r\n\r\nx;kcc;2026-03-02T10:00:00+01:00;ja\r\n".encode())
    out, _err = run("import_calls", path)
    assert out.startswith("1 call records imported")
    assert CallRecord.objects.get().abandoned is True


def test_a_line_that_is_not_utf8(tmp_path, kcc):
    path = tmp_path / "calls.csv"
    path.write_bytes(b"key,queue,offered_at,agent\nx,kcc,2026-03-02T10:00:00+01:00,Ren\xe9\n")
    _message, err = refused("import_calls", path)
    assert err == "line 2: row: This line is not valid UTF-8: save the file as UTF-8.\n"


def test_check_only_writes_nothing(tmp_path, kcc):
    path = tmp_path / "calls.csv"
    path.write_text(CALLS_CSV, encoding="utf-8")
    out, _err = run("import_calls", path, "--check")
    assert out == "3 call records would be imported, 0 duplicate(s) skipped.\n"
    assert not CallRecord.objects.exists()


def test_a_missing_file(tmp_path):
    message, _err = refused("import_calls", tmp_path / "none.csv")
    assert message.startswith("Cannot read")


def test_visits_imported_all_or_nothing(tmp_path):
    """v1: called 90.5 s after the start → 90 s, booked Friday for Monday → 1 working day. v2: called early → 0.
    Then a file with three bad rows (lines 2, 4 and 5) imports nothing, the good line 3 neither."""
    CounterCluster.objects.create(code="burgerzaken", name="Burgerzaken", norm_minutes=Decimal(1))
    path = tmp_path / "visits.csv"
    path.write_text(
        "key,cluster,booked_at,scheduled_start,called_at,booking_channel,booking_source,started_at\n"
        "v1,burgerzaken,2026-03-06T10:00:00+01:00,2026-03-09T09:00:00+01:00,2026-03-09T09:01:30.500+01:00,"
        "website,virtual_assistant,2026-03-06T09:58:00+01:00\n"
        "v2,burgerzaken,2026-03-06T10:00:00+01:00,2026-03-09T09:00:00+01:00,2026-03-09T08:55:00+01:00,phone,,\n",
        encoding="utf-8",
    )
    out, _err = run("import_visits", path)
    assert out == "2 counter visits imported, 0 duplicate(s) skipped.\n"
    rows = {
        key: rest
        for key, *rest in CounterVisit.objects.values_list("key", "wait_seconds", "lead_working_days", "booking_source")
    }
    assert rows == {"v1": [90, 1, "virtual_assistant"], "v2": [0, 1, "staff"]}

    bad = tmp_path / "bad.csv"
    bad.write_text(
        "key,cluster,booked_at,scheduled_start,booking_channel,started_at\n"
        "v3,wonen,2026-03-06T10:00:00+01:00,2026-03-09T09:00:00+01:00,phone,\n"
        "v4,burgerzaken,2026-03-06T10:00:00+01:00,2026-03-09T09:00:00+01:00,phone,\n"
        "v5,burgerzaken,2026-03-06T10:00:00+01:00,2026-03-09T09:00:00+01:00,fax,\n"
        "v6,burgerzaken,2026-03-06T10:00:00+01:00,2026-03-09T09:00:00+01:00,phone,2026-03-06T10:00:01+01:00\n",
        encoding="utf-8",
    )
    message, err = refused("import_visits", bad)
    assert message == "3 bad row(s): nothing imported."
    assert err.splitlines() == [
        "line 2: cluster: There is no counter cluster with the code “wonen”.",
        "line 4: booking_channel: “fax” is not one of: phone, counter, email, letter, website, whatsapp, messenger, "
        "chat, social, other.",
        "line 5: started_at: The conversation cannot have started after the booking.",
    ]
    assert CounterVisit.objects.count() == 2
