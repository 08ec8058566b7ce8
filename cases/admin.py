from django.contrib import admin

from .models import ClosingDay


@admin.register(ClosingDay)
class ClosingDayAdmin(admin.ModelAdmin):
    list_display = ("date", "reason")
    date_hierarchy = "date"
    search_fields = ("reason",)
