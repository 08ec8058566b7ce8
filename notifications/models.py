import secrets
import string
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from cases.workflow import CaseChange

# What a notification is about: a case change the citizen is told of (``cases.workflow.CaseChange``, which
# also says which transition tells what) or the satisfaction survey.
NotificationKind = models.TextChoices(
    "NotificationKind",
    [(change.name, (change.value, change.label)) for change in CaseChange]
    + [("SURVEY_INVITATION", ("survey_invitation", _("Satisfaction survey")))],
)


class Backend(models.TextChoices):
    EMAIL = "email", _("E-mail")
    WEBHOOK = "webhook", _("Webhook")
    DOSIS = "dosis", _("DOSIS (Mijn Burgerprofiel dossier status)")
    BURGERPROFIEL = "burgerprofiel", _("Mijn Burgerprofiel notification")


class DosisStatus(models.Model):
    """How a case state is shown in DOSIS (phase and code); the values are not fixed by DOSIS: edit them here."""

    state = models.CharField(_("case state"), max_length=16, unique=True)
    phase = models.CharField(_("DOSIS phase (VlaamsFase)"), max_length=50)
    code = models.CharField(_("DOSIS code (VlaamsCode)"), max_length=50)
    action_needed = models.BooleanField(
        _("action needed"), default=False, help_text=_("The citizen must do something: the public message says what.")
    )

    class Meta:
        verbose_name = _("DOSIS status")
        verbose_name_plural = _("DOSIS statuses")
        ordering = ["state"]

    def __str__(self):
        return f"{self.state} → {self.phase}/{self.code}"


def generate_secret() -> str:
    return secrets.token_urlsafe(32)


class WebhookSubscription(models.Model):
    """An internal system (e.g. the public-works planning) that receives case changes as signed JSON."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(
        _("secret"),
        max_length=100,
        default=generate_secret,
        help_text=_("Shared with the receiver: the body is signed with HMAC-SHA256 under this secret."),
    )
    kinds = models.JSONField(
        _("case changes"), default=list, blank=True, help_text=_("Empty: every change that notifies.")
    )
    case_types = models.ManyToManyField(
        "cases.CaseType",
        blank=True,
        related_name="webhook_subscriptions",
        verbose_name=_("case types"),
        help_text=_("Empty: every case type."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        if settings.MIDOFFICE_WEBHOOK_REQUIRE_HTTPS and not self.url.lower().startswith("https://"):
            raise ValidationError({"url": [_("Webhooks must use HTTPS.")]})
        unknown = set(self.kinds or []) - set(NotificationKind.values)
        if unknown:
            raise ValidationError(
                {"kinds": [_("Unknown case changes: %(kinds)s.") % {"kinds": ", ".join(sorted(unknown))}]}
            )


class Status(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, will be retried")
    DEAD = "dead", _("Dead")


DELIVERABLE = (Status.PENDING, Status.FAILED)


class Notification(models.Model):
    """One message to one recipient through one backend: the outbox row.

    Written in the transaction of the change it reports, delivered after commit by a task, and picked
    up by the relay if that task never ran; ``idempotency_key`` goes to the receiver with every attempt.
    """

    # Both foreign keys are indexed by the composite indexes below, which lead with them.
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="notifications", verbose_name=_("case"), db_index=False
    )
    party = models.ForeignKey(
        "contacts.Party",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
        verbose_name=_("party"),
        help_text=_("The citizen told; empty for a webhook about an anonymous case."),
        db_index=False,
    )
    webhook = models.ForeignKey(
        WebhookSubscription,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
        verbose_name=_("webhook subscription"),
    )
    backend = models.CharField(_("backend"), max_length=20, choices=Backend.choices)
    kind = models.CharField(_("kind"), max_length=24, choices=NotificationKind.choices)
    recipient = models.CharField(_("recipient"), max_length=254, help_text=_("Address as it was when queued."))
    language = models.CharField(_("language"), max_length=2)
    payload = models.JSONField(_("payload"), default=dict)
    idempotency_key = models.UUIDField(_("idempotency key"), default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    retried_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("last retried by"),
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        permissions = [("retry_notification", _("Can retry a failed or dead notification"))]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=Status.values), name="notification_status_valid"),
            models.CheckConstraint(condition=Q(backend__in=Backend.values), name="notification_backend_valid"),
            models.CheckConstraint(condition=Q(kind__in=NotificationKind.values), name="notification_kind_valid"),
            models.CheckConstraint(
                condition=Q(backend=Backend.WEBHOOK, webhook__isnull=False)
                | (~Q(backend=Backend.WEBHOOK) & Q(webhook__isnull=True, party__isnull=False)),
                name="notification_recipient_fits_backend",
            ),
            models.CheckConstraint(
                condition=Q(status=Status.SENT, sent_at__isnull=False)
                | (~Q(status=Status.SENT) & Q(sent_at__isnull=True)),
                name="notification_sent_at_when_sent",
            ),
        ]
        indexes = [
            # The relay: what is due for delivery, and nothing else.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=[s.value for s in DELIVERABLE]),
                name="notification_deliverable_idx",
            ),
            models.Index(fields=["status", "-created_at"], name="notification_status_idx"),
            models.Index(fields=["last_attempt_at"], condition=Q(status=Status.DEAD), name="notification_dead_idx"),
            models.Index(fields=["case", "-created_at"], name="notification_case_idx"),
            models.Index(fields=["party", "-created_at"], name="notification_party_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient} ({self.get_status_display()})"


class DeadLetterDigest(models.Model):
    """The daily e-mail to supervisors about notifications that went dead: one per day, whatever beat does."""

    day = models.DateField(_("day"), unique=True)
    count = models.PositiveIntegerField(_("dead notifications"))
    recipients = models.JSONField(_("recipients"), default=list)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("dead-letter digest")
        verbose_name_plural = _("dead-letter digests")
        ordering = ["-day"]

    def __str__(self):
        return f"{self.day}: {self.count}"


SURVEY_VALID_DAYS = 14


class Survey(models.Model):
    """A satisfaction survey sent when a case is resolved: the invitation, and once answered the answers."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="surveys", verbose_name=_("case"))
    party = models.ForeignKey(
        "contacts.Party", on_delete=models.PROTECT, related_name="surveys", verbose_name=_("party")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("valid until"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answer_score = models.PositiveSmallIntegerField(_("the answer (1–5)"), null=True, blank=True)
    speed_score = models.PositiveSmallIntegerField(_("the speed (1–5)"), null=True, blank=True)
    service_score = models.PositiveSmallIntegerField(_("the service (1–5)"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    reopen_requested = models.BooleanField(_("asked to reopen"), default=False)

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True)
                | Q(answer_score__range=(1, 5), speed_score__range=(1, 5), service_score__range=(1, 5)),
                name="survey_scores_when_answered",
            ),
        ]

    def __str__(self):
        return f"{self.case_id} {self.created_at:%Y-%m-%d}"


# What an e-mail text may use, each written {name}.
EMAIL_PLACEHOLDERS = (
    "name",
    "reference",
    "tracking_code",
    "case_type",
    "handler",
    "public_message",
    "status_url",
    "survey_url",
    "sender",
)


def braced(names) -> str:
    return ", ".join("{" + name + "}" for name in names)


class EmailText(models.Model):
    """A city's own wording of one kind of citizen e-mail in one language, instead of the built-in text."""

    kind = models.CharField(_("kind"), max_length=24, choices=NotificationKind.choices)
    language = models.CharField(
        _("language"), max_length=2, choices=[("nl", "Nederlands"), ("fr", "Français"), ("en", "English")]
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(
        _("text"),
        help_text=format_lazy(_("Placeholders: {names}."), names=braced(EMAIL_PLACEHOLDERS)),
    )

    class Meta:
        verbose_name = _("e-mail text")
        verbose_name_plural = _("e-mail texts")
        ordering = ["kind", "language"]
        constraints = [models.UniqueConstraint(fields=["kind", "language"], name="emailtext_one_per_kind_language")]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.language})"

    def clean(self):
        errors = {}
        for field in ("subject", "body"):
            try:
                names = {
                    name for _, name, _, _ in string.Formatter().parse(getattr(self, field) or "") if name is not None
                }
            except ValueError as exc:
                errors[field] = [_("Not a valid text: %(error)s. Write a literal brace as {{ or }}.") % {"error": exc}]
                continue
            unknown = sorted(names - set(EMAIL_PLACEHOLDERS))
            if unknown:
                errors[field] = [_("Unknown placeholder: %(names)s.") % {"names": braced(unknown)}]
        if errors:
            raise ValidationError(errors)

    def render(self, context: dict) -> tuple[str, str]:
        values = {name: context.get(name, "") or "" for name in EMAIL_PLACEHOLDERS}
        return self.subject.format(**values), self.body.format(**values)
