from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from midoffice.admin import ReadOnlyAdmin

from .models import AuthMethod, InboundAttachment, InboundMail, Mailbox
from .services import mailbox_save


class MailboxForm(forms.ModelForm):
    """The password and the client secret are write-only: typed in, stored encrypted, never shown back."""

    password = forms.CharField(
        label=_("password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the stored password."),
    )
    client_secret = forms.CharField(
        label=_("OAuth2 client secret"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the stored secret."),
    )

    # A token endpoint is reached over HTTPS: typed without a scheme, it gets https (Django 6's default too).
    oauth_token_url = forms.URLField(
        label=_("OAuth2 token endpoint"),
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text=_("e.g. https://login.microsoftonline.com/<tenant id>/oauth2/v2.0/token"),
    )

    class Meta:
        model = Mailbox
        fields = (
            "name",
            "address",
            "active",
            "host",
            "port",
            "use_tls",
            "username",
            "auth_method",
            "oauth_token_url",
            "oauth_client_id",
            "oauth_scope",
            "folder",
            "processed_action",
            "processed_keyword",
            "processed_folder",
            "default_case_type",
            "default_group",
        )

    def clean(self):
        cleaned = super().clean()
        method = cleaned.get("auth_method")
        stored = self.instance
        if method == AuthMethod.PASSWORD and not cleaned.get("password") and not stored.password_encrypted:
            self.add_error("password", _("A mailbox signing in with a password needs one."))
        if method == AuthMethod.XOAUTH2:
            for field in ("oauth_token_url", "oauth_client_id"):
                if not cleaned.get(field):
                    self.add_error(field, _("Signing in with OAuth2 needs this."))
            if not cleaned.get("client_secret") and not stored.oauth_client_secret_encrypted:
                self.add_error("client_secret", _("Signing in with OAuth2 needs this."))
        return cleaned


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = ("name", "address", "host", "folder", "default_case_type", "default_group", "active", "last_error")
    list_filter = ("active",)
    readonly_fields = ("last_polled_at", "last_error", "failures", "next_poll_at")

    def save_model(self, request, obj, form, change):
        mailbox_save(
            actor=request.user,
            mailbox=obj,
            password=form.cleaned_data.get("password"),
            client_secret=form.cleaned_data.get("client_secret"),
        )


class InboundAttachmentInline(admin.TabularInline):
    model = InboundAttachment
    extra = 0
    can_delete = False
    fields = ("filename", "content_type", "size", "file")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(InboundMail)
class InboundMailAdmin(ReadOnlyAdmin):
    """Read-only: the poller records every mail it took, and what became of it."""

    list_display = ("received_at", "mailbox", "sender", "subject", "status", "case")
    list_filter = ("status", "mailbox")
    list_select_related = ("mailbox", "case")
    search_fields = ("sender", "subject", "=message_id")
    date_hierarchy = "received_at"
    inlines = [InboundAttachmentInline]
