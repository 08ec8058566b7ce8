"""PostgreSQL: the triggers that mark the local days whose rollups must be computed again (reports/rollups.py).

Statement-level triggers with transition tables: one INSERT of the distinct days per statement, whatever the rows
(a contact logged, a COPY of a million call records). What each rollup depends on marks its days:
- contacts: a contact written (its day, before and after), a link between a contact and a case (the contact's day:
  "about an existing case");
- cases (by registration day): a case written, a link (the case's day: "opened by the virtual assistant"), a
  contact changed or deleted (the days of its cases), a case type whose kind or "about an unanswered question"
  changes, a handler group that becomes or stops being the KCC (the days of their cases);
- calls: a call record written.
Every existing day is marked, so the first refresh builds the rollups of the data already there
(``manage.py refresh_rollups`` does it at once). SQLite has none: its KPIs read the source tables.
"""

from django.db import migrations


def day(column: str) -> str:
    return f"(({column}) AT TIME ZONE 'Europe/Brussels')::date"


def mark(source: str, column: str, rows: str) -> str:
    return f"INSERT INTO reports_rollupmark (source, day) SELECT DISTINCT '{source}', {day(column)} FROM {rows};"


# Per function: the statements for the new rows (INSERT, UPDATE) and for the old rows (UPDATE, DELETE).
FUNCTIONS = {
    "reports_mark_contact_days": (
        mark("contacts", "occurred_at", "new_rows"),
        mark("contacts", "occurred_at", "old_rows")
        + mark(
            "cases",
            "k.registered_at",
            "old_rows o JOIN cases_case_contacts l ON l.contact_id = o.id JOIN cases_case k ON k.id = l.case_id",
        ),
    ),
    "reports_mark_case_contact_days": (
        mark("contacts", "c.occurred_at", "new_rows l JOIN contacts_contact c ON c.id = l.contact_id")
        + mark("cases", "k.registered_at", "new_rows l JOIN cases_case k ON k.id = l.case_id"),
        mark("contacts", "c.occurred_at", "old_rows l JOIN contacts_contact c ON c.id = l.contact_id")
        + mark("cases", "k.registered_at", "old_rows l JOIN cases_case k ON k.id = l.case_id"),
    ),
    "reports_mark_case_days": (
        mark("cases", "registered_at", "new_rows"),
        mark("cases", "registered_at", "old_rows"),
    ),
    "reports_mark_case_type_days": (
        "",
        mark(
            "cases",
            "k.registered_at",
            "old_rows o JOIN new_rows n ON n.id = o.id JOIN cases_case k ON k.case_type_id = n.id "
            "WHERE (o.kind, o.about_unanswered_question) IS DISTINCT FROM (n.kind, n.about_unanswered_question)",
        ),
    ),
    "reports_mark_group_days": (
        "",
        mark(
            "cases",
            "k.registered_at",
            "old_rows o JOIN new_rows n ON n.id = o.id AND o.is_kcc IS DISTINCT FROM n.is_kcc "
            "JOIN cases_case k ON coalesce(k.returned_by_group_id, k.handler_group_id) = n.id",
        ),
    ),
    "reports_mark_call_days": (
        mark("calls", "offered_at", "new_rows"),
        mark("calls", "offered_at", "old_rows"),
    ),
}

# (table, function, operations)
TRIGGERS = (
    ("contacts_contact", "reports_mark_contact_days", ("INSERT", "UPDATE", "DELETE")),
    ("cases_case_contacts", "reports_mark_case_contact_days", ("INSERT", "DELETE")),
    ("cases_case", "reports_mark_case_days", ("INSERT", "UPDATE", "DELETE")),
    ("cases_casetype", "reports_mark_case_type_days", ("UPDATE",)),
    ("cases_handlergroup", "reports_mark_group_days", ("UPDATE",)),
    ("reports_callrecord", "reports_mark_call_days", ("INSERT", "UPDATE", "DELETE")),
)

TRANSITIONS = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows",
    "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "REFERENCING OLD TABLE AS old_rows",
}

# Every day that has rows now.
EXISTING = (
    mark("contacts", "occurred_at", "contacts_contact")
    + mark("cases", "registered_at", "cases_case")
    + mark("calls", "offered_at", "reports_callrecord")
)


def function_sql(name: str, new_rows: str, old_rows: str) -> str:
    body = []
    if new_rows:
        body.append(f"IF TG_OP <> 'DELETE' THEN {new_rows} END IF;")
    if old_rows:
        body.append(f"IF TG_OP <> 'INSERT' THEN {old_rows} END IF;")
    return (
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {' '.join(body)} RETURN NULL; END $$;"
    )


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    statements = [function_sql(name, *parts) for name, parts in FUNCTIONS.items()]
    for table, function, operations in TRIGGERS:
        for operation in operations:
            statements.append(
                f"CREATE TRIGGER reports_{table}_{operation.lower()} AFTER {operation} ON {table} "
                f"{TRANSITIONS[operation]} FOR EACH STATEMENT EXECUTE FUNCTION {function}();"
            )
    statements.append(EXISTING)
    schema_editor.execute("\n".join(statements))


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {', '.join(FUNCTIONS)} CASCADE;")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0004_rollups"),
        ("contacts", "0007_imported_history"),
        ("cases", "0012_imported_history"),
    ]

    operations = [migrations.RunPython(create, drop)]
