"""An index on the party each change-history entry belongs to (django-auditlog's table, its additional_data).

The party's history (``selectors.party_history``) filters on this one JSON key; without the index that is a
scan of every change ever recorded. Made with the schema editor from the same expression the query uses, so
both PostgreSQL and SQLite can use it.
"""

from django.db import migrations, models
from django.db.models.fields.json import KeyTransform

INDEX = models.Index(KeyTransform("party", "additional_data"), "timestamp", name="logentry_party_idx")


def create_index(apps, schema_editor):
    schema_editor.add_index(apps.get_model("auditlog", "LogEntry"), INDEX)


def drop_index(apps, schema_editor):
    schema_editor.remove_index(apps.get_model("auditlog", "LogEntry"), INDEX)


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0003_access_log_via_and_history_permission"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
