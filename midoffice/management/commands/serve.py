"""`make run`'s server: runserver, plus what embedded mode needs from the process that serves it."""

from django.contrib.staticfiles.management.commands.runserver import Command as RunserverCommand

from midoffice.embedded import serving_at, start_periodic_jobs


class Command(RunserverCommand):
    help = (
        "The development server of the embedded mode (make run): links in e-mails point at the address it "
        "serves, and without a broker it runs the periodic jobs of CELERY_BEAT_SCHEDULE itself. Not for production."
    )

    def on_bind(self, server_port):
        # Here, not in handle(): with the autoreloader only this child process serves, and the port is known
        # (also for port 0).
        serving_at(self.addr, server_port, ipv6=self._raw_ipv6)
        if start_periodic_jobs() is not None:
            self.stdout.write("Periodic jobs (CELERY_BEAT_SCHEDULE) run in this process: no broker is configured.")
        super().on_bind(server_port)
