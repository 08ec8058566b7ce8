"""The admin's forms of the reports: a KPI's norm, and the upload of a CSV to import."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .kpis import REGISTRY
from .models import ImportJob, KpiNorm


def kpi_choices() -> list[tuple[str, str]]:
    return sorted((code, f"{code} — {kpi.name}") for code, kpi in REGISTRY.items())


class KpiNormForm(forms.ModelForm):
    code = forms.ChoiceField(label=_("KPI"), choices=kpi_choices)

    class Meta:
        model = KpiNorm
        fields = ["code", "value", "note"]


class ImportUploadForm(forms.ModelForm):
    """A CSV of call records, counter visits or the previous system's cases or contacts; its rows are checked by the
    import, not here."""

    class Meta:
        model = ImportJob
        fields = ["kind", "file"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].required = True
        self.fields["file"].widget.attrs["accept"] = ".csv,text/csv"
        self.fields["file"].help_text = _(
            "UTF-8, a header row naming the columns, comma- or semicolon-separated; at most %(size)s (larger files: "
            "manage.py import_calls, import_visits or import_history). Import the previous system's cases before its "
            "contacts: a contact names its case by the case's key."
        ) % {"size": filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)}
