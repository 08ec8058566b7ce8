from django.contrib import admin

from cases.access import visible_cases
from cases.models import Case

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: notifications are written with the case change and retried through the API."""

    list_display = ("created_at", "case", "kind", "backend", "recipient", "status", "attempts", "sent_at")
    list_filter = ("status", "backend", "kind")
    list_select_related = ("case", "party")
    search_fields = ("=case__reference", "recipient")
    date_hierarchy = "created_at"
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(case__in=Case.objects.filter(visible_cases(request.user)))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
