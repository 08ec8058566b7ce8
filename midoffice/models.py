from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IdempotentRequest(models.Model):
    """The first response to a write sent with an ``Idempotency-Key``: a retry with the same key and body gets
    it again instead of writing twice (the row is written in the transaction of the write itself)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, verbose_name=_("user"))
    endpoint = models.CharField(_("endpoint"), max_length=200)
    key = models.CharField(_("idempotency key"), max_length=255)
    fingerprint = models.CharField(_("body fingerprint"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("status code"))
    response = models.JSONField(_("response"), encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotent request")
        verbose_name_plural = _("idempotent requests")
        constraints = [
            models.UniqueConstraint(fields=["user", "endpoint", "key"], name="idempotentrequest_key_unique"),
        ]

    def __str__(self):
        return f"{self.endpoint} {self.key}"
