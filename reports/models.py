"""What the KPI reports read besides contacts, cases and the public channels: the telephony system's call records,
the counter's visits, and the norms the installation edits. Derived values (inside opening hours, whole-second
waits, working days) are stored when a record is written, so that every KPI is one SQL aggregate."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import Channel, Contact, Source


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Queue(models.Model):
    """A telephony queue (e.g. the KCC's general number) with its weekly opening hours. Public holidays and the
    city's closing days (cases → closing days) are closed whatever the schedule says."""

    code = models.SlugField(_("code"), max_length=50, unique=True, help_text=_("As the telephony system names it."))
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("telephony queue")
        verbose_name_plural = _("telephony queues")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OpeningInterval(models.Model):
    """One interval of a queue's weekly schedule, ``opens`` ≤ time < ``closes`` (several a day are allowed)."""

    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="opening_intervals")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening interval")
        verbose_name_plural = _("opening hours")
        ordering = ["queue", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=Q(opens__lt=F("closes")), name="openinginterval_opens_before_closes"),
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6), name="openinginterval_weekday_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class CallRecord(models.Model):
    """One call offered to a queue. ``inside_hours`` and ``wait_seconds`` are derived when it is written, never
    taken from input: a call counts as answered or missed only when offered inside the queue's opening hours."""

    key = models.CharField(
        _("idempotency key"), max_length=200, unique=True, help_text=_("The telephony system's call id.")
    )
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="calls", verbose_name=_("queue"))
    caller_number = models.CharField(_("caller number"), max_length=40, blank=True)
    offered_at = models.DateTimeField(_("offered at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    abandoned = models.BooleanField(_("abandoned"), default=False, help_text=_("The caller hung up before an answer."))
    agent = models.CharField(_("agent"), max_length=150, blank=True)
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="calls", verbose_name=_("contact")
    )
    inside_hours = models.BooleanField(_("inside opening hours"), editable=False)
    wait_seconds = models.PositiveIntegerField(
        _("wait (s)"), null=True, editable=False, help_text=_("Answered − offered, in whole seconds.")
    )
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("call record")
        verbose_name_plural = _("call records")
        constraints = [
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | Q(answered_at__gte=F("offered_at")),
                name="callrecord_answered_after_offered",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("offered_at")),
                name="callrecord_ended_after_offered",
            ),
            models.CheckConstraint(
                condition=~(Q(abandoned=True) & Q(answered_at__isnull=False)), name="callrecord_abandoned_unanswered"
            ),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True, wait_seconds__isnull=True)
                | Q(answered_at__isnull=False, wait_seconds__isnull=False),
                name="callrecord_wait_with_answer",
            ),
        ]
        indexes = [models.Index(fields=["offered_at", "queue"], name="callrecord_offered_idx")]

    def __str__(self) -> str:
        return self.key


class TelephonyEvent(models.Model):
    """A live event of the telephony system (new call, answered, hang-up), kept as received; the events of one
    call id build its call record."""

    class Kind(models.TextChoices):
        NEW_CALL = "new_call", _("New call")
        ANSWERED = "answered", _("Answered")
        HANG_UP = "hang_up", _("Hang-up")

    call_id = models.CharField(_("call id"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    at = models.DateTimeField(_("at"))
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("queue"))
    caller_number = models.CharField(_("caller number"), max_length=40, blank=True)
    agent = models.CharField(_("agent"), max_length=150, blank=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("telephony event")
        verbose_name_plural = _("telephony events")
        constraints = [
            models.UniqueConstraint(fields=["call_id", "kind"], name="telephonyevent_call_kind_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.call_id} {self.kind}"


class CounterCluster(models.Model):
    """A group of counters (Burgerzaken, OCMW …) with its norm for the wait after the scheduled start."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    norm_minutes = models.DecimalField(
        _("norm (minutes)"), max_digits=5, decimal_places=1, validators=[MinValueValidator(0)]
    )

    class Meta:
        verbose_name = _("counter cluster")
        verbose_name_plural = _("counter clusters")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(norm_minutes__gte=0), name="countercluster_norm_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class CounterVisit(models.Model):
    """One appointment at a counter. ``wait_seconds`` (called − scheduled start; an early start is 0) and
    ``lead_working_days`` (booking → scheduled day) are derived when it is written."""

    key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    cluster = models.ForeignKey(
        CounterCluster, on_delete=models.PROTECT, related_name="visits", verbose_name=_("cluster")
    )
    booked_at = models.DateTimeField(_("booked at"))
    scheduled_start = models.DateTimeField(_("scheduled start"))
    called_at = models.DateTimeField(_("called at"), null=True, blank=True, help_text=_("The actual start."))
    booking_channel = models.CharField(_("booking channel"), max_length=16, choices=Channel.choices)
    booking_source = models.CharField(_("booking source"), max_length=20, choices=Source.choices, default=Source.STAFF)
    started_at = models.DateTimeField(
        _("conversation started at"),
        null=True,
        blank=True,
        help_text=_("When the conversation that booked it began (the virtual assistant's start-to-appointment)."),
    )
    wait_seconds = models.PositiveIntegerField(_("wait (s)"), null=True, editable=False)
    lead_working_days = models.PositiveIntegerField(_("lead time (working days)"), editable=False)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("counter visit")
        verbose_name_plural = _("counter visits")
        constraints = [
            models.CheckConstraint(
                condition=Q(booking_channel__in=Channel.values), name="countervisit_booking_channel_valid"
            ),
            models.CheckConstraint(condition=Q(booking_source__in=Source.values), name="countervisit_source_valid"),
            models.CheckConstraint(
                condition=Q(called_at__isnull=True, wait_seconds__isnull=True)
                | Q(called_at__isnull=False, wait_seconds__isnull=False),
                name="countervisit_wait_with_call",
            ),
            models.CheckConstraint(
                condition=Q(started_at__isnull=True) | Q(started_at__lte=F("booked_at")),
                name="countervisit_started_before_booked",
            ),
        ]
        indexes = [
            models.Index(fields=["scheduled_start", "cluster"], name="countervisit_scheduled_idx"),
            models.Index(fields=["booked_at"], name="countervisit_booked_idx"),
        ]

    def __str__(self) -> str:
        return self.key


class KpiNorm(models.Model):
    """The installation's norm for a KPI, instead of the catalogue's default."""

    code = models.CharField(_("KPI"), max_length=50, unique=True)
    value = models.DecimalField(_("norm"), max_digits=12, decimal_places=2)
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("KPI norm")
        verbose_name_plural = _("KPI norms")
        ordering = ["code"]
        permissions = [("view_reports", _("Can view the KPI reports"))]

    def __str__(self) -> str:
        return f"{self.code}: {self.value}"


class ImportJob(models.Model):
    """A CSV of call records, counter visits or the previous system's cases or contacts, uploaded in the admin and
    imported by a Celery task: its progress, its counts and every bad row, shown on the job's admin page. The file is
    deleted once the import has run (caller numbers and identifiers are personal data); all or nothing, as the import
    commands."""

    class Kind(models.TextChoices):
        CALLS = "calls", _("Call records")
        VISITS = "visits", _("Counter visits")
        HISTORY_CASES = "history_cases", _("Cases of the previous system")
        HISTORY_CONTACTS = "history_contacts", _("Contacts of the previous system")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a worker")
        CHECKING = "checking", _("Checking the rows")
        WRITING = "writing", _("Writing the records")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Nothing imported")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(_("file"), upload_to="reports/imports/%Y/%m/", max_length=300, blank=True)
    file_name = models.CharField(_("file name"), max_length=200, help_text=_("As it was uploaded."))
    rows_total = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    rows_checked = models.PositiveIntegerField(_("rows checked"), default=0)
    created = models.PositiveIntegerField(_("created"), null=True, blank=True)
    duplicates = models.PositiveIntegerField(
        _("duplicates"), null=True, blank=True, help_text=_("Rows already stored with the same content: skipped.")
    )
    errors = models.JSONField(
        _("bad rows"), default=list, blank=True, help_text=_("Each bad row: its line number and what is wrong.")
    )
    message = models.TextField(_("message"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now, editable=False)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("CSV import")
        verbose_name_plural = _("CSV imports")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["calls", "visits", "history_cases", "history_contacts"]),
                name="importjob_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "checking", "writing", "done", "failed"]),
                name="importjob_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True) | Q(status__in=["done", "failed"]),
                name="importjob_finished_when_final",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.file_name}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


# --- Daily rollups (PostgreSQL): see reports/rollups.py and docs/reports.md ----------------------------------------


class RollupMark(models.Model):
    """A local day of a source whose rollup rows must be computed again: written by the source tables' triggers in
    the writing transaction, consumed by ``reports.rollups.refresh``."""

    source = models.CharField(max_length=20)
    day = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["source"], name="rollupmark_source_idx")]

    def __str__(self) -> str:
        return f"{self.source} {self.day}"


class ContactDay(models.Model):
    """The contacts of a local day (Brussels) per combination of the attributes the KPIs count by."""

    day = models.DateField()
    channel = models.CharField(max_length=16)
    direction = models.CharField(max_length=8)
    source = models.CharField(max_length=20)
    outcome = models.CharField(max_length=16)
    linked = models.BooleanField(help_text="Linked to a contact record.")
    about_case = models.BooleanField(help_text="Linked to a case registered before the contact.")
    contacts = models.PositiveIntegerField()
    started = models.PositiveIntegerField(help_text="Contacts that say when the citizen began.")
    start_seconds = models.DecimalField(
        max_digits=24, decimal_places=6, null=True, help_text="The sum of occurred − started of those, in seconds."
    )

    class Meta:
        indexes = [models.Index(fields=["day"], name="contactday_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.channel}: {self.contacts}"


class ContactPartyDay(models.Model):
    """The distinct parties with a contact on a local day, and those guided, per channel and (channel '') over
    every channel: distinct counts do not add up over channels."""

    day = models.DateField()
    channel = models.CharField(max_length=16, blank=True)
    parties = models.PositiveIntegerField()
    guided_parties = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["day", "channel"], name="contactpartyday_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.channel}: {self.parties}"


class CallDay(models.Model):
    """The calls offered on a local day per queue, inside or outside opening hours."""

    day = models.DateField()
    queue = models.ForeignKey(Queue, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    inside_hours = models.BooleanField()
    calls = models.PositiveIntegerField()
    answered = models.PositiveIntegerField()
    abandoned = models.PositiveIntegerField()
    wait_seconds = models.BigIntegerField(help_text="The sum of the answered calls' waits.")
    # The answered calls per wait bucket (whole seconds, upper bounds included).
    wait_0_30 = models.PositiveIntegerField()
    wait_31_60 = models.PositiveIntegerField()
    wait_61_90 = models.PositiveIntegerField()
    wait_91_120 = models.PositiveIntegerField()
    wait_121_300 = models.PositiveIntegerField()
    wait_301 = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["day"], name="callday_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.queue_id}: {self.calls}"


class CaseDay(models.Model):
    """The cases registered on a local day per combination of the attributes the KPIs of intakes count by."""

    day = models.DateField()
    channel = models.CharField(max_length=16)
    intake_source = models.CharField(max_length=20)
    via_assistant = models.BooleanField(help_text="Opened by a contact of the virtual assistant (linked, not after).")
    routed_to_kcc = models.BooleanField(help_text="The group routing sent it to (the first to return it) is the KCC.")
    returned = models.BooleanField(help_text="Returned to the KCC.")
    unanswered_complaint = models.BooleanField(help_text="A complaint about an unanswered question.")
    cases = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["day"], name="caseday_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.channel}: {self.cases}"
