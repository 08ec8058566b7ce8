"""PostgreSQL: the triggers that mark the local days whose rollups must be computed again (reports/rollups.py).

Statement-level triggers with transition tables: one INSERT of the distinct days per statement, whatever the rows
(a contact logged, a COPY of a million call records). Every existing day is marked, so the first refresh builds the
rollups of the data already there (``manage.py refresh_rollups`` does it at once). SQLite has none: its KPIs read
the source tables.
"""

from django.db import migrations

DAY = "(({column}) AT TIME ZONE 'Europe/Brussels')::date"

FUNCTIONS = """
CREATE FUNCTION reports_mark_contact_days() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO reports_rollupmark (source, day)
        SELECT DISTINCT 'contacts', {contact_day} FROM new_rows;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO reports_rollupmark (source, day)
        SELECT DISTINCT 'contacts', {contact_day} FROM old_rows;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION reports_mark_case_contact_days() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO reports_rollupmark (source, day)
        SELECT DISTINCT 'contacts', {linked_day} FROM new_rows l JOIN contacts_contact c ON c.id = l.contact_id;
    ELSE
        INSERT INTO reports_rollupmark (source, day)
        SELECT DISTINCT 'contacts', {linked_day} FROM old_rows l JOIN contacts_contact c ON c.id = l.contact_id;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION reports_mark_call_days() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO reports_rollupmark (source, day)
        SELECT DISTINCT 'calls', {call_day} FROM new_rows;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO reports_rollupmark (source, day)
        SELECT DISTINCT 'calls', {call_day} FROM old_rows;
    END IF;
    RETURN NULL;
END $$;
""".format(
    contact_day=DAY.format(column="occurred_at"),
    linked_day=DAY.format(column="c.occurred_at"),
    call_day=DAY.format(column="offered_at"),
)

TRIGGERS = (
    # (table, function, name)
    ("contacts_contact", "reports_mark_contact_days", "reports_contacts"),
    ("cases_case_contacts", "reports_mark_case_contact_days", "reports_case_contacts"),
    ("reports_callrecord", "reports_mark_call_days", "reports_calls"),
)

TRANSITIONS = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows",
    "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "REFERENCING OLD TABLE AS old_rows",
}

# Every day that has rows now.
EXISTING = f"""
INSERT INTO reports_rollupmark (source, day) SELECT DISTINCT 'contacts', {DAY.format(column="occurred_at")}
FROM contacts_contact;
INSERT INTO reports_rollupmark (source, day) SELECT DISTINCT 'calls', {DAY.format(column="offered_at")}
FROM reports_callrecord;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    statements = [FUNCTIONS]
    for table, function, name in TRIGGERS:
        operations = ("INSERT", "DELETE") if table == "cases_case_contacts" else ("INSERT", "UPDATE", "DELETE")
        for operation in operations:
            statements.append(
                f"CREATE TRIGGER {name}_{operation.lower()} AFTER {operation} ON {table} {TRANSITIONS[operation]} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {function}();"
            )
    statements.append(EXISTING)
    schema_editor.execute("\n".join(statements))


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "DROP FUNCTION IF EXISTS reports_mark_contact_days, reports_mark_case_contact_days, reports_mark_call_days "
        "CASCADE;"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0004_rollups"),
        ("contacts", "0007_imported_history"),
        ("cases", "0012_imported_history"),
    ]

    operations = [migrations.RunPython(create, drop)]
