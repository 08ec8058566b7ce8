from rest_framework import serializers

from contacts.models import Channel, Source
from contacts.serializers import PartyDataSerializer
from midoffice.serializers import AwareDateTimeField, CleanCharField, Serializer

from .services import DESCRIPTION_MAX_LENGTH, SUBJECT_MAX_LENGTH

PUBLIC_SOURCES = [(value, label) for value, label in Source.choices if value != Source.STAFF]


class IntakeSerializer(Serializer):
    """A citizen's submission; as JSON, or as multipart with ``attachments`` (``party_data.email`` and so on for
    the party's fields)."""

    channel = serializers.ChoiceField(
        choices=Channel.choices,
        required=False,
        help_text="Service clients (required): one the client may report. A signed-in citizen: `website`.",
    )
    source = serializers.ChoiceField(
        choices=PUBLIC_SOURCES,
        required=False,
        help_text="Service clients (required): one the client may report. A signed-in citizen: `web_form`.",
    )
    party_data = PartyDataSerializer(
        required=False,
        help_text="What the citizen told: resolved to their record (or a new one). Not for a signed-in citizen.",
    )
    anonymous = serializers.BooleanField(default=False, help_text="No party: the citizen stays anonymous.")
    case_type = serializers.CharField(
        max_length=50, required=False, allow_blank=True, default="", help_text="Code of a public case type."
    )
    answered = serializers.BooleanField(
        default=False, help_text="The client answered the question itself: a contact only, no case_type."
    )
    subject = CleanCharField(
        max_length=SUBJECT_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="The description's first line by default.",
    )
    description = CleanCharField(max_length=DESCRIPTION_MAX_LENGTH)
    postal_code = CleanCharField(max_length=10, required=False, allow_blank=True, default="")
    location = CleanCharField(
        max_length=300, required=False, allow_blank=True, default="", help_text="Address or place."
    )
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False, allow_null=True
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-180, max_value=180, required=False, allow_null=True
    )
    started_at = AwareDateTimeField(
        required=False, allow_null=True, help_text="When the citizen began the form or the conversation."
    )
    attachments = serializers.ListField(
        child=serializers.FileField(max_length=200, allow_empty_file=True),
        required=False,
        default=list,
        help_text="Files (multipart only); their number, size and types are limited by the installation.",
    )

    def validate(self, attrs):
        errors = {}
        if (attrs.get("latitude") is None) != (attrs.get("longitude") is None):
            errors["longitude"] = ["Give both latitude and longitude, or neither."]
        if self.context.get("citizen"):
            attrs.setdefault("channel", Channel.WEBSITE)
            attrs.setdefault("source", Source.WEB_FORM)
        else:
            missing = [field for field in ("channel", "source") if field not in attrs]
            errors.update((field, [self.error_messages["required"]]) for field in missing)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class IntakeResultSerializer(Serializer):
    reference = serializers.CharField(allow_null=True, help_text="The case's reference; null for an answered question.")
    tracking_code = serializers.CharField(allow_null=True, help_text="The citizen's secret for the status look-up.")
    expected_date = serializers.DateField(allow_null=True, help_text="The due date, in Brussels.")
    handler_group = serializers.CharField(allow_null=True, help_text="The public name of who handles it.")
    contact = serializers.IntegerField(help_text="The contact's id.")


class StatusQuerySerializer(Serializer):
    code = serializers.CharField(max_length=32, help_text="The tracking code the citizen received.")
    channel = serializers.ChoiceField(
        choices=Channel.choices, required=False, help_text="Service clients: the channel asked through."
    )
    source = serializers.ChoiceField(
        choices=PUBLIC_SOURCES, required=False, help_text="Service clients: the source asked through."
    )
    started_at = AwareDateTimeField(required=False, allow_null=True, help_text="When the citizen began asking.")


class PublicMessageSerializer(Serializer):
    at = serializers.DateTimeField()
    text = serializers.CharField()


class CaseStatusSerializer(Serializer):
    reference = serializers.CharField()
    case_type = serializers.CharField(help_text="Its name in the language asked (Accept-Language: nl, fr or en).")
    state = serializers.CharField(help_text="The state's public label.")
    messages = PublicMessageSerializer(many=True, help_text="What the city told the citizen, oldest first.")
    expected_date = serializers.DateField(allow_null=True, help_text="The due date, while the case is open.")
    waiting_for_citizen = serializers.BooleanField()
