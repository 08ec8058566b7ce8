"""The citizen's status page, reached through the link in a notification (a read receipt)."""

from django.shortcuts import render
from django.utils import translation
from django.views import View

from . import selectors, services


class StatusPageView(View):
    """Public: what the city told the citizen about their case, and no personal data."""

    def get(self, request, token: str):
        notification = services.notification_from_token(token)
        if notification is None:
            with translation.override(request.LANGUAGE_CODE or "nl"):
                return render(request, "notifications/status_invalid.html", status=404)
        services.notification_mark_read(notification=notification)
        case = notification.case
        with translation.override(notification.language or "nl"):
            return render(
                request,
                "notifications/status.html",
                {
                    "case": case,
                    "state": case.get_state_display(),
                    "messages": selectors.public_messages(case),
                },
            )
