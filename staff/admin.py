from django.contrib import admin

from .models import OidcIdentity


@admin.register(OidcIdentity)
class OidcIdentityAdmin(admin.ModelAdmin):
    """An administrator links a staff account to the ACM/IDM ``sub`` it may sign in with; roles stay the
    account's own."""

    list_display = ["user", "sub", "created_at"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "sub"]
    autocomplete_fields = ["user"]
