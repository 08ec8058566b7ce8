"""PostgreSQL only: pg_trgm and a trigram GIN index for name search and duplicate suggestions.

SQLite (the embedded default) has no trigram support; name search there falls back to a
substring scan, which is fine at demo size.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEX = "party_search_name_trgm_idx"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON contacts_party USING gin (search_name gin_trgm_ops)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("contacts", "0001_initial")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_index, drop_index),
    ]
