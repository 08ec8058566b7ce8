import django_fsm
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import Channel, Source

from .workflow import FINAL_STATES, OPEN_STATES, RUNNING_STATES, WORKFLOW, CaseChange, CaseState


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


def all_notification_kinds() -> list[str]:
    return list(CaseChange.values)


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
    notify_kinds = models.JSONField(
        _("notify the citizen of"),
        default=all_notification_kinds,
        blank=True,
        help_text=_("The case changes the citizen is told about."),
    )
    ipdc_product_id = models.CharField(_("IPDC product id"), max_length=50, blank=True)
    confidential = models.BooleanField(_("confidential"), default=False)
    active = models.BooleanField(_("active"), default=True)
    # The public channels (public/): what the web form and the virtual assistant may open, and what they show.
    name_fr = models.CharField(_("name (French)"), max_length=200, blank=True, help_text=_("Shown to citizens."))
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True, help_text=_("Shown to citizens."))
    public = models.BooleanField(
        _("public"),
        default=True,
        help_text=_("Citizens may submit it through the web form, the virtual assistant and other public channels."),
    )
    location_required = models.BooleanField(
        _("location required"), default=False, help_text=_("A submission through a public channel must say where.")
    )
    resume_on_citizen_reply = models.BooleanField(
        _("resume on the citizen's reply"),
        default=True,
        help_text=_("A case waiting for the citizen resumes by itself when they answer."),
    )
    about_unanswered_question = models.BooleanField(
        _("about an unanswered question"),
        default=False,
        help_text=_("A complaint that a question was not answered (counted by the KPI unanswered complaints)."),
    )

    class Meta:
        verbose_name = _("case type")
        verbose_name_plural = _("case types")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=CaseKind.values), name="casetype_kind_valid"),
            models.CheckConstraint(condition=Q(norm_unit__in=NormUnit.values), name="casetype_norm_unit_valid"),
            models.CheckConstraint(condition=Q(norm_days__gt=0), name="casetype_norm_positive"),
            models.CheckConstraint(condition=Q(warning_days__lt=F("norm_days")), name="casetype_warning_within_norm"),
            models.CheckConstraint(
                condition=Q(about_unanswered_question=False) | Q(kind=CaseKind.COMPLAINT),
                name="casetype_unanswered_only_complaints",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def public_name(self, language: str) -> str:
        """The name citizens read in ``language`` (nl, fr or en); the name itself where no translation is given."""
        return {"fr": self.name_fr, "en": self.name_en}.get(language[:2], "") or self.name

    def clean(self):
        errors = {}
        if self.default_group_id is not None and not self.default_group.active:
            errors["default_group"] = [_("This handler group is inactive.")]
        if self.default_group_id is None and not HandlerGroup.objects.filter(is_kcc=True, active=True).exists():
            errors["default_group"] = [_("Choose a default group: there is no KCC to fall back on.")]
        if self.norm_days is not None and self.warning_days is not None and self.warning_days >= self.norm_days:
            errors["warning_days"] = [_("The warning threshold must be shorter than the norm.")]
        if self.about_unanswered_question and self.kind != CaseKind.COMPLAINT:
            errors["about_unanswered_question"] = [_("Only a complaint can be about an unanswered question.")]
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


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


class Escalation(models.IntegerChoices):
    """How far the chase has escalated a case since its due date was last set."""

    NONE = 0, _("None")
    DUE_SOON = 1, _("Due soon")
    OVERDUE = 2, _("Overdue")


class Case(models.Model):
    """A question, report, suggestion, complaint or request followed until it is answered.

    The transition methods only move the state and stamp the milestones; ``cases.services.case_transition``
    locks the row, checks who may act, validates the required fields and writes the event.
    """

    # Empty only inside the transaction that opens the case: the reference is the row's number.
    reference = models.CharField(_("reference"), max_length=20, null=True, editable=False)  # noqa: DJ001
    tracking_code = models.CharField(
        _("tracking code"), max_length=16, editable=False, help_text=_("Secret the citizen uses to look up the status.")
    )
    case_type = models.ForeignKey(CaseType, on_delete=models.PROTECT, related_name="cases", verbose_name=_("case type"))
    # Foreign keys without their own index are covered by a composite or partial index in Meta: every index
    # of this table is written on each transition.
    party = models.ForeignKey(
        "contacts.Party",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("party"),
        db_index=False,
    )
    contacts = models.ManyToManyField(
        "contacts.Contact", blank=True, related_name="cases", verbose_name=_("originating contacts")
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    handler_group = models.ForeignKey(
        HandlerGroup, on_delete=models.PROTECT, related_name="cases", verbose_name=_("handler group"), db_index=False
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
        verbose_name=_("assignee"),
        db_index=False,
    )
    state = django_fsm.FSMField(_("state"), max_length=16, choices=CaseState.choices, default=CaseState.NEW)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    description = models.TextField(_("description"))
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    location = models.CharField(_("location"), max_length=300, blank=True, help_text=_("Address or place."))
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    confidential = models.BooleanField(_("confidential"), default=False, editable=False)
    registered_at = models.DateTimeField(_("registered at"), help_text=_("When the citizen made contact."))
    due_at = models.DateTimeField(_("due at"))
    warn_at = models.DateTimeField(_("due soon from"))
    paused_at = models.DateTimeField(_("paused since"), null=True, blank=True)
    paused_days = models.PositiveIntegerField(
        _("paused days"), default=0, help_text=_("Days spent waiting for the citizen, in the case type's unit.")
    )
    misdispatched = models.BooleanField(_("misdispatched"), default=False)
    escalation = models.PositiveSmallIntegerField(_("escalation"), choices=Escalation.choices, default=Escalation.NONE)
    admissibility_decided_at = models.DateTimeField(_("admissibility decided at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Stored when the milestone is stamped (cases.services.case_transition), for the KPI reports: the durations
    # depend on the working-day calendar and the paused days, which SQL cannot count portably (docs/reports.md).
    admissibility_working_days = models.PositiveIntegerField(
        _("working days to the admissibility decision"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Registration → admissibility decision in working days, paused days excluded."),
    )
    resolution_days = models.PositiveIntegerField(
        _("days to resolution"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Registration → the latest resolution in the case type's unit, paused days excluded."),
    )
    reopened_at = models.DateTimeField(_("last reopened at"), null=True, blank=True, editable=False)
    returned_to_kcc_at = models.DateTimeField(_("first returned to the KCC at"), null=True, blank=True, editable=False)
    returned_by_group = models.ForeignKey(
        HandlerGroup,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("returned to the KCC by"),
        help_text=_("The handler group that first sent the case back to the KCC as misdispatched."),
        db_index=False,
        editable=False,
    )
    intake_source = models.CharField(
        _("intake source"),
        max_length=20,
        choices=Source.choices,
        default=Source.STAFF,
        editable=False,
        help_text=_("Who registered the contact that opened the case: staff, or the citizen through a public channel."),
    )
    public_message = models.TextField(_("last public message"), blank=True)
    # History imported from the previous system (reports.services.history): final when imported, routed to no one,
    # notified to no one; the previous system's id keeps a history sent again from being counted twice.
    imported = models.BooleanField(
        _("imported"), default=False, editable=False, help_text=_("Imported from the previous system.")
    )
    imported_key = models.CharField(  # noqa: DJ001
        _("key in the previous system"), max_length=100, null=True, blank=True, editable=False
    )
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
        db_index=False,
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        permissions = [
            ("view_all_cases", _("Can see the cases of every handler group (not confidential ones)")),
            ("transition_case", _("Can move cases through the workflow")),
            ("reassign_case", _("Can reassign cases to another handler group")),
        ]
        constraints = [
            # A constraint rather than unique=True: no extra LIKE index on PostgreSQL.
            models.UniqueConstraint(fields=["reference"], name="case_reference_unique"),
            models.CheckConstraint(condition=Q(state__in=CaseState.values), name="case_state_valid"),
            models.CheckConstraint(condition=Q(priority__in=Priority.values), name="case_priority_valid"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="case_channel_valid"),
            models.CheckConstraint(condition=Q(escalation__in=Escalation.values), name="case_escalation_valid"),
            models.CheckConstraint(condition=Q(intake_source__in=Source.values), name="case_intake_source_valid"),
            models.CheckConstraint(condition=Q(due_at__gte=F("registered_at")), name="case_due_after_registration"),
            models.CheckConstraint(condition=Q(warn_at__lte=F("due_at")), name="case_warning_before_due"),
            # The clock is paused exactly while the case waits for the citizen.
            models.CheckConstraint(
                condition=Q(state=CaseState.WAITING, paused_at__isnull=False)
                | (~Q(state=CaseState.WAITING) & Q(paused_at__isnull=True)),
                name="case_paused_while_waiting",
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | Q(resolved_at__gte=F("registered_at")),
                name="case_resolved_after_registration",
            ),
            models.CheckConstraint(
                condition=Q(state__in=[s.value for s in FINAL_STATES], closed_at__isnull=False)
                | (~Q(state__in=[s.value for s in FINAL_STATES]) & Q(closed_at__isnull=True)),
                name="case_closed_at_when_final",
            ),
            models.CheckConstraint(
                condition=Q(state=CaseState.CANCELLED) | Q(duplicate_of__isnull=True),
                name="case_duplicate_only_cancelled",
            ),
            # Partial: only the imported cases are in the index, which every live case's insert leaves alone.
            models.UniqueConstraint(
                fields=["imported_key"], condition=Q(imported_key__isnull=False), name="case_imported_key_unique"
            ),
            models.CheckConstraint(
                condition=Q(imported=True, imported_key__isnull=False) | Q(imported=False, imported_key__isnull=True),
                name="case_imported_has_key",
            ),
        ]
        indexes = [
            # A group's inbox: its open cases by due date. Lists read ids only (index-only scans), then the page.
            models.Index(
                fields=["handler_group", "due_at", "id"],
                condition=Q(state__in=[s.value for s in OPEN_STATES]),
                name="case_open_inbox_idx",
            ),
            # Everyone's open cases by due date (KCC, supervisors), with what visibility filters on.
            models.Index(
                fields=["due_at", "id"],
                include=["handler_group", "confidential"],
                condition=Q(state__in=[s.value for s in OPEN_STATES]),
                name="case_open_due_idx",
            ),
            # The chase: running cases past their warning time that were not escalated that far yet.
            models.Index(
                fields=["warn_at"],
                condition=Q(state__in=[s.value for s in RUNNING_STATES], escalation__lt=Escalation.OVERDUE),
                name="case_chase_idx",
            ),
            # The chase list: overdue and due-soon counts per group, and each group's most overdue cases.
            models.Index(
                fields=["handler_group", "due_at", "id"],
                include=["warn_at", "confidential"],
                condition=Q(state__in=[s.value for s in RUNNING_STATES]),
                name="case_running_group_due_idx",
            ),
            # Automatic close after the reopen window.
            models.Index(fields=["resolved_at"], condition=Q(state=CaseState.RESOLVED), name="case_resolved_idx"),
            # The party's timeline; what visibility filters on is included so counting needs no table reads.
            models.Index(
                fields=["party", "-registered_at"],
                include=["confidential", "handler_group"],
                name="case_party_time_idx",
            ),
            models.Index(
                fields=["duplicate_of"], condition=Q(duplicate_of__isnull=False), name="case_duplicate_of_idx"
            ),
            models.Index(fields=["handler_group", "state", "-registered_at"], name="case_group_state_idx"),
            models.Index(fields=["registered_at"], name="case_registered_idx"),
            # With the state: "my open cases" (every staff page's header) reads only the open ones' entries.
            models.Index(
                fields=["assignee", "state"], condition=Q(assignee__isnull=False), name="case_assignee_state_idx"
            ),
            models.Index(fields=["misdispatched"], condition=Q(misdispatched=True), name="case_misdispatched_idx"),
            # The KPIs of the cases decided and resolved in a period, read from the index alone (the filters'
            # columns included). Partial: a new case (undecided, unresolved) is not in them, so opening one does not
            # write them.
            models.Index(
                fields=["admissibility_decided_at"],
                include=["id", "admissibility_working_days", "case_type", "handler_group", "channel"],
                condition=Q(admissibility_decided_at__isnull=False),
                name="case_decided_kpi_idx",
            ),
            models.Index(
                fields=["resolved_at"],
                include=["id", "state", "resolution_days", "due_at", "case_type", "handler_group", "channel"],
                condition=Q(resolved_at__isnull=False),
                name="case_resolved_kpi_idx",
            ),
            # The cases open at the end of a period: not closed then, so not closed yet (the open states' and the
            # resolved state's indexes) or closed since (this one).
            models.Index(fields=["closed_at"], condition=Q(closed_at__isnull=False), name="case_closed_kpi_idx"),
        ]

    def __str__(self):
        return f"{self.reference}: {self.case_type.name}"

    def forget_uncrossed_escalation(self, now):
        """After the due date moved, a threshold the case is back before may be escalated again; one it
        is still past is not escalated twice."""
        if now > self.due_at:
            crossed = Escalation.OVERDUE
        elif now >= self.warn_at:
            crossed = Escalation.DUE_SOON
        else:
            crossed = Escalation.NONE
        self.escalation = min(self.escalation, crossed)

    # --- the workflow (cases.workflow.WORKFLOW): each method only moves the state and stamps milestones;
    # it receives the moment of the transition from the service.

    @django_fsm.transition(field=state, **WORKFLOW["accept"].fsm)
    def accept(self, *, now):
        self.admissibility_decided_at = now

    @django_fsm.transition(field=state, **WORKFLOW["reject"].fsm)
    def reject(self, *, now):
        self.admissibility_decided_at = self.admissibility_decided_at or now
        self.closed_at = now

    @django_fsm.transition(field=state, **WORKFLOW["start"].fsm)
    def start(self, *, now):
        self.admissibility_decided_at = self.admissibility_decided_at or now

    @django_fsm.transition(field=state, **WORKFLOW["suspend"].fsm)
    def suspend(self, *, now):
        self.paused_at = now

    @django_fsm.transition(field=state, **WORKFLOW["resume"].fsm)
    def resume(self, *, now):
        """The clock restarts; the service has moved the due date on by the days the case waited."""
        self.paused_at = None
        self.forget_uncrossed_escalation(now)

    @django_fsm.transition(field=state, **WORKFLOW["resolve"].fsm)
    def resolve(self, *, now):
        self.admissibility_decided_at = self.admissibility_decided_at or now
        self.resolved_at = now

    @django_fsm.transition(field=state, **WORKFLOW["close"].fsm)
    def close(self, *, now):
        self.closed_at = now

    @django_fsm.transition(field=state, **WORKFLOW["reopen"].fsm)
    def reopen(self, *, now):
        """Open again; ``resolved_at`` and ``resolution_days`` keep the last resolution until the next one."""
        self.closed_at = None
        self.reopened_at = now
        self.forget_uncrossed_escalation(now)

    @django_fsm.transition(field=state, **WORKFLOW["cancel"].fsm)
    def cancel(self, *, now):
        self.paused_at = None
        self.closed_at = now

    @django_fsm.transition(field=state, **WORKFLOW["return_to_kcc"].fsm)
    def return_to_kcc(self, *, now):
        """Misdispatched: back to the KCC's queue to be routed again; the clock keeps running. The first return
        is stamped for good (``misdispatched`` is cleared once the case is routed again)."""
        self.misdispatched = True
        self.assignee = None
        if self.returned_to_kcc_at is None:
            self.returned_to_kcc_at, self.returned_by_group_id = now, self.handler_group_id


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    TRANSITION = "transition", _("Transition")
    NOTE = "note", _("Note")
    REASSIGNMENT = "reassignment", _("Reassignment")
    ESCALATION = "escalation", _("Escalation")
    NOTIFICATION_QUEUED = "notification_queued", _("Notification queued")
    NOTIFICATION_SENT = "notification_sent", _("Notification sent")
    NOTIFICATION_FAILED = "notification_failed", _("Notification failed")
    SURVEY_ANSWER = "survey_answer", _("Survey answer")
    ASSIGNMENT = "assignment", _("Assigned to a handler")
    TYPE_CHANGE = "type_change", _("Case type changed")


class CaseEvent(models.Model):
    """One entry of a case's append-only timeline; written in the transaction of the change it records."""

    # Indexed by caseevent_case_time_idx, which leads with the case.
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="events", verbose_name=_("case"), db_index=False
    )
    kind = models.CharField(_("kind"), max_length=24, choices=EventKind.choices)
    transition = models.CharField(_("transition"), max_length=20, blank=True)
    from_state = models.CharField(_("from state"), max_length=16, choices=CaseState.choices, blank=True)
    to_state = models.CharField(_("to state"), max_length=16, choices=CaseState.choices, blank=True)
    text = models.TextField(_("text"), blank=True)
    public = models.BooleanField(_("public"), default=False, help_text=_("Shown to the citizen."))
    data = models.JSONField(_("data"), default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="case_events",
        verbose_name=_("actor"),
        help_text=_("Empty for the system (automatic close, escalation)."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=EventKind.values), name="caseevent_kind_valid"),
            models.CheckConstraint(
                condition=~Q(kind=EventKind.TRANSITION) | (~Q(from_state="") & ~Q(to_state="")),
                name="caseevent_transition_has_states",
            ),
        ]
        indexes = [models.Index(fields=["case", "-created_at", "-id"], name="caseevent_case_time_idx")]

    def __str__(self):
        return f"{self.case_id} {self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"


class GroupMessageStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, will be retried")
    DEAD = "dead", _("Dead")


GROUP_MESSAGE_DELIVERABLE = (GroupMessageStatus.PENDING, GroupMessageStatus.FAILED)


class GroupMessage(models.Model):
    """An e-mail to a handler group (escalations, a case the citizen reopened) or to one member (cases assigned to
    them), in an outbox like the citizen notifications: retried with back-off until it is sent, dead after too many
    attempts or a refusal."""

    handler_group = models.ForeignKey(
        HandlerGroup, on_delete=models.CASCADE, related_name="messages", verbose_name=_("handler group")
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("recipient"),
        help_text=_("Only this member of the group (a case assigned to them); empty: the whole group."),
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    status = models.CharField(
        _("status"), max_length=8, choices=GroupMessageStatus.choices, default=GroupMessageStatus.PENDING
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message to a handler group")
        verbose_name_plural = _("messages to handler groups")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=GroupMessageStatus.values), name="groupmessage_status_valid"),
            models.CheckConstraint(
                condition=Q(status=GroupMessageStatus.SENT, sent_at__isnull=False)
                | (~Q(status=GroupMessageStatus.SENT) & Q(sent_at__isnull=True)),
                name="groupmessage_sent_at_when_sent",
            ),
        ]
        indexes = [
            # The relay: what is due for delivery, and nothing else.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=[s.value for s in GROUP_MESSAGE_DELIVERABLE]),
                name="groupmessage_deliverable_idx",
            ),
            # The supervisors' daily digest of what went dead.
            models.Index(
                fields=["last_attempt_at"], condition=Q(status=GroupMessageStatus.DEAD), name="groupmessage_dead_idx"
            ),
        ]

    def __str__(self):
        return f"{self.handler_group}: {self.subject}"


class Callback(models.Model):
    """A call-back request ("terugbelnotitie"): someone asked to be called back, by a handler group, before
    ``due_by``."""

    party = models.ForeignKey(
        "contacts.Party",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="callbacks",
        verbose_name=_("party"),
    )
    name = models.CharField(_("name"), max_length=200, blank=True, help_text=_("Who to ask for."))
    phone = models.CharField(_("phone number"), max_length=32, help_text=_("E.164."))
    topic = models.CharField(_("topic"), max_length=1000)
    due_by = models.DateTimeField(_("call back by"))
    handler_group = models.ForeignKey(
        HandlerGroup,
        on_delete=models.PROTECT,
        related_name="callbacks",
        verbose_name=_("handler group"),
        db_index=False,
    )
    contact = models.ForeignKey(
        "contacts.Contact",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="callbacks",
        verbose_name=_("contact"),
        help_text=_("The contact during which the call-back was asked for."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="callbacks_requested",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="callbacks_done",
        verbose_name=_("done by"),
    )
    outcome = models.TextField(_("outcome"), blank=True)

    class Meta:
        verbose_name = _("call-back request")
        verbose_name_plural = _("call-back requests")
        ordering = ["due_by", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(done_at__isnull=True, done_by__isnull=True)
                | Q(done_at__isnull=False, done_by__isnull=False),
                name="callback_done_by_when_done",
            ),
            models.CheckConstraint(
                condition=Q(done_at__isnull=False) | Q(outcome=""), name="callback_outcome_only_when_done"
            ),
            models.CheckConstraint(
                condition=Q(done_at__isnull=True) | Q(done_at__gte=F("created_at")), name="callback_done_after_created"
            ),
            models.CheckConstraint(condition=~Q(phone=""), name="callback_phone_given"),
            models.CheckConstraint(condition=~Q(topic=""), name="callback_topic_given"),
            models.CheckConstraint(condition=Q(party__isnull=False) | ~Q(name=""), name="callback_party_or_name"),
        ]
        indexes = [
            # A group's open call-backs, soonest first.
            models.Index(
                fields=["handler_group", "due_by", "id"],
                condition=Q(done_at__isnull=True),
                name="callback_open_group_due_idx",
            ),
            # Everyone's open call-backs (KCC, supervisors).
            models.Index(fields=["due_by", "id"], condition=Q(done_at__isnull=True), name="callback_open_due_idx"),
            # The done ones of a group, most recent first.
            models.Index(
                fields=["handler_group", "-done_at"], condition=Q(done_at__isnull=False), name="callback_done_idx"
            ),
        ]

    def __str__(self):
        return f"{self.phone}: {self.topic[:50]}"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None
