"""Mailboxes the system reads and the mails it took from them: each mail is recorded once, whatever it became."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuthMethod(models.TextChoices):
    PASSWORD = "password", _("Password")
    XOAUTH2 = "xoauth2", _("OAuth2 (XOAUTH2, e.g. a Microsoft 365 shared mailbox)")


class ProcessedAction(models.TextChoices):
    FLAG = "flag", _("Mark as read (and with a keyword where the server allows)")
    MOVE = "move", _("Move to a folder")


class Mailbox(models.Model):
    """A general mailbox of the city, polled over IMAP instead of read by people."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    address = models.EmailField(
        _("e-mail address"), blank=True, help_text=_("The mailbox's own address: mail from it is never imported.")
    )
    host = models.CharField(_("IMAP server"), max_length=255)
    port = models.PositiveIntegerField(_("port"), default=993)
    use_tls = models.BooleanField(_("TLS"), default=True, help_text=_("IMAPS (port 993); off only for tests."))
    username = models.CharField(_("user name"), max_length=255)
    auth_method = models.CharField(
        _("authentication"), max_length=8, choices=AuthMethod.choices, default=AuthMethod.PASSWORD
    )
    # Encrypted (inbound.credentials); never shown back in the admin.
    password_encrypted = models.TextField(_("password (encrypted)"), blank=True, editable=False)
    oauth_token_url = models.URLField(
        _("OAuth2 token endpoint"),
        blank=True,
        help_text=_("e.g. https://login.microsoftonline.com/<tenant id>/oauth2/v2.0/token"),
    )
    oauth_client_id = models.CharField(_("OAuth2 client id"), max_length=255, blank=True)
    oauth_client_secret_encrypted = models.TextField(_("OAuth2 client secret (encrypted)"), blank=True, editable=False)
    oauth_scope = models.CharField(
        _("OAuth2 scope"), max_length=255, blank=True, default="https://outlook.office365.com/.default"
    )
    folder = models.CharField(_("folder"), max_length=255, default="INBOX")
    processed_action = models.CharField(
        _("when processed"), max_length=8, choices=ProcessedAction.choices, default=ProcessedAction.FLAG
    )
    processed_keyword = models.CharField(
        _("keyword"), max_length=64, default="MidofficeImported", help_text=_("IMAP keyword set on processed mail.")
    )
    processed_folder = models.CharField(_("folder for processed mail"), max_length=255, blank=True)
    default_case_type = models.ForeignKey(
        "cases.CaseType",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("default case type"),
        help_text=_("A new mail opens a case of this type, routed like any case."),
    )
    default_group = models.ForeignKey(
        "cases.HandlerGroup",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("default handler group"),
        help_text=_("A new mail becomes a contact this group triages. Neither: the KCC triages."),
    )
    active = models.BooleanField(_("active"), default=True)
    last_polled_at = models.DateTimeField(_("last polled at"), null=True, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)
    # Failed polls in a row; the next poll waits longer after each (midoffice.backoff).
    failures = models.PositiveIntegerField(_("failed polls in a row"), default=0, editable=False)
    next_poll_at = models.DateTimeField(_("next poll at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(auth_method__in=AuthMethod.values), name="mailbox_auth_method_valid"),
            models.CheckConstraint(
                condition=Q(processed_action__in=ProcessedAction.values), name="mailbox_processed_action_valid"
            ),
            models.CheckConstraint(condition=Q(port__gte=1, port__lte=65535), name="mailbox_port_valid"),
            models.CheckConstraint(
                condition=Q(default_case_type__isnull=True) | Q(default_group__isnull=True),
                name="mailbox_one_default_at_most",
            ),
            models.CheckConstraint(
                condition=~Q(processed_action=ProcessedAction.MOVE) | ~Q(processed_folder=""),
                name="mailbox_move_has_folder",
            ),
            models.CheckConstraint(
                condition=~Q(auth_method=AuthMethod.XOAUTH2)
                | (~Q(oauth_token_url="") & ~Q(oauth_client_id="") & ~Q(oauth_client_secret_encrypted="")),
                name="mailbox_xoauth2_complete",
            ),
        ]

    def __str__(self):
        return self.name


class InboundMailStatus(models.TextChoices):
    IMPORTED = "imported", _("Imported")
    IGNORED_AUTO_REPLY = "ignored_auto_reply", _("Ignored: automatic reply")
    IGNORED_LOOP = "ignored_loop", _("Ignored: bounce or our own mail")
    REFUSED_TOO_LARGE = "refused_too_large", _("Refused: too large")
    REFUSED_EMPTY = "refused_empty", _("Refused: empty")
    ERROR = "error", _("Error")


class InboundMail(models.Model):
    """One mail taken from a mailbox. Recorded in the transaction of what it became: never imported twice."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.PROTECT, related_name="mails", verbose_name=_("mailbox"))
    # The Message-ID header; without one (or a longer one) a digest of the message.
    message_id = models.CharField(_("message id"), max_length=255)
    size = models.PositiveIntegerField(_("size (bytes)"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    sender = models.CharField(_("from"), max_length=254, blank=True)
    sender_name = models.CharField(_("sender name"), max_length=200, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=InboundMailStatus.choices)
    reason = models.TextField(_("reason"), blank=True)
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("contact")
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("case")
    )

    class Meta:
        verbose_name = _("inbound mail")
        verbose_name_plural = _("inbound mails")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "message_id"], name="inboundmail_once_per_mailbox"),
            models.CheckConstraint(condition=Q(status__in=InboundMailStatus.values), name="inboundmail_status_valid"),
            models.CheckConstraint(
                condition=Q(status=InboundMailStatus.IMPORTED, contact__isnull=False)
                | (~Q(status=InboundMailStatus.IMPORTED) & Q(contact__isnull=True, case__isnull=True)),
                name="inboundmail_contact_iff_imported",
            ),
        ]

    def __str__(self):
        return f"{self.sender}: {self.subject}"


class InboundAttachment(models.Model):
    """A file that came with an imported mail, kept in the default storage."""

    mail = models.ForeignKey(InboundMail, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("mail"))
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    file = models.FileField(_("file"), max_length=500, upload_to="inbound/")

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.filename
