from django.db import models
from django.utils.translation import gettext_lazy as _


class ClosingDay(models.Model):
    """A day the city's services are closed (besides weekends and public holidays), e.g. a bridge day."""

    date = models.DateField(_("date"), unique=True)
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        verbose_name = _("closing day")
        verbose_name_plural = _("closing days")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.reason}"
