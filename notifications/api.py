"""The outbox for staff: what was sent to citizens, what failed, and a retry button."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from midoffice.permissions import HasModelPermission, IsStaffMember
from midoffice.schema import conflict
from midoffice.serializers import Serializer

from . import selectors, services, surveys
from .models import Notification
from .serializers import NotificationFilterSerializer, NotificationSerializer


class NotificationsAPIView(GenericAPIView):
    permission_classes = [IsStaffMember, HasModelPermission]
    queryset = Notification.objects.none()
    serializer_class = NotificationSerializer


class NotificationListApi(NotificationsAPIView):
    required_permissions = {"GET": ["notifications.view_notification"]}

    @extend_schema(
        summary="The outbox",
        description="Notifications of the cases the caller may see, newest first. `status=dead` or "
        "`status=failed` lists what needs attention.",
        parameters=[NotificationFilterSerializer],
        responses=NotificationSerializer(many=True),
    )
    def get(self, request):
        params = NotificationFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        page = self.paginate_queryset(selectors.notification_list_for_user(request.user, **params.validated_data))
        return self.get_paginated_response(NotificationSerializer(page, many=True).data)


class NotificationRetryApi(NotificationsAPIView):
    required_permissions = {"POST": ["notifications.retry_notification"]}

    @extend_schema(
        summary="Send a failed or dead notification again",
        description="It becomes pending and is delivered at once; anything else answers 409.",
        request=None,
        responses={
            200: NotificationSerializer,
            409: conflict("`not_retryable`: only a failed or dead notification (`status`) can be retried."),
        },
    )
    def post(self, request, pk: int):
        notification = get_object_or_404(selectors.notification_list_for_user(request.user), pk=pk)
        notification = services.notification_retry(actor=request.user, notification=notification)
        return Response(NotificationSerializer(notification).data)


class SurveyAnswerSerializer(Serializer):
    answer_score = serializers.IntegerField(min_value=1, max_value=5, help_text="The answer, 1 (bad) to 5 (good).")
    speed_score = serializers.IntegerField(min_value=1, max_value=5, help_text="The speed, 1 to 5.")
    service_score = serializers.IntegerField(min_value=1, max_value=5, help_text="The service, 1 to 5.")
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=surveys.SURVEY_COMMENT_MAX_LENGTH
    )
    reopen = serializers.BooleanField(default=False, help_text="Ask to reopen the case (with a score of 2 or less).")


class PublicSurveyApi(GenericAPIView):
    """For the citizen (no login): the link's token is the authorisation."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [AnonRateThrottle]
    serializer_class = SurveyAnswerSerializer

    @extend_schema(
        summary="Answer a satisfaction survey",
        description="Once per survey, within 14 days of the invitation: an invalid or expired token answers "
        "404 `survey_invalid`, a second answer 409 `survey_answered`, a score outside 1–5 400.",
        request=SurveyAnswerSerializer,
        responses={201: None, 409: conflict("`survey_answered`: the survey was answered already.")},
    )
    def post(self, request, token: str):
        survey = surveys.survey_from_token(token)
        serializer = SurveyAnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        surveys.survey_answer(survey=survey, **serializer.validated_data)
        return Response(status=status.HTTP_201_CREATED)
