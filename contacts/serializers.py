from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from midoffice.serializers import (
    ID_MAX,
    AwareDateTimeField,
    CachedModelSerializer,
    CleanCharField,
    Serializer,
    SlugRelatedField,
)
from midoffice.text import TEXT_MAX_LENGTH

from .identifiers import (
    clean_association_code,
    clean_email,
    clean_enterprise_number,
    clean_name,
    clean_national_number,
    clean_phone,
)
from .models import (
    AccessLog,
    Channel,
    Contact,
    ContactPoint,
    ContactPointKind,
    Direction,
    Language,
    Outcome,
    Party,
    PartyKind,
    PreferredChannel,
    Representative,
    Source,
)


class CleanedCharField(serializers.CharField):
    """A char field whose value is checked and compacted by one of ``identifiers.clean_*``."""

    def __init__(self, cleaner, **kwargs):
        self.cleaner = cleaner
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not value:
            return None
        try:
            return self.cleaner(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc


class NameField(serializers.CharField):
    """A name as ``identifiers.clean_name`` stores it: invisible and control characters removed first (so the
    length is that of what is stored), a name of nothing but those refused."""

    def run_validation(self, data=serializers.empty):
        if isinstance(data, str):
            try:
                data = clean_name(data)
            except DjangoValidationError as exc:
                raise serializers.ValidationError(exc.messages) from exc
        return super().run_validation(data)


# What people type for an identifier or phone number, separators included; the compact form is shorter.
TYPED_NUMBER_LENGTH = 32
# RFC 3696: an e-mail address has at most 320 characters.
EMAIL_LENGTH = 320


class AddressSerializer(Serializer):
    """The shape of an address; the service says what an address needs (a street and a city)."""

    street = serializers.CharField(max_length=200, required=False, allow_blank=True)
    house_number = serializers.CharField(max_length=20, required=False, allow_blank=True)
    box = serializers.CharField(max_length=20, required=False, allow_blank=True)
    postal_code = serializers.CharField(max_length=10, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    country = serializers.CharField(
        max_length=2, required=False, allow_blank=True, default="BE", help_text="ISO 3166 code, BE when left out."
    )


class ContactPointSerializer(CachedModelSerializer):
    class Meta:
        model = ContactPoint
        fields = [
            "id",
            "kind",
            "value",
            "display_value",
            "street",
            "house_number",
            "box",
            "postal_code",
            "city",
            "country",
            "label",
            "preferred",
        ]


class ContactPointInputSerializer(Serializer):
    """The shape of a contact point; ``services.contact_point_add`` checks and normalises it."""

    kind = serializers.ChoiceField(choices=ContactPointKind.choices)
    value = serializers.CharField(
        max_length=EMAIL_LENGTH, required=False, allow_blank=True, help_text="E-mail address or phone number."
    )
    address = AddressSerializer(required=False, help_text="For kind address.")
    preferred = serializers.BooleanField(default=False)
    label = NameField(max_length=50, required=False, allow_blank=True, default="")


class RepresentativeSerializer(CachedModelSerializer):
    # Any party: the service says why a tombstone or an organisation cannot represent, as the admin does.
    person = serializers.PrimaryKeyRelatedField(queryset=Party.objects.all())
    person_name = serializers.CharField(source="person.display_name", read_only=True)

    class Meta:
        model = Representative
        fields = ["id", "person", "person_name", "role", "valid_from", "valid_until"]


def _preferred(party: Party, kind: str) -> ContactPoint | None:
    # Reads the prefetched contact points: no query per party.
    return next((p for p in party.contact_points.all() if p.kind == kind and p.preferred), None)


class PartySerializer(CachedModelSerializer):
    """A party as integrators read it; ``email``/``phone``/``address`` are the preferred ones."""

    display_name = serializers.CharField(read_only=True)
    national_number_formatted = serializers.CharField(read_only=True)
    enterprise_number_formatted = serializers.CharField(read_only=True)
    email = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    address = serializers.SerializerMethodField()
    contact_points = ContactPointSerializer(many=True, read_only=True)
    representatives = serializers.SerializerMethodField()

    class Meta:
        model = Party
        fields = [
            "id",
            "kind",
            "display_name",
            "given_name",
            "family_name",
            "birth_date",
            "name",
            "national_number",
            "national_number_formatted",
            "enterprise_number",
            "enterprise_number_formatted",
            "association_code",
            "language",
            "preferred_channel",
            "email",
            "phone",
            "address",
            "contact_points",
            "representatives",
            "merged_into",
            "merged_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(RepresentativeSerializer(many=True))
    def get_representatives(self, party) -> list:
        if party.kind == PartyKind.PERSON:
            return []  # only organisations and associations have representatives: no query for a person
        return RepresentativeSerializer(party.representatives.all(), many=True, context=self.context).data

    def get_email(self, party) -> str | None:
        point = _preferred(party, ContactPointKind.EMAIL)
        return point.value if point else None

    def get_phone(self, party) -> str | None:
        point = _preferred(party, ContactPointKind.PHONE)
        return point.value if point else None

    def get_address(self, party) -> str | None:
        point = _preferred(party, ContactPointKind.ADDRESS)
        return point.value if point else None


class PartyDataSerializer(Serializer):
    """What a caller knows about a party; used to create one or to resolve one."""

    kind = serializers.ChoiceField(choices=PartyKind.choices, required=False)
    given_name = NameField(max_length=100, required=False, allow_blank=True)
    family_name = NameField(max_length=100, required=False, allow_blank=True)
    name = NameField(max_length=200, required=False, allow_blank=True)
    birth_date = serializers.DateField(
        required=False, allow_null=True, help_text="From 1900-01-01; must agree with the INSZ where it encodes one."
    )
    national_number = CleanedCharField(
        clean_national_number, max_length=TYPED_NUMBER_LENGTH, help_text="INSZ (national or BIS number)."
    )
    enterprise_number = CleanedCharField(
        clean_enterprise_number, max_length=TYPED_NUMBER_LENGTH, help_text="KBO enterprise number."
    )
    association_code = CleanedCharField(
        clean_association_code, max_length=TYPED_NUMBER_LENGTH, help_text="Verenigingsloket vCode."
    )
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    preferred_channel = serializers.ChoiceField(choices=PreferredChannel.choices, required=False, allow_blank=True)
    email = CleanedCharField(
        clean_email, max_length=EMAIL_LENGTH, help_text="Becomes (or is) the preferred e-mail address."
    )
    phone = CleanedCharField(
        clean_phone, max_length=TYPED_NUMBER_LENGTH, help_text="Any notation; stored as E.164, region BE by default."
    )
    address = AddressSerializer(required=False, help_text="Becomes the preferred postal address.")


class PartyCreateSerializer(PartyDataSerializer):
    contact_points = ContactPointInputSerializer(many=True, required=False)
    representatives = RepresentativeSerializer(many=True, required=False)


class PartySearchSerializer(Serializer):
    q = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="Name, INSZ, KBO, vCode, e-mail or phone."
    )
    national_number = serializers.CharField(max_length=TYPED_NUMBER_LENGTH, required=False, allow_blank=True)
    enterprise_number = serializers.CharField(max_length=TYPED_NUMBER_LENGTH, required=False, allow_blank=True)
    association_code = serializers.CharField(max_length=TYPED_NUMBER_LENGTH, required=False, allow_blank=True)
    email = serializers.CharField(max_length=EMAIL_LENGTH, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=TYPED_NUMBER_LENGTH, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=PartyKind.choices, required=False)
    include_merged = serializers.BooleanField(required=False, default=False, help_text="Include tombstones.")


class MergeSerializer(Serializer):
    duplicate = serializers.IntegerField(help_text="Id of the party to merge into this one.")


class PartyMergeResultSerializer(Serializer):
    merge = serializers.IntegerField(source="pk")
    merged_at = serializers.DateTimeField()
    duplicate = serializers.IntegerField(source="duplicate_id")
    moved = serializers.JSONField()
    survivor = PartySerializer()


class DuplicateReasonSerializer(Serializer):
    code = serializers.ChoiceField(choices=["same_email", "same_phone", "similar_name_same_birth_date", "similar_name"])
    weight = serializers.IntegerField()
    value = serializers.CharField(required=False)
    similarity = serializers.FloatField(required=False)


class DuplicateSuggestionSerializer(Serializer):
    party = PartySerializer()
    score = serializers.IntegerField()
    reasons = DuplicateReasonSerializer(many=True)


class TimelineEntrySerializer(Serializer):
    kind = serializers.ChoiceField(choices=["contact", "case", "notification", "merge"])
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    title = serializers.CharField()
    detail = serializers.DictField()


class ContactSerializer(CachedModelSerializer):
    """A contact as ``contact_queryset_for_user`` gives it: the subject and summary of a contact that opened a
    case the caller may not see are withheld (``restricted``), and only cases they may see are named."""

    party_display_name = serializers.CharField(
        source="party.display_name", read_only=True, default=None, allow_null=True
    )
    handled_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    restricted = serializers.BooleanField(
        read_only=True, help_text="The contact opened a case you may not see: its subject and summary are withheld."
    )
    subject = serializers.SerializerMethodField()
    summary = serializers.SerializerMethodField()
    case = serializers.SerializerMethodField(help_text="Reference of the case opened from this contact.")

    class Meta:
        model = Contact
        fields = [
            "id",
            "party",
            "party_display_name",
            "anonymous",
            "matched_on",
            "channel",
            "source",
            "direction",
            "occurred_at",
            "started_at",
            "subject",
            "summary",
            "outcome",
            "guided",
            "handled_by",
            "case",
            "restricted",
            "created_at",
        ]
        read_only_fields = fields

    def get_subject(self, contact) -> str:
        return "" if contact.restricted else contact.subject

    def get_summary(self, contact) -> str:
        return "" if contact.restricted else contact.summary

    def get_case(self, contact) -> str | None:
        return contact.visible_cases[0].reference if contact.visible_cases else None


class ContactCreateSerializer(Serializer):
    party = serializers.PrimaryKeyRelatedField(queryset=Party.objects.all(), required=False, allow_null=True)
    party_data = PartyDataSerializer(required=False, help_text="Resolved to an existing party or created.")
    anonymous = serializers.BooleanField(default=False)
    channel = serializers.ChoiceField(choices=Channel.choices)
    source = serializers.ChoiceField(choices=Source.choices, default=Source.STAFF)
    direction = serializers.ChoiceField(choices=Direction.choices, default=Direction.INBOUND)
    occurred_at = AwareDateTimeField(required=False)
    started_at = AwareDateTimeField(required=False, allow_null=True)
    subject = CleanCharField(max_length=200)
    summary = CleanCharField(max_length=TEXT_MAX_LENGTH, required=False, allow_blank=True, default="")
    outcome = serializers.ChoiceField(choices=Outcome.choices, required=False, allow_blank=True, default="")
    guided = serializers.BooleanField(default=False)
    handled_by = SlugRelatedField(
        slug_field="username", queryset=get_user_model().objects.filter(is_active=True), required=False
    )


class ContactFilterSerializer(Serializer):
    party = serializers.IntegerField(required=False, min_value=1, max_value=ID_MAX)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    source = serializers.ChoiceField(choices=Source.choices, required=False)


class RepresentativeUpdateSerializer(Serializer):
    role = NameField(max_length=100, required=False)
    valid_from = serializers.DateField(required=False, allow_null=True)
    valid_until = serializers.DateField(required=False, allow_null=True)


class AccessLogSerializer(serializers.ModelSerializer):
    party_display_name = serializers.CharField(source="party.display_name", read_only=True)

    class Meta:
        model = AccessLog
        fields = ["id", "username", "user", "party", "party_display_name", "via", "accessed_at"]
        read_only_fields = fields


class AccessLogFilterSerializer(Serializer):
    party = serializers.IntegerField(required=False)
    username = serializers.CharField(max_length=150, required=False)


class HistoryEntrySerializer(Serializer):
    """One change: who, when, what (``object_type`` and ``object_id``), and each changed field's [old, new]."""

    ACTIONS = {
        LogEntry.Action.CREATE: "create",
        LogEntry.Action.UPDATE: "update",
        LogEntry.Action.DELETE: "delete",
    }

    id = serializers.IntegerField()
    at = serializers.DateTimeField(source="timestamp")
    actor = serializers.CharField(source="actor.username", default=None, allow_null=True, help_text="null: the system.")
    action = serializers.SerializerMethodField()
    object_type = serializers.ChoiceField(
        source="content_type.model", choices=["party", "contactpoint", "representative", "contact"]
    )
    object_id = serializers.IntegerField()
    object_repr = serializers.CharField(help_text="The row as it read after the change.")
    changes = serializers.DictField(
        child=serializers.ListField(min_length=2, max_length=2),
        help_text="Field name → [old value, new value]; foreign keys as ids.",
    )

    def get_action(self, entry) -> str:
        return self.ACTIONS[entry.action]
