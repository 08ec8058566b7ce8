"""``python manage.py refresh_rollups``: compute the KPIs' daily rollups of every day written since the last refresh
(after a migration that marks every day, a bulk load or a restore), so that the next report need not; ``--all``:
every day, after rows were written with the triggers disabled."""

import time

from django.core.management.base import BaseCommand

from reports import rollups


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument(
            "--all",
            action="store_true",
            dest="every_day",
            help="Compute every day again (rows were written with the triggers disabled, e.g. a data-only restore).",
        )

    def handle(self, *args, every_day: bool = False, **options):
        if not rollups.enabled():
            self.stdout.write("No rollups here: the KPIs read the source tables (SQLite, or REPORTS_ROLLUPS off).")
            return
        started = time.monotonic()
        if every_day:
            rollups.mark_all()
        days = rollups.refresh()
        self.stdout.write(f"Rollups of {days} day(s) computed in {time.monotonic() - started:.1f} s.")
