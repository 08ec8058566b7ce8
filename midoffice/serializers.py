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


# Per declared field: (the field, the names of its own lists and dicts or None when it holds other fields, how many
# attributes it had). Declared fields are class attributes, made once: the table only grows with the code.
_RECIPES: dict[int, tuple[serializers.Field, tuple[str, ...] | None, int]] = {}


def _mutable_attributes(field: serializers.Field) -> tuple[str, ...] | None:
    """The names of a plain field's lists and dicts; None for a field holding other fields (a nested serializer,
    a list's child). Worked out once per declared field, again if it has gained attributes since."""
    state = field.__dict__
    known = _RECIPES.get(id(field))
    if known is not None and known[0] is field and known[2] == len(state):
        return known[1]
    if isinstance(field, serializers.BaseSerializer) or any(
        isinstance(value, serializers.Field) for value in state.values()
    ):
        names = None
    else:
        names = tuple(name for name, value in state.items() if isinstance(value, (list, dict)))
    _RECIPES[id(field)] = (field, names, len(state))
    return names


def clone_field(field: serializers.Field) -> serializers.Field:
    """A new, unbound copy of a declared field (never bound itself: only its copies are).

    DRF copies every declared field for every serializer instance with ``copy.deepcopy``, which makes the field
    again from deep copies of its arguments: choices, querysets and validators copied for each request, about a
    millisecond on a create request with nested input. A plain field is copied as it stands after construction,
    its own lists and dicts (validators, choices, error messages) copied one level, a list or dict
    ``default``/``initial`` (which DRF hands out as is) deeply. A field holding other fields (a nested
    serializer, a list's child) is made again from its arguments, those fields cloned the same way.
    """
    mutable = _mutable_attributes(field)
    if mutable is not None:
        state = field.__dict__.copy()
        for name in mutable:
            value = state[name]
            state[name] = copy.deepcopy(value) if name in ("default", "initial") else value.copy()
        clone = object.__new__(field.__class__)
        clone.__dict__ = state
        return clone
    args = [clone_field(arg) if isinstance(arg, serializers.Field) else arg for arg in field._args]
    kwargs = {}
    for name, value in field._kwargs.items():
        if isinstance(value, serializers.Field):
            value = clone_field(value)
        elif name in ("default", "initial") and isinstance(value, (list, dict)):
            value = copy.deepcopy(value)
        kwargs[name] = value
    return field.__class__(*args, **kwargs)


class Serializer(serializers.Serializer):
    """The project's plain serializer: declared fields cloned (``clone_field``) instead of deep-copied."""

    def get_fields(self):
        return {name: clone_field(field) for name, field in self._declared_fields.items()}


class CachedModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer that introspects its model once per class instead of on every instantiation.

    DRF rebuilds a ModelSerializer's fields from the model (validators, labels, translations) each time one
    is created — about 3 ms per request for a party with its nested contact points and representatives.
    The fields depend only on the class, so build them once and hand out clones (``clone_field``).
    """

    def get_fields(self):
        cls = type(self)
        fields = cls.__dict__.get("_fields_template")
        if fields is None:
            fields = super().get_fields()
            cls._fields_template = fields
        return {name: clone_field(field) for name, field in fields.items()}


class CleanCharField(serializers.CharField):
    """Text people type: control and invisible characters are removed first (``clean_text``), so a text of
    nothing but those is blank, and the length is that of what is stored."""

    def run_validation(self, data=serializers.empty):
        if isinstance(data, str):
            data = clean_text(data)
        return super().run_validation(data)


class SlugRelatedField(serializers.SlugRelatedField):
    """DRF's, but a value with a NUL character (no database text column can hold one, so the look-up would fail
    with a database error) is one that does not exist."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", ""))
        return super().to_internal_value(data)


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
