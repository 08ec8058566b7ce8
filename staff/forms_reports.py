"""The reports' period and filters, as the pages, their downloads and the Excel exports read them."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.selectors import case_type_list, handler_group_list
from contacts.models import Channel
from reports.kpis import Filters
from reports.periods import parse_period

from .forms import StaffForm


class ReportFilterForm(StaffForm):
    periode = forms.CharField(
        label=gettext_lazy("Period"),
        required=False,
        max_length=21,
        help_text=gettext_lazy("2026, 2026-H1, 2026-Q3 or 2026-07"),
    )
    behandelgroep = forms.TypedChoiceField(label=gettext_lazy("Handler group"), required=False, coerce=int)
    dossiertype = forms.ChoiceField(label=gettext_lazy("Case type"), required=False)
    kanaal = forms.ChoiceField(label=gettext_lazy("Channel"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        everything = ("", _("All"))
        groups = handler_group_list().filter(active=True).values_list("pk", "name")
        self.fields["behandelgroep"].choices = [everything, *groups]
        self.fields["dossiertype"].choices = [everything, *case_type_list().values_list("code", "name")]
        self.fields["kanaal"].choices = [everything, *Channel.choices]

    def clean(self):
        data = super().clean()
        try:
            data["period"] = parse_period(data.get("periode") or current_quarter())
        except ValidationError as exc:
            self.add_error("periode", exc.message_dict["period"])
        data["filters"] = Filters(
            handler_group=data.get("behandelgroep") or None,
            case_type=data.get("dossiertype") or None,
            channel=data.get("kanaal") or None,
        )
        return data


def current_quarter(today: date | None = None) -> str:
    today = today or timezone.localdate()
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def quick_periods(today: date | None = None) -> list[tuple[str, str]]:
    """The periods a manager asks for most: this and last quarter, this and last year, this month."""
    today = today or timezone.localdate()
    quarter = (today.month - 1) // 3 + 1
    previous = f"{today.year}-Q{quarter - 1}" if quarter > 1 else f"{today.year - 1}-Q4"
    return [
        (current_quarter(today), _("This quarter")),
        (previous, _("Last quarter")),
        (f"{today.year}-{today.month:02d}", _("This month")),
        (str(today.year), _("This year")),
        (str(today.year - 1), _("Last year")),
    ]
