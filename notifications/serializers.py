from rest_framework import serializers

from midoffice.serializers import ID_MAX, CachedModelSerializer, CleanCharField, Serializer

from .models import Notification, Status


class NotificationSerializer(CachedModelSerializer):
    case = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    party_display_name = serializers.CharField(
        source="party.display_name", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Notification
        fields = [
            "id",
            "case",
            "party",
            "party_display_name",
            "backend",
            "webhook",
            "kind",
            "recipient",
            "language",
            "status",
            "attempts",
            "next_attempt_at",
            "last_error",
            "idempotency_key",
            "created_at",
            "sent_at",
            "read_at",
        ]
        read_only_fields = fields


class NotificationFilterSerializer(Serializer):
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    case = CleanCharField(max_length=20, required=False, help_text="A case reference.")
    party = serializers.IntegerField(required=False, min_value=1, max_value=ID_MAX)
