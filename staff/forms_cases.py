"""Forms of the inbox and the case page: the inbox's filters as a query over ``cases.selectors``, and one form per
action on a case, each carrying the case's ``version`` so that a change made meanwhile by someone else is refused."""

from datetime import datetime, time, timedelta
from urllib.parse import urlencode

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet, Subquery
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases.access import handler_group_ids, may_reassign, may_view_all
from cases.calendar import BRUSSELS
from cases.models import Case
from cases.selectors import ORDERINGS, case_list_for_user, case_type_list, handler_group_list
from cases.workflow import WORKFLOW, CaseState
from midoffice.text import REASON_MAX_LENGTH, TEXT_MAX_LENGTH, clean_text

from .forms import StaffForm, StaffModelForm
from .models import SavedFilter
from .services import saved_filter_save

# A text search in descriptions reads at most this many cases (the most recently registered that match the other
# filters): a substring search cannot use an index, and a search that reads 2 M descriptions is no search.
SEARCH_SCOPE = 5_000

ALL_STATES = "all"
DUE_CHOICES = [
    ("", _("Any due date")),
    ("overdue", _("Overdue")),
    ("due_soon", _("Due soon")),
    ("on_time", _("On time")),
]
SORT_CHOICES = [
    ("due_at", _("Due date, soonest first")),
    ("-registered_at", _("Registration, newest first")),
    ("registered_at", _("Registration, oldest first")),
    ("-updated_at", _("Last change, newest first")),
]
# The inbox's filters, in the order of their query string (saved filters keep these and nothing else).
FILTER_FIELDS = (
    "q",
    "state",
    "case_type",
    "due",
    "assignee",
    "handler_group",
    "registered_from",
    "registered_to",
    "sort",
)


class CleanTextField(forms.CharField):
    """Text people type: control and invisible characters removed first (as the API does), so a text of nothing
    but those is empty, and the length checked is that of what is stored."""

    def to_python(self, value):
        value = super().to_python(value)
        return clean_text(value) if value else value


def user_label(user) -> str:
    return user.get_full_name().strip() or user.get_username()


def colleagues(user, extra_group: int | None = None) -> QuerySet:
    """The active members of the user's handler groups (and of ``extra_group``): whom the inbox filters on and
    hands cases to."""
    groups = set(handler_group_ids(user))
    if extra_group is not None:
        groups.add(extra_group)
    return (
        get_user_model()
        .objects.filter(is_active=True, handler_groups__in=groups)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def _start_of_day(day) -> datetime:
    return datetime.combine(day, time.min, tzinfo=BRUSSELS)


class InboxFilterForm(StaffForm):
    """The inbox's filters (GET); a value that is not valid is shown next to its field and left out of the list."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    state = forms.ChoiceField(label=_("State"), required=False)
    case_type = forms.ChoiceField(label=_("Case type"), required=False)
    due = forms.ChoiceField(label=_("Deadline"), required=False, choices=DUE_CHOICES)
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False)
    handler_group = forms.TypedChoiceField(label=_("Handler group"), required=False, coerce=int, empty_value=None)
    registered_from = forms.DateField(
        label=_("Registered from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    registered_to = forms.DateField(
        label=_("Registered until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["q"].help_text = gettext(
            "A reference, or words from the descriptions of the %(scope)s most recently registered cases."
        ) % {"scope": number_format(SEARCH_SCOPE, force_grouping=True)}
        self.fields["state"].choices = [("", _("Open cases")), (ALL_STATES, _("All cases")), *CaseState.choices]
        # Plain rows: 500 case types and 300 groups made into model instances cost more than the rest of the page.
        self.fields["case_type"].choices = [
            ("", _("All case types")),
            *case_type_list(active=None).values_list("code", "name"),
        ]
        groups = handler_group_list()
        if not (user.is_superuser or may_view_all(user)):
            groups = groups.filter(pk__in=handler_group_ids(user))
        self.fields["handler_group"].choices = [("", _("All my handler groups")), *groups.values_list("pk", "name")]
        selected_group = self._selected_group()
        self.colleagues = list(colleagues(user, selected_group))
        self.fields["assignee"].choices = [
            ("", _("Anyone or nobody")),
            ("me", _("Me")),
            ("none", _("Nobody")),
            *((u.get_username(), user_label(u)) for u in self.colleagues if u.pk != user.pk),
        ]

    def _selected_group(self) -> int | None:
        try:
            return int(self.data.get("handler_group") or "")
        except ValueError:
            return None

    def clean(self):
        data = super().clean()
        start, end = data.get("registered_from"), data.get("registered_to")
        if start and end and end < start:
            self.add_error("registered_to", _("The end lies before the start."))
        return data

    def valid_filters(self) -> dict:
        """The filters that are valid (after ``is_valid()``); the others are shown as errors and not applied."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if name not in self.errors}

    def query_string(self) -> str:
        """The valid, non-empty filters as a query string: what a saved filter keeps."""
        filters = self.valid_filters()
        pairs = []
        for name in FILTER_FIELDS:
            value = filters.get(name)
            if value in (None, ""):
                continue
            pairs.append((name, value.isoformat() if hasattr(value, "isoformat") else str(value)))
        return urlencode(pairs)

    def cases(self, now: datetime) -> QuerySet[Case]:
        """The user's cases as filtered and sorted (the selector decides what they may see)."""
        filters = self.valid_filters()
        kwargs = {"now": now}
        state = filters.get("state")
        if not state:
            kwargs["open"] = True
        elif state != ALL_STATES:
            kwargs["state"] = [state]
        if filters.get("case_type"):
            kwargs["case_type"] = filters["case_type"]
        if filters.get("handler_group") is not None:
            kwargs["handler_group"] = filters["handler_group"]
        if filters.get("assignee"):
            kwargs["assignee"] = filters["assignee"]
        due = filters.get("due")
        if due == "overdue":
            kwargs["overdue"] = True
        elif due == "due_soon":
            kwargs["due_soon"] = True
        elif due == "on_time":
            kwargs["overdue"] = kwargs["due_soon"] = False
        sort = filters.get("sort") or "due_at"
        if sort in ORDERINGS:
            kwargs["ordering"] = sort
        cases = case_list_for_user(self.user, **kwargs)
        if sort == "-updated_at":
            cases = cases.order_by("-updated_at", "-pk")
        if filters.get("registered_from"):
            cases = cases.filter(registered_at__gte=_start_of_day(filters["registered_from"]))
        if filters.get("registered_to"):
            cases = cases.filter(registered_at__lt=_start_of_day(filters["registered_to"] + timedelta(days=1)))
        text = (filters.get("q") or "").strip()
        if text.isdigit():
            cases = cases.filter(reference=text)  # the unique index
        elif text:
            scope = cases.order_by("-registered_at", "-pk").values("pk")[:SEARCH_SCOPE]
            cases = cases.filter(pk__in=Subquery(scope), description__icontains=text)
        return cases


class BulkAssignForm(StaffForm):
    """Several cases of the inbox to one colleague, or to nobody."""

    cases = forms.MultipleChoiceField(label=_("Cases"), error_messages={"required": _("Choose at least one case.")})
    assignee = forms.ChoiceField(label=_("Assign the chosen cases to"), required=False)

    def __init__(self, *args, user, references=(), users=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.users = {u.get_username(): u for u in (colleagues(user) if users is None else users)}
        wanted = self.data.get("assignee") or ""
        if wanted and wanted != "none" and wanted not in self.users:
            # A member of another group (the KCC filtering on that group): the service checks each case's group.
            self.users.update(
                (u.get_username(), u) for u in get_user_model().objects.filter(is_active=True, username=wanted)[:1]
            )
        self.fields["cases"].choices = [(r, r) for r in references]
        self.fields["assignee"].choices = [
            ("", _("Choose a colleague")),
            ("none", _("Nobody (give back)")),
            *((name, user_label(u)) for name, u in self.users.items()),
        ]

    def clean_assignee(self):
        value = self.cleaned_data["assignee"]
        if not value:
            raise forms.ValidationError(_("Choose whom to assign the cases to."))
        return None if value == "none" else self.users[value]


class SavedFilterForm(StaffModelForm):
    class Meta:
        model = SavedFilter
        fields = ["name"]
        labels = {"name": _("Name of this filter")}

    def __init__(self, *args, user, query: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.query = user, query
        self.fields["name"].required = True

    def clean_name(self):
        return clean_text(self.cleaned_data["name"]).strip()

    def validate_unique(self):
        """Saving under a name in use replaces that filter (see ``save``)."""

    def save(self, commit=True) -> SavedFilter:
        return saved_filter_save(user=self.user, name=self.cleaned_data["name"], query=self.query)


# --- the case page


class CaseActionForm(StaffForm):
    """Every action on a case carries the version the user saw."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, case: Case, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("version", case.version)
        super().__init__(*args, **kwargs)
        self.case = case

    def refresh_version(self, case: Case) -> None:
        """After a conflict: the form keeps what was typed and now acts on the version shown."""
        self.data = self.data.copy()
        self.data[self.add_prefix("version")] = str(case.version)
        self.case = case


class TransitionForm(CaseActionForm):
    """Only what the transition needs (``cases.workflow.WORKFLOW``): its reason, the message to the citizen, the
    surviving case of a duplicate, the group of a reopened case."""

    reason = CleanTextField(
        label=_("Reason (internal)"), max_length=REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )
    public_message = CleanTextField(
        label=_("Message to the citizen"), max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 5})
    )
    duplicate_of = forms.CharField(
        label=_("Duplicate of case"),
        required=False,
        max_length=20,
        help_text=_("The reference of the case that continues, if this one is a duplicate."),
    )
    handler_group = forms.ModelChoiceField(
        label=_("Handler group"), required=False, queryset=None, empty_label=_("Keep the current group")
    )

    def __init__(self, *args, case: Case, transition: str, user, **kwargs):
        self.transition = WORKFLOW[transition]
        super().__init__(*args, case=case, prefix=transition, **kwargs)
        spec = self.transition
        if spec.requires_reason:
            self.fields["reason"].required = True
            if transition == "suspend":
                self.fields["reason"].label = _("What is missing (internal)")
        else:
            del self.fields["reason"]
        if spec.requires_public_message or spec.notifies:
            self.fields["public_message"].required = spec.requires_public_message
            if transition == "suspend":
                self.fields["public_message"].label = _("Your question to the citizen")
            elif transition == "resolve":
                self.fields["public_message"].label = _("The answer to the citizen")
            if not spec.requires_public_message:
                self.fields["public_message"].help_text = _("Optional: added to the e-mail the citizen gets.")
        else:
            del self.fields["public_message"]
        if transition != "cancel":
            del self.fields["duplicate_of"]
        if spec.moves_group and may_reassign(user):
            self.fields["handler_group"].queryset = (
                handler_group_list().filter(active=True).exclude(pk=case.handler_group_id)
            )
        else:
            del self.fields["handler_group"]


class AssignForm(CaseActionForm):
    assignee = forms.ModelChoiceField(
        label=_("Colleague"), queryset=None, empty_label=_("Nobody (give back)"), required=False
    )

    def __init__(self, *args, case: Case, choices: QuerySet, **kwargs):
        super().__init__(*args, case=case, prefix="assign", **kwargs)
        self.fields["assignee"].queryset = choices
        self.fields["assignee"].label_from_instance = user_label


class ReassignForm(CaseActionForm):
    handler_group = forms.ModelChoiceField(label=_("To handler group"), queryset=None, empty_label=_("Choose a group"))
    reason = CleanTextField(
        label=_("Reason (internal)"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, case=case, prefix="reassign", **kwargs)
        self.fields["handler_group"].queryset = (
            handler_group_list().filter(active=True).exclude(pk=case.handler_group_id)
        )


class ChangeTypeForm(CaseActionForm):
    case_type = forms.ModelChoiceField(label=_("New case type"), queryset=None, empty_label=_("Choose a case type"))
    reroute = forms.BooleanField(label=_("Route the case again by the routing rules"), required=False, initial=True)
    reason = CleanTextField(
        label=_("Reason (internal)"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, case=case, prefix="type", **kwargs)
        self.fields["case_type"].queryset = case_type_list().exclude(pk=case.case_type_id)
        self.fields["case_type"].label_from_instance = lambda t: t.name


class MergeForm(CaseActionForm):
    duplicate = forms.CharField(
        label=_("Reference of the duplicate case"),
        max_length=20,
        help_text=_("That case is cancelled; its citizen is told this case follows up their request."),
    )
    reason = CleanTextField(
        label=_("Reason (internal)"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, case=case, prefix="merge", **kwargs)


class NoteForm(CaseActionForm):
    text = CleanTextField(label=_("Note"), max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}))
    public = forms.BooleanField(label=_("Public (shown to the citizen)"), required=False)

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, case=case, prefix="note", **kwargs)
