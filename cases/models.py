from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from contacts.models import Channel


class ClosingDay(models.Model):
    """A day the city's services are closed (besides weekends and public holidays), e.g. a bridge day."""

    date = models.DateField(_("date"), unique=True)
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        verbose_name = _("closing day")
        verbose_name_plural = _("closing days")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.reason}"


class HandlerGroup(models.Model):
    """A team that handles cases (replaces a group mailbox); exactly one may be the contact centre (KCC)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    public_name = models.CharField(_("public name"), max_length=200, help_text=_("Shown to citizens."))
    email = models.EmailField(_("e-mail address"), blank=True)
    is_kcc = models.BooleanField(_("contact centre (KCC)"), default=False)
    active = models.BooleanField(_("active"), default=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="handler_groups", verbose_name=_("members")
    )

    class Meta:
        verbose_name = _("handler group")
        verbose_name_plural = _("handler groups")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["is_kcc"], condition=Q(is_kcc=True), name="handlergroup_one_kcc"),
            models.CheckConstraint(condition=Q(is_kcc=False) | Q(active=True), name="handlergroup_kcc_active"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        # Never a case without a group: the KCC catches what no rule and no default group places.
        was_kcc = self.pk is not None and HandlerGroup.objects.filter(pk=self.pk, is_kcc=True, active=True).exists()
        if was_kcc and not (self.is_kcc and self.active):
            orphans = CaseType.objects.filter(active=True, default_group__isnull=True)
            if orphans.exists():
                raise ValidationError(
                    _("Case types without a default group (%(codes)s) rely on the KCC: give them one first.")
                    % {"codes": ", ".join(orphans.values_list("code", flat=True)[:10])}
                )
        if self.is_kcc and not self.active:
            raise ValidationError({"active": [_("The KCC cannot be inactive.")]})


class CaseKind(models.TextChoices):
    QUESTION = "question", _("Question")
    REPORT = "report", _("Report")
    SUGGESTION = "suggestion", _("Suggestion")
    COMPLAINT = "complaint", _("Complaint")
    REQUEST = "request", _("Request")


class NormUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("Working days")
    CALENDAR_DAYS = "calendar_days", _("Calendar days")


class CaseType(models.Model):
    """What a case is about, who handles it by default and within how many days."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=CaseKind.choices)
    default_group = models.ForeignKey(
        HandlerGroup,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="default_for",
        verbose_name=_("default handler group"),
        help_text=_("Without one, cases no routing rule places go to the KCC."),
    )
    norm_days = models.PositiveSmallIntegerField(_("norm (days)"))
    norm_unit = models.CharField(_("norm unit"), max_length=16, choices=NormUnit.choices, default=NormUnit.WORKING_DAYS)
    admissibility_step = models.BooleanField(_("admissibility decision"), default=False)
    warning_days = models.PositiveSmallIntegerField(
        _("warning threshold (days)"), default=1, help_text=_("A case is due soon this many days before its due date.")
    )
    survey_enabled = models.BooleanField(_("satisfaction survey"), default=False)
    ipdc_product_id = models.CharField(_("IPDC product id"), max_length=50, blank=True)
    confidential = models.BooleanField(_("confidential"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("case type")
        verbose_name_plural = _("case types")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=CaseKind.values), name="casetype_kind_valid"),
            models.CheckConstraint(condition=Q(norm_unit__in=NormUnit.values), name="casetype_norm_unit_valid"),
            models.CheckConstraint(condition=Q(norm_days__gt=0), name="casetype_norm_positive"),
            models.CheckConstraint(condition=Q(warning_days__lt=F("norm_days")), name="casetype_warning_within_norm"),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def clean(self):
        errors = {}
        if self.default_group_id is not None and not self.default_group.active:
            errors["default_group"] = [_("This handler group is inactive.")]
        if self.default_group_id is None and not HandlerGroup.objects.filter(is_kcc=True, active=True).exists():
            errors["default_group"] = [_("Choose a default group: there is no KCC to fall back on.")]
        if self.norm_days is not None and self.warning_days is not None and self.warning_days >= self.norm_days:
            errors["warning_days"] = [_("The warning threshold must be shorter than the norm.")]
        if errors:
            raise ValidationError(errors)


class RoutingRule(models.Model):
    """Sends a new case to a handler group; rules are tried in order and the first match wins.

    Every criterion that is filled in must match; empty criteria match anything.
    """

    order = models.PositiveIntegerField(_("order"), default=100)
    case_type = models.ForeignKey(
        CaseType,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="routing_rules",
        verbose_name=_("case type"),
    )
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    keyword = models.CharField(_("keyword in the description"), max_length=100, blank=True)
    ipdc_product_id = models.CharField(_("IPDC product id"), max_length=50, blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, blank=True)
    handler_group = models.ForeignKey(
        HandlerGroup, on_delete=models.PROTECT, related_name="routing_rules", verbose_name=_("handler group")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(channel__in=[*Channel.values, ""]), name="routingrule_channel_valid"),
        ]
        indexes = [models.Index(fields=["active", "order"], name="routingrule_active_order_idx")]

    def __str__(self):
        criteria = [
            str(v) for v in (self.case_type, self.postal_code, self.keyword, self.ipdc_product_id, self.channel) if v
        ]
        return f"{self.order}: {' + '.join(criteria) or _('anything')} → {self.handler_group}"
