from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import Channel, Source


class Scope(models.TextChoices):
    INTAKE = "intake", _("Submit questions and reports")
    STATUS = "status", _("Look up the status of a case")
    CATALOGUE = "catalogue", _("Read the public case types")
    STATISTICS = "statistics", _("Read public statistics")
    TELEPHONY = "telephony", _("Send call records and telephony events")
    COUNTER = "counter", _("Send counter visits")
    REPORTS = "reports", _("Read the KPI reports")
    HISTORY = "history", _("Send the history of the previous system")


def _empty_list() -> list:
    return []


class ServiceClient(models.Model):
    """A system that speaks for citizens (the virtual assistant, a web form, a WhatsApp bridge, an Open311 app):
    what it may do (scopes) and report (channels, sources), with a token of which only a hash is kept."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    # Scopes, channels and sources are short lists checked against their choices by service_client_create (a
    # check constraint on the members of a JSON array cannot be written for SQLite and PostgreSQL alike).
    scopes = models.JSONField(_("scopes"), default=_empty_list, blank=True)
    channels = models.JSONField(_("channels"), default=_empty_list, blank=True, help_text=_("It may report these."))
    sources = models.JSONField(_("sources"), default=_empty_list, blank=True, help_text=_("It may report these."))
    key_prefix = models.CharField(_("key prefix"), max_length=12, editable=False, db_index=True)
    key_digest = models.CharField(_("key digest"), max_length=128, editable=False)
    # Contacts, cases and idempotency keys name a user: the client's own account, which cannot log in.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="service_client",
        editable=False,
        verbose_name=_("account"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_clients_created",
        editable=False,
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("service client")
        verbose_name_plural = _("service clients")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["key_digest"], name="serviceclient_key_digest_unique"),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_at__gte=models.F("created_at")),
                name="serviceclient_revoked_after_created",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class Attachment(models.Model):
    """A file a citizen sent with a submission, kept in the default storage under its case (or contact)."""

    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.PROTECT, related_name="attachments", verbose_name=_("contact")
    )
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attachments",
        verbose_name=_("case"),
    )
    file = models.FileField(_("file"), max_length=300)
    name = models.CharField(_("file name"), max_length=200, help_text=_("As the citizen sent it."))
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [models.CheckConstraint(condition=Q(size__gt=0), name="attachment_not_empty")]
        indexes = [models.Index(fields=["case"], condition=Q(case__isnull=False), name="attachment_case_idx")]

    def __str__(self):
        return self.name


class StatusLookup(models.Model):
    """One look-up of a case's status through a public channel, found or not (KPI "status requests per channel")."""

    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="status_lookups",
        verbose_name=_("case"),
        db_index=False,
    )
    client = models.ForeignKey(
        ServiceClient,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="status_lookups",
        verbose_name=_("service client"),
        db_index=False,
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    started_at = models.DateTimeField(
        _("started at"), null=True, blank=True, help_text=_("When the citizen began asking (the assistant says).")
    )
    answered_at = models.DateTimeField(_("answered at"), default=timezone.now)
    found = models.BooleanField(_("found"))

    class Meta:
        verbose_name = _("status look-up")
        verbose_name_plural = _("status look-ups")
        constraints = [
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="statuslookup_channel_valid"),
            models.CheckConstraint(condition=Q(source__in=Source.values), name="statuslookup_source_valid"),
            models.CheckConstraint(
                condition=Q(started_at__isnull=True) | Q(started_at__lte=models.F("answered_at")),
                name="statuslookup_started_before_answered",
            ),
        ]
        indexes = [models.Index(fields=["answered_at", "channel"], name="statuslookup_time_channel_idx")]

    def __str__(self):
        return f"{self.channel} {self.answered_at:%Y-%m-%d %H:%M}"


class AssistantOutcome(models.TextChoices):
    ANSWERED = "answered", _("Answered")
    FORM_SUBMITTED = "form_submitted", _("Form submitted")
    STATUS_LOOKED_UP = "status_looked_up", _("Status looked up")
    APPOINTMENT_MADE = "appointment_made", _("Appointment made")
    HANDED_OVER = "handed_over", _("Handed over to staff")


class AssistantSession(models.Model):
    """One conversation with the virtual assistant as its client reported it afterwards (statistics only: no
    personal data). ``session_id`` is the client's own id, which makes a re-sent report harmless."""

    client = models.ForeignKey(
        ServiceClient,
        on_delete=models.PROTECT,
        related_name="assistant_sessions",
        verbose_name=_("service client"),
        db_index=False,
    )
    session_id = models.CharField(_("session id"), max_length=100)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"))
    signed_in = models.BooleanField(_("signed in"), help_text=_("Through ACM/IDM."))
    topics = models.JSONField(_("topics"), default=_empty_list, blank=True)
    automated_actions = models.PositiveIntegerField(_("automated actions"), default=0)
    outcome = models.CharField(_("outcome"), max_length=20, choices=AssistantOutcome.choices)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("assistant session")
        verbose_name_plural = _("assistant sessions")
        constraints = [
            models.UniqueConstraint(fields=["client", "session_id"], name="assistantsession_client_session_unique"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="assistantsession_channel_valid"),
            models.CheckConstraint(
                condition=Q(outcome__in=AssistantOutcome.values), name="assistantsession_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(ended_at__gte=models.F("started_at")), name="assistantsession_ended_after_started"
            ),
            models.CheckConstraint(condition=~Q(session_id=""), name="assistantsession_session_id_present"),
        ]
        indexes = [models.Index(fields=["ended_at", "channel"], name="assistantsession_time_chan_idx")]

    def __str__(self):
        return self.session_id


class UnansweredQuestion(models.Model):
    """A question the assistant could not answer, grouped on ``normalised_text`` for the web editors; handled once
    the web page that should answer it was updated."""

    session = models.ForeignKey(
        AssistantSession, on_delete=models.CASCADE, related_name="unanswered_questions", verbose_name=_("session")
    )
    text = models.CharField(_("question"), max_length=1000)
    normalised_text = models.CharField(
        _("normalised question"), max_length=1000, help_text=_("Lower case, without accents and punctuation.")
    )
    asked_at = models.DateTimeField(_("asked at"))
    handled_at = models.DateTimeField(_("web page updated at"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("web page updated by"),
    )

    class Meta:
        verbose_name = _("unanswered question")
        verbose_name_plural = _("unanswered questions")
        constraints = [
            models.CheckConstraint(condition=~Q(normalised_text=""), name="unansweredquestion_normalised_present"),
            models.CheckConstraint(
                condition=Q(handled_at__isnull=True, handled_by__isnull=True)
                | Q(handled_at__isnull=False, handled_by__isnull=False),
                name="unansweredquestion_handled_by_when",
            ),
        ]
        indexes = [
            models.Index(fields=["asked_at"], condition=Q(handled_at__isnull=True), name="unansweredquestion_open_idx"),
            models.Index(
                fields=["handled_at"], condition=Q(handled_at__isnull=False), name="unansweredquestion_handled_idx"
            ),
        ]

    def __str__(self):
        return self.text[:80]
