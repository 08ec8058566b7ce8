"""The virtual assistant's statistics: ``POST /api/v1/assistant/sessions/`` (scope ``statistics``)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from contacts.models import Channel
from midoffice.parsers import JSONParser
from midoffice.serializers import AwareDateTimeField, CleanCharField, Serializer

from .auth import HasScope, ServiceClientAuthentication
from .models import AssistantOutcome, AssistantSession, Scope
from .services_assistant import (
    MAX_QUESTIONS,
    MAX_TOPICS,
    QUESTION_MAX_LENGTH,
    SESSION_ID_MAX_LENGTH,
    TOPIC_MAX_LENGTH,
    assistant_session_record,
)
from .throttling import ClientThrottle


class AssistantSessionSerializer(Serializer):
    """The shape of a session report; its limits are the service's (``public.services_assistant``)."""

    session_id = CleanCharField(
        help_text=f"The client's own id of the conversation, unique per client (at most {SESSION_ID_MAX_LENGTH} "
        "characters): a session sent again is answered with the stored one."
    )
    channel = serializers.ChoiceField(choices=Channel.choices, help_text="One the client may report.")
    started_at = AwareDateTimeField()
    ended_at = AwareDateTimeField(help_text="Not before `started_at`, not in the future.")
    signed_in = serializers.BooleanField(help_text="The citizen signed in (ACM/IDM).")
    topics = serializers.ListField(
        child=CleanCharField(),
        default=list,
        help_text=f"At most {MAX_TOPICS}, each at most {TOPIC_MAX_LENGTH} characters.",
    )
    automated_actions = serializers.IntegerField(min_value=0, default=0)
    outcome = serializers.ChoiceField(choices=AssistantOutcome.choices)
    unanswered_questions = serializers.ListField(
        child=CleanCharField(),
        default=list,
        help_text=f"The questions it could not answer: at most {MAX_QUESTIONS}, each at most {QUESTION_MAX_LENGTH} "
        "characters.",
    )


class AssistantSessionResultSerializer(serializers.ModelSerializer):
    unanswered_questions = serializers.SlugRelatedField(many=True, read_only=True, slug_field="text")

    class Meta:
        model = AssistantSession
        fields = [
            "session_id",
            "channel",
            "started_at",
            "ended_at",
            "signed_in",
            "topics",
            "automated_actions",
            "outcome",
            "unanswered_questions",
            "received_at",
        ]
        read_only_fields = fields


class AssistantSessionApi(GenericAPIView):
    authentication_classes = [ServiceClientAuthentication]
    permission_classes = [HasScope(Scope.STATISTICS)]
    throttle_classes = [ClientThrottle("public_assistant_sessions", "PUBLIC_INTAKE_RATE")]
    parser_classes = [JSONParser]
    serializer_class = AssistantSessionSerializer

    @extend_schema(
        summary="Report a virtual-assistant session",
        description="For service clients with the scope `statistics` (`Authorization: ServiceClient <key>`): one "
        "conversation, for the statistics, without personal data. Its unanswered questions go to the web editors, "
        "grouped. Idempotent on `session_id`: a new session answers 201, one the client sent before answers 200 "
        "with what was stored and changes nothing. Refused input (a channel the client may not report, an end "
        "before the start or in the future, too many or too long questions or topics) answers 400 and stores "
        "nothing.",
        request=AssistantSessionSerializer,
        responses={
            201: AssistantSessionResultSerializer,
            200: OpenApiResponse(AssistantSessionResultSerializer, description="Sent before: the stored session."),
        },
    )
    def post(self, request):
        serializer = AssistantSessionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session, created = assistant_session_record(client=request.auth, **serializer.validated_data)
        body = AssistantSessionResultSerializer(session).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
