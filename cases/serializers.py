from django.contrib.auth import get_user_model
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contacts.models import Channel, Contact, Party
from contacts.serializers import ContactCreateSerializer
from midoffice.serializers import (
    ID_MAX,
    AwareDateTimeField,
    CachedModelSerializer,
    CleanCharField,
    Serializer,
    SlugRelatedField,
)
from midoffice.text import REASON_MAX_LENGTH, TEXT_MAX_LENGTH

from .configuration import configuration
from .deadlines import case_durations, days_waited
from .models import Callback, Case, CaseEvent, CaseState, CaseType, HandlerGroup, Priority
from .selectors import ORDERINGS
from .services import TRANSITIONS, allowed_transitions
from .services.assignment import user_display_name
from .services.callbacks import OUTCOME_MAX_LENGTH
from .workflow import is_due_soon, is_overdue

# Cases assigned in one request.
BULK_MAX = 200


class HandlerGroupSerializer(CachedModelSerializer):
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = HandlerGroup
        fields = ["id", "name", "public_name", "email", "is_kcc", "active", "member_count"]
        read_only_fields = fields


class HandlerGroupRefSerializer(Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    is_kcc = serializers.BooleanField()


class CaseTypeSerializer(CachedModelSerializer):
    default_group = HandlerGroupRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = CaseType
        fields = [
            "code",
            "name",
            "kind",
            "default_group",
            "norm_days",
            "norm_unit",
            "admissibility_step",
            "warning_days",
            "survey_enabled",
            "ipdc_product_id",
            "confidential",
            "active",
        ]
        read_only_fields = fields


class DurationsSerializer(Serializer):
    unit = serializers.CharField(help_text="The case type's unit: working_days or calendar_days.")
    to_admissibility_decision = serializers.IntegerField(allow_null=True)
    to_resolved = serializers.IntegerField(allow_null=True)
    to_closed = serializers.IntegerField(allow_null=True)


class CaseSerializer(CachedModelSerializer):
    """A case as staff see it; ``overdue``, ``due_soon`` and ``paused_days`` are as of the request."""

    case_type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    kind = serializers.CharField(source="case_type.kind", read_only=True)
    case_type_name = serializers.CharField(source="case_type.name", read_only=True)
    party_display_name = serializers.CharField(
        source="party.display_name", read_only=True, default=None, allow_null=True
    )
    handler_group = HandlerGroupRefSerializer(read_only=True)
    assignee = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    duplicate_of = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    overdue = serializers.SerializerMethodField()
    due_soon = serializers.SerializerMethodField()
    paused_days = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "reference",
            "tracking_code",
            "case_type",
            "case_type_name",
            "kind",
            "party",
            "party_display_name",
            "channel",
            "handler_group",
            "assignee",
            "state",
            "priority",
            "description",
            "postal_code",
            "location",
            "latitude",
            "longitude",
            "confidential",
            "registered_at",
            "due_at",
            "overdue",
            "due_soon",
            "paused_days",
            "misdispatched",
            "admissibility_decided_at",
            "resolved_at",
            "closed_at",
            "public_message",
            "duplicate_of",
            "imported",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _now(self):
        if "now" not in self.context:
            self.context["now"] = timezone.now()
        return self.context["now"]

    def get_overdue(self, case) -> bool:
        return is_overdue(case, self._now())

    def get_due_soon(self, case) -> bool:
        return is_due_soon(case, self._now())

    def get_paused_days(self, case) -> int:
        """Days waited so far, including the pause still running."""
        return days_waited(case, self._now())


class CaseDetailSerializer(CaseSerializer):
    allowed_transitions = serializers.SerializerMethodField()
    durations = serializers.SerializerMethodField()
    contacts = serializers.SerializerMethodField(help_text="Ids of the contacts the case came from.")

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "contacts", "allowed_transitions", "durations"]
        read_only_fields = fields

    def get_contacts(self, case) -> list[int]:
        # A case just opened knows its contacts (case_open); any other reads them.
        known = getattr(case, "contact_ids", None)
        return list(known) if known is not None else [contact.pk for contact in case.contacts.all()]

    def get_allowed_transitions(self, case) -> list[str]:
        return allowed_transitions(case, self.context["request"].user)

    @extend_schema_field(DurationsSerializer)
    def get_durations(self, case) -> dict:
        """Registration → milestone in the case type's unit, paused days excluded."""
        return {"unit": case.case_type.norm_unit, **case_durations(case)}


class ActiveCaseTypeField(serializers.SlugRelatedField):
    """An active case type by its code, from the configuration each process keeps (no query)."""

    def to_internal_value(self, data):
        case_type = configuration().case_types.get(str(data))
        if case_type is None:
            self.fail("does_not_exist", slug_name=self.slug_field, value=str(data))
        return case_type


class CaseInputSerializer(Serializer):
    """What opening a case needs; also the inline ``case`` of ``POST /contacts/``."""

    case_type = ActiveCaseTypeField(
        slug_field="code", queryset=CaseType.objects.filter(active=True), help_text="Code of an active case type."
    )
    description = CleanCharField(max_length=TEXT_MAX_LENGTH)
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.NORMAL)
    postal_code = CleanCharField(max_length=10, required=False, allow_blank=True, default="")
    location = CleanCharField(max_length=300, required=False, allow_blank=True, default="")
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False, allow_null=True
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-180, max_value=180, required=False, allow_null=True
    )

    def validate(self, attrs):
        if (attrs.get("latitude") is None) != (attrs.get("longitude") is None):
            raise serializers.ValidationError({"longitude": ["Give both latitude and longitude, or neither."]})
        return attrs


class CaseCreateSerializer(CaseInputSerializer):
    party = serializers.PrimaryKeyRelatedField(queryset=Party.objects.all(), required=False, allow_null=True)
    contact = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.all(),
        required=False,
        allow_null=True,
        help_text="The contact the case comes from: its party, channel and time are taken over.",
    )
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    registered_at = AwareDateTimeField(
        required=False,
        help_text="When the citizen made contact, with its offset, not before `MIDOFFICE_MIN_DATE`; the contact's "
        "time or now by default.",
    )


class TransitionSerializer(Serializer):
    transition = serializers.ChoiceField(choices=TRANSITIONS)
    reason = CleanCharField(
        max_length=REASON_MAX_LENGTH, required=False, allow_blank=True, default="", help_text="Internal."
    )
    public_message = CleanCharField(
        max_length=TEXT_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="What the citizen reads (the answer, the question).",
    )
    duplicate_of = CleanCharField(
        max_length=20,
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="With `cancel`: the reference of the case that continues.",
    )
    handler_group = serializers.PrimaryKeyRelatedField(
        queryset=HandlerGroup.objects.all(),
        required=False,
        allow_null=True,
        help_text="With `reopen`: the group that takes the case up again.",
    )
    version = serializers.IntegerField(
        required=False, help_text="The version the caller saw; an older one is refused with 409."
    )


class ReassignSerializer(Serializer):
    handler_group = serializers.PrimaryKeyRelatedField(queryset=HandlerGroup.objects.all())
    reason = CleanCharField(max_length=REASON_MAX_LENGTH, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False)


class CaseEventSerializer(CachedModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = CaseEvent
        fields = ["id", "kind", "transition", "from_state", "to_state", "text", "public", "data", "actor", "created_at"]
        read_only_fields = fields


class NoteSerializer(Serializer):
    text = CleanCharField(max_length=TEXT_MAX_LENGTH)
    public = serializers.BooleanField(default=False, help_text="Shown to the citizen.")


class CaseFilterSerializer(Serializer):
    state = serializers.MultipleChoiceField(choices=CaseState.choices, required=False)
    open = serializers.BooleanField(required=False, allow_null=True, default=None)
    handler_group = serializers.IntegerField(required=False, min_value=1, max_value=ID_MAX)
    case_type = CleanCharField(max_length=50, required=False)
    party = serializers.IntegerField(required=False, min_value=1, max_value=ID_MAX)
    assignee = CleanCharField(
        max_length=150, required=False, help_text="A username, `me`, or `none` (open, unassigned)."
    )
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None)
    due_soon = serializers.BooleanField(required=False, allow_null=True, default=None)
    misdispatched = serializers.BooleanField(required=False, allow_null=True, default=None)
    ordering = serializers.ChoiceField(choices=list(ORDERINGS), default="due_at")


class OverdueCaseSerializer(Serializer):
    reference = serializers.CharField()
    case_type = serializers.CharField(help_text="Code of the case type.")
    party_display_name = serializers.CharField(allow_null=True)
    state = serializers.CharField()
    assignee = serializers.CharField(allow_null=True, help_text="Username.")
    registered_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()


class GroupChaseSerializer(Serializer):
    handler_group = HandlerGroupRefSerializer()
    overdue = serializers.IntegerField()
    due_soon = serializers.IntegerField()
    oldest = OverdueCaseSerializer(many=True, help_text="The most overdue cases of the group.")


class ContactLogSerializer(ContactCreateSerializer):
    """``POST /contacts/``: a contact, and optionally the case to open from it."""

    case = CaseInputSerializer(required=False, help_text="A case to open from this contact, registered at its time.")


class UserRefSerializer(Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.SerializerMethodField()

    def get_display_name(self, user) -> str:
        return user_display_name(user)


class AssignSerializer(Serializer):
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.all(),
        allow_null=True,
        help_text="The user's id (an active member of the case's handler group; your own to take the case), or null "
        "to unassign it.",
    )
    version = serializers.IntegerField(
        required=False, help_text="The version the caller saw; an older one is refused with 409."
    )


class BulkAssignSerializer(Serializer):
    cases = serializers.ListField(
        child=CleanCharField(max_length=20), min_length=1, max_length=BULK_MAX, help_text="References."
    )
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.all(), allow_null=True, help_text="The user's id, or null to unassign."
    )


class ChangeTypeSerializer(Serializer):
    case_type = SlugRelatedField(
        slug_field="code", queryset=CaseType.objects.all(), help_text="Code of an active case type."
    )
    reason = CleanCharField(max_length=REASON_MAX_LENGTH, required=False, allow_blank=True, default="")
    reroute = serializers.BooleanField(
        default=False, help_text="Let the routing rules choose the handler group again for the new type."
    )
    version = serializers.IntegerField(required=False)


class CaseMergeSerializer(Serializer):
    duplicate = CleanCharField(max_length=20, help_text="Reference of the case to cancel as a duplicate of this one.")
    reason = CleanCharField(max_length=REASON_MAX_LENGTH, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, help_text="The version of this (the surviving) case.")


class CallbackSerializer(CachedModelSerializer):
    party_display_name = serializers.CharField(
        source="party.display_name", read_only=True, default=None, allow_null=True
    )
    handler_group = HandlerGroupRefSerializer(read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    done_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Callback
        fields = [
            "id",
            "party",
            "party_display_name",
            "name",
            "phone",
            "topic",
            "due_by",
            "overdue",
            "handler_group",
            "contact",
            "created_by",
            "created_at",
            "done_at",
            "done_by",
            "outcome",
        ]
        read_only_fields = fields

    def get_overdue(self, callback) -> bool:
        if "now" not in self.context:
            self.context["now"] = timezone.now()
        return callback.done_at is None and callback.due_by < self.context["now"]


class CallbackCreateSerializer(Serializer):
    handler_group = serializers.PrimaryKeyRelatedField(
        queryset=HandlerGroup.objects.all(), help_text="The (active) group that calls back."
    )
    phone = CleanCharField(max_length=50, help_text="Any common notation; stored as E.164.")
    topic = CleanCharField(max_length=Callback._meta.get_field("topic").max_length)
    due_by = AwareDateTimeField(help_text="Call back before this moment (not in the past), with its offset.")
    party = serializers.PrimaryKeyRelatedField(queryset=Party.objects.all(), required=False, allow_null=True)
    name = CleanCharField(
        max_length=Callback._meta.get_field("name").max_length,
        required=False,
        allow_blank=True,
        default="",
        help_text="Whom to ask for; needed without a party.",
    )
    contact = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.all(),
        required=False,
        allow_null=True,
        help_text="The contact during which the call-back was asked for; its party is taken over.",
    )


class CallbackDoneSerializer(Serializer):
    note = CleanCharField(
        max_length=OUTCOME_MAX_LENGTH, required=False, allow_blank=True, default="", help_text="What came of it."
    )


class CallbackFilterSerializer(Serializer):
    open = serializers.BooleanField(default=True, help_text="Only call-backs not done yet (default); false: all.")
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None)
    handler_group = serializers.IntegerField(required=False, min_value=1, max_value=ID_MAX)
