from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.serializers import CaseInputSerializer
from midoffice.serializers import CachedModelSerializer

from .identifiers import (
    clean_association_code,
    clean_email,
    clean_enterprise_number,
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


class AddressSerializer(serializers.Serializer):
    street = serializers.CharField(max_length=200)
    house_number = serializers.CharField(max_length=20, required=False, allow_blank=True)
    box = serializers.CharField(max_length=20, required=False, allow_blank=True)
    postal_code = serializers.CharField(max_length=10, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100)
    country = serializers.CharField(max_length=2, required=False, allow_blank=True, default="BE")


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


class ContactPointInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ContactPointKind.choices)
    value = serializers.CharField(required=False, allow_blank=True, help_text="E-mail address or phone number.")
    address = AddressSerializer(required=False, help_text="For kind address.")
    preferred = serializers.BooleanField(default=False)
    label = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        kind = attrs["kind"]
        try:
            if kind == ContactPointKind.EMAIL:
                attrs["value"] = clean_email(attrs.get("value", ""))
            elif kind == ContactPointKind.PHONE:
                attrs["value"] = clean_phone(attrs.get("value", ""))
            elif not attrs.get("address"):
                raise serializers.ValidationError({"address": ["A postal address needs its address fields."]})
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"value": exc.messages}) from exc
        return attrs


class RepresentativeSerializer(CachedModelSerializer):
    person = serializers.PrimaryKeyRelatedField(queryset=Party.objects.filter(merged_into__isnull=True))
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


class PartyDataSerializer(serializers.Serializer):
    """What a caller knows about a party; used to create one or to resolve one."""

    kind = serializers.ChoiceField(choices=PartyKind.choices, required=False)
    given_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    family_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    birth_date = serializers.DateField(required=False, allow_null=True)
    national_number = CleanedCharField(clean_national_number, help_text="INSZ (national or BIS number).")
    enterprise_number = CleanedCharField(clean_enterprise_number, help_text="KBO enterprise number.")
    association_code = CleanedCharField(clean_association_code, help_text="Verenigingsloket vCode.")
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    preferred_channel = serializers.ChoiceField(choices=PreferredChannel.choices, required=False, allow_blank=True)
    email = CleanedCharField(clean_email, help_text="Becomes (or is) the preferred e-mail address.")
    phone = CleanedCharField(clean_phone, help_text="Any notation; stored as E.164, region BE by default.")
    address = AddressSerializer(required=False, help_text="Becomes the preferred postal address.")


class PartyCreateSerializer(PartyDataSerializer):
    contact_points = ContactPointInputSerializer(many=True, required=False)
    representatives = RepresentativeSerializer(many=True, required=False)


class PartySearchSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, help_text="Name, INSZ, KBO, vCode, e-mail or phone.")
    national_number = serializers.CharField(required=False, allow_blank=True)
    enterprise_number = serializers.CharField(required=False, allow_blank=True)
    association_code = serializers.CharField(required=False, allow_blank=True)
    email = serializers.CharField(required=False, allow_blank=True)
    phone = serializers.CharField(required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=PartyKind.choices, required=False)
    include_merged = serializers.BooleanField(required=False, default=False, help_text="Include tombstones.")


class MergeSerializer(serializers.Serializer):
    duplicate = serializers.IntegerField(help_text="Id of the party to merge into this one.")


class PartyMergeResultSerializer(serializers.Serializer):
    merge = serializers.IntegerField(source="pk")
    merged_at = serializers.DateTimeField()
    duplicate = serializers.IntegerField(source="duplicate_id")
    moved = serializers.JSONField()
    survivor = PartySerializer()


class DuplicateReasonSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=["same_email", "same_phone", "similar_name_same_birth_date", "similar_name"])
    weight = serializers.IntegerField()
    value = serializers.CharField(required=False)
    similarity = serializers.FloatField(required=False)


class DuplicateSuggestionSerializer(serializers.Serializer):
    party = PartySerializer()
    score = serializers.IntegerField()
    reasons = DuplicateReasonSerializer(many=True)


class TimelineEntrySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["contact", "case", "notification", "merge"])
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    title = serializers.CharField()
    detail = serializers.DictField()


class ContactSerializer(CachedModelSerializer):
    party_display_name = serializers.CharField(source="party.display_name", read_only=True, default=None)
    handled_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
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
            "created_at",
        ]
        read_only_fields = fields

    def get_case(self, contact) -> str | None:
        # contact_list prefetches the cases; a freshly logged contact carries the case it opened.
        cases = list(contact.cases.all())
        return cases[0].reference if cases else None


class ContactCreateSerializer(serializers.Serializer):
    party = serializers.PrimaryKeyRelatedField(queryset=Party.objects.all(), required=False, allow_null=True)
    party_data = PartyDataSerializer(required=False, help_text="Resolved to an existing party or created.")
    anonymous = serializers.BooleanField(default=False)
    channel = serializers.ChoiceField(choices=Channel.choices)
    source = serializers.ChoiceField(choices=Source.choices, default=Source.STAFF)
    direction = serializers.ChoiceField(choices=Direction.choices, default=Direction.INBOUND)
    occurred_at = serializers.DateTimeField(required=False)
    started_at = serializers.DateTimeField(required=False, allow_null=True)
    subject = serializers.CharField(max_length=200)
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    outcome = serializers.ChoiceField(choices=Outcome.choices, required=False, allow_blank=True, default="")
    guided = serializers.BooleanField(default=False)
    handled_by = serializers.SlugRelatedField(
        slug_field="username", queryset=get_user_model().objects.filter(is_active=True), required=False
    )
    case = CaseInputSerializer(required=False, help_text="A case to open from this contact, registered at its time.")


class ContactFilterSerializer(serializers.Serializer):
    party = serializers.IntegerField(required=False)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    source = serializers.ChoiceField(choices=Source.choices, required=False)


class RepresentativeUpdateSerializer(serializers.Serializer):
    role = serializers.CharField(max_length=100, required=False)
    valid_from = serializers.DateField(required=False, allow_null=True)
    valid_until = serializers.DateField(required=False, allow_null=True)


class AccessLogSerializer(serializers.ModelSerializer):
    party_display_name = serializers.CharField(source="party.display_name", read_only=True)

    class Meta:
        model = AccessLog
        fields = ["id", "username", "user", "party", "party_display_name", "via", "accessed_at"]
        read_only_fields = fields


class AccessLogFilterSerializer(serializers.Serializer):
    party = serializers.IntegerField(required=False)
    username = serializers.CharField(required=False)
