"""Audit trails: read-only for everybody, superusers too."""

import json

from django.contrib import admin
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from contacts.models import (
    AccessLog,
    PartyMerge,
)
from midoffice.admin import ReadOnlyAdmin


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ("accessed_at", "username", "party", "via")
    list_filter = ("via", ("accessed_at", admin.DateFieldListFilter))
    list_select_related = ("party",)
    search_fields = ("username", "party__id__exact")
    search_help_text = _("User name or party number.")
    show_full_result_count = False


@admin.register(PartyMerge)
class PartyMergeAdmin(ReadOnlyAdmin):
    list_display = ("merged_at", "duplicate", "survivor", "actor")
    list_filter = (("merged_at", admin.DateFieldListFilter),)
    list_select_related = ("duplicate", "survivor", "actor")
    search_fields = ("survivor__id__exact", "duplicate__id__exact")
    search_help_text = _("Party number of the survivor or of the duplicate.")
    fields = ("merged_at", "duplicate", "survivor", "actor", "moved_formatted")
    readonly_fields = fields

    @admin.display(description=_("what moved"))
    def moved_formatted(self, merge):
        return format_html(
            "<pre>{}</pre>",
            json.dumps(merge.moved, indent=2, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder),
        )
