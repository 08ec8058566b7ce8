from django.contrib import admin

from .models import CaseType, ClosingDay, HandlerGroup, RoutingRule


@admin.register(ClosingDay)
class ClosingDayAdmin(admin.ModelAdmin):
    list_display = ("date", "reason")
    date_hierarchy = "date"
    search_fields = ("reason",)


@admin.register(HandlerGroup)
class HandlerGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "public_name", "email", "is_kcc", "active")
    list_filter = ("is_kcc", "active")
    search_fields = ("name", "public_name", "email")
    filter_horizontal = ("members",)


@admin.register(CaseType)
class CaseTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "default_group", "norm_days", "norm_unit", "confidential", "active")
    list_filter = ("kind", "norm_unit", "confidential", "active", "default_group")
    list_select_related = ("default_group",)
    search_fields = ("code", "name", "ipdc_product_id")


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = (
        "order",
        "case_type",
        "postal_code",
        "keyword",
        "ipdc_product_id",
        "channel",
        "handler_group",
        "active",
    )
    list_display_links = ("handler_group",)
    list_editable = ("order", "active")
    list_filter = ("active", "handler_group", "channel")
    list_select_related = ("case_type", "handler_group")
    search_fields = ("keyword", "postal_code", "case_type__code")
