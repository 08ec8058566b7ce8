"""What the staff application keeps of its own: a user's saved inbox filters, ACM/IDM identity and Excel exports."""

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SavedFilter(models.Model):
    """An inbox filter a user named to apply it again: the query string of the inbox, re-encoded from the known
    filter fields (nothing else is kept)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    query = models.CharField(_("query"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        ordering = ["user", "name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="savedfilter_one_name_per_user")]

    def __str__(self):
        return self.name


class OidcIdentity(models.Model):
    """Which staff account an ACM/IDM identity (its ``sub``) signs in as; linked by an administrator, never made
    by a sign-in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oidc_identity", verbose_name=_("user")
    )
    sub = models.CharField(
        _("ACM/IDM subject"), max_length=255, unique=True, help_text=_("The sub claim ACM/IDM gives this person.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ACM/IDM identity")
        verbose_name_plural = _("ACM/IDM identities")
        ordering = ["user"]

    def __str__(self):
        return f"{self.user} ↔ {self.sub}"


class ExportJob(models.Model):
    """An Excel (XLSX) export a user asked for, built by a Celery task (``staff.tasks.export_job_run``) while the
    page shows its progress: the KPI table of a period, one KPI's breakdown, or the inbox's cases. Only its user sees
    it and downloads its file; the file is deleted with the job."""

    class Kind(models.TextChoices):
        KPIS = "kpis", _("KPI table")
        KPI_BREAKDOWN = "kpi_breakdown", _("KPI breakdown")
        CASES = "cases", _("Cases")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a worker")
        RUNNING = "running", _("Being written")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs", verbose_name=_("user")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parameters = models.JSONField(
        _("parameters"), default=dict, blank=True, help_text=_("The page's query string and the page's language.")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    rows_written = models.PositiveIntegerField(_("rows written"), default=0)
    rows_total = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to="staff/exports/%Y/%m/", max_length=300, blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True, help_text=_("As it is downloaded."))
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Excel export")
        verbose_name_plural = _("Excel exports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "created_at"], name="exportjob_user_created")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["kpis", "kpi_breakdown", "cases"]), name="exportjob_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "running", "done", "failed"]), name="exportjob_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True) | Q(status__in=["done", "failed"]),
                name="exportjob_finished_when_final",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


@receiver(post_delete, sender=ExportJob)
def _export_file_delete(sender, instance: ExportJob, **kwargs) -> None:
    """The file goes with its job (also when the user is deleted), once the deletion is committed: a rolled-back
    deletion keeps both."""
    if instance.file:
        storage, name = instance.file.storage, instance.file.name
        transaction.on_commit(lambda: storage.delete(name))
