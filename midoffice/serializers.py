"""Serializer building blocks shared by the apps."""

import copy
from datetime import datetime, time

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .text import clean_text

# The largest id (64-bit keys): a larger one in a filter would overflow SQLite's integers (a 500).
ID_MAX = 2**63 - 1


class CachedModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer that introspects its model once per class instead of on every instantiation.

    DRF rebuilds a ModelSerializer's fields from the model (validators, labels, translations) each time one
    is created — about 3 ms per request for a party with its nested contact points and representatives.
    The fields depend only on the class, so build them once and hand out deep copies.
    """

    def get_fields(self):
        cls = type(self)
        fields = cls.__dict__.get("_fields_template")
        if fields is None:
            fields = super().get_fields()
            cls._fields_template = fields
        return copy.deepcopy(fields)


class CleanCharField(serializers.CharField):
    """Text people type: control and invisible characters are removed first (``clean_text``), so a text of
    nothing but those is blank, and the length is that of what is stored."""

    def run_validation(self, data=serializers.empty):
        if isinstance(data, str):
            data = clean_text(data)
        return super().run_validation(data)


class AwareDateTimeField(serializers.DateTimeField):
    """A moment with its UTC offset: a naive one is refused rather than read in a zone the client may not mean,
    and one before ``MIDOFFICE_MIN_DATE`` is a typing error (and would send date arithmetic through centuries)."""

    default_error_messages = {
        "naive": _("Give the time with its offset, e.g. 2026-03-01T10:00:00+01:00."),
        "too_early": _("Give a moment on or after {date}."),
    }

    def enforce_timezone(self, value):
        if timezone.is_naive(value):
            self.fail("naive")
        value = super().enforce_timezone(value)
        earliest = settings.MIDOFFICE_MIN_DATE
        if value < datetime.combine(earliest, time.min, tzinfo=timezone.get_current_timezone()):
            self.fail("too_early", date=earliest.isoformat())
        return value
