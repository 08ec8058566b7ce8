"""``python manage.py refresh_rollups``: compute the KPIs' daily rollups of every day written since the last refresh
(after a migration that marks every day, a bulk load or a restore), so that the next report need not."""

import time

from django.core.management.base import BaseCommand

from reports import rollups


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        if not rollups.enabled():
            self.stdout.write("No rollups here: the KPIs read the source tables (SQLite, or REPORTS_ROLLUPS off).")
            return
        started = time.monotonic()
        days = rollups.refresh()
        self.stdout.write(f"Rollups of {days} day(s) computed in {time.monotonic() - started:.1f} s.")
