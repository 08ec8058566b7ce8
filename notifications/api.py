"""The outbox for staff: what was sent to citizens, what failed, and a retry button."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from midoffice.permissions import HasModelPermission, IsStaffMember

from . import selectors, services
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
    )
    def post(self, request, pk: int):
        notification = get_object_or_404(selectors.notification_list_for_user(request.user), pk=pk)
        notification = services.notification_retry(actor=request.user, notification=notification)
        return Response(NotificationSerializer(notification).data)
