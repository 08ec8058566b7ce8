"""The case page (``/dossiers/<reference>/``) and its actions.

Every action posts a form carrying the case's ``version`` to a view that calls one service; a refusal re-renders
the page with the message next to the field and nothing written; a change made meanwhile by someone else shows
the fresh case with what the user typed kept (409).
"""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases import services
from cases.access import handler_group_ids, may_manage, may_reassign
from cases.deadlines import case_durations, days_waited
from cases.errors import AssignmentUnchanged, CaseActionForbidden, CaseFinal, IllegalTransition, StaleCase
from cases.models import Case, NormUnit
from cases.selectors import case_assignee_choices, case_get_for_user
from cases.workflow import FINAL_STATES, WORKFLOW
from contacts.models import AccessLog
from contacts.services import access_log_record_shown
from midoffice.text import TEXT_MAX_LENGTH

from ...access import has_permission, staff_page
from ...forms import errors_into_form
from ...forms_cases import AssignForm, ChangeTypeForm, MergeForm, NoteForm, ReassignForm, TransitionForm, user_label
from .common import DANGEROUS, NOTE_PERMISSION, ORDER, TRANSITION_PERMISSION, conflict_text, due_status, visible_case
from .preview import EmailPreview, PreviewSource
from .timeline import case_timeline


@dataclass
class Action:
    """One form of the case page, in its own section."""

    key: str
    title: str
    form: object
    url: str
    button: str
    preview: EmailPreview | None = None
    preview_url: str = ""
    open: bool = False
    danger: bool = False


def _case_url(case: Case, name: str = "staff:case", **kwargs) -> str:
    return reverse(name, kwargs={"reference": case.reference, **kwargs})


def _actions(request, case: Case, bound: tuple[str, object] | None) -> tuple[list[Action], dict]:
    """The transitions the user may perform now (``allowed_transitions``), each with its form, and the other
    actions the user may take on the case."""
    user = request.user
    bound_key, bound_form = bound or (None, None)

    def form_for(key, build):
        return bound_form if key == bound_key else build()

    transitions = []
    if has_permission(user, TRANSITION_PERMISSION):
        # In the workflow's order, the ones that end a case without an answer last.
        allowed = sorted(services.allowed_transitions(case, user), key=lambda n: (n in DANGEROUS, ORDER.index(n)))
        for name in allowed:
            key = f"transition-{name}"
            form = form_for(key, lambda name=name: TransitionForm(case=case, transition=name, user=user))
            spec = WORKFLOW[name]
            # The e-mail of the form being worked on is shown with the page; the others' once opened (htmx).
            preview = None
            if form.is_bound and spec.notifies:
                message = form.data.get(form.add_prefix("public_message"), "")
                preview = PreviewSource(case).preview(name, message)
            transitions.append(
                Action(
                    key=key,
                    title=str(spec.label),
                    form=form,
                    url=_case_url(case, "staff:case-transition", transition=name),
                    button=str(spec.label),
                    preview=preview,
                    preview_url=_case_url(case, "staff:case-preview", transition=name) if spec.notifies else "",
                    open=key == bound_key,
                    danger=name in DANGEROUS,
                )
            )
    others = {}
    final = case.state in FINAL_STATES
    if not final and has_permission(user, TRANSITION_PERMISSION):
        choices = case_assignee_choices(user, case)
        if choices.exists():
            others["assign"] = Action(
                key="assign",
                title=_("Assign to a colleague"),
                form=form_for("assign", lambda: AssignForm(case=case, choices=choices)),
                url=_case_url(case, "staff:case-assign"),
                button=_("Assign"),
                open=bound_key == "assign",
            )
            others["may_take"] = case.handler_group_id in handler_group_ids(user) and case.assignee_id != user.pk
    if not final and may_reassign(user):
        others["reassign"] = Action(
            key="reassign",
            title=_("Hand to another handler group"),
            form=form_for("reassign", lambda: ReassignForm(case=case)),
            url=_case_url(case, "staff:case-reassign"),
            button=_("Hand over"),
            open=bound_key == "reassign",
        )
        others["change_type"] = Action(
            key="type",
            title=_("Change the case type"),
            form=form_for("type", lambda: ChangeTypeForm(case=case)),
            url=_case_url(case, "staff:case-type"),
            button=_("Change the type"),
            open=bound_key == "type",
        )
    if not final and has_permission(user, TRANSITION_PERMISSION) and may_manage(case, user):
        others["merge"] = Action(
            key="merge",
            title=_("Merge a duplicate into this case"),
            form=form_for("merge", lambda: MergeForm(case=case)),
            url=_case_url(case, "staff:case-merge"),
            button=_("Merge"),
            open=bound_key == "merge",
        )
    if has_permission(user, NOTE_PERMISSION):
        others["note"] = Action(
            key="note",
            title=_("Add a note"),
            form=form_for("note", lambda: NoteForm(case=case)),
            url=_case_url(case, "staff:case-note"),
            button=_("Add the note"),
            open=bound_key == "note",
        )
    return transitions, others


def _render_case(request, case: Case, *, bound=None, conflict=None, status: int = 200):
    now = timezone.now()
    transitions, others = _actions(request, case, bound)
    timeline, more = case_timeline(case)
    if case.party_id is not None:
        access_log_record_shown(user=request.user, party_ids=[case.party_id], via=AccessLog.Via.STAFF_CASE)
    context = {
        "case": case,
        "due": due_status(case, now),
        "paused_days": days_waited(case, now),
        "durations": case_durations(case),
        "working_days": case.case_type.norm_unit == NormUnit.WORKING_DAYS,
        "transitions": transitions,
        "actions": others,
        "timeline": timeline,
        "timeline_more": more,
        "conflict": conflict,
        "assignee_name": user_label(case.assignee) if case.assignee else "",
    }
    return render(request, "staff/cases/case.html", context, status=status)


@staff_page(permission="cases.view_case")
@require_GET
def case_page(request, reference: str):
    return _render_case(request, visible_case(request, reference))


def _act(request, reference: str, key: str, build, perform, done: str):
    """Validate ``build(data, case)``'s form, call ``perform(form, case)``; on success back to the case page with
    ``done``, on a refusal the page again with the message next to the field (nothing written), on a change made
    meanwhile the fresh page with what was typed kept."""
    case = visible_case(request, reference)
    form = build(request.POST, case)
    if not form.is_valid():
        return _render_case(request, case, bound=(key, form), status=400)
    try:
        perform(form, case)
    except StaleCase:
        return _conflict(request, reference, key, form)
    except ValidationError as exc:
        errors_into_form(form, exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
        return _render_case(request, case, bound=(key, form), status=400)
    except (IllegalTransition, CaseFinal, AssignmentUnchanged, CaseActionForbidden) as exc:
        # Said at the top: the form of an action the user may not take is not on the page.
        messages.error(request, exc.detail)
        status = 403 if isinstance(exc, CaseActionForbidden) else 409
        return _render_case(request, case, bound=(key, form), status=status)
    messages.success(request, done)
    return redirect("staff:case", reference=case.reference)


def _conflict(request, reference: str, key: str, form):
    """The case as it is now, the user's form kept (acting on the version now shown when it still applies)."""
    try:
        fresh = case_get_for_user(request.user, reference)
    except Case.DoesNotExist:
        messages.error(request, conflict_text() + " " + _("You can no longer see it."))
        return redirect("staff:inbox")
    form.refresh_version(fresh)
    typed = [
        (form.fields[name].label, form.cleaned_data.get(name))
        for name in form.fields
        if name != "version" and isinstance(form.cleaned_data.get(name), str) and form.cleaned_data.get(name)
    ]
    transitions, others = _actions(request, fresh, None)
    offered = {action.key for action in [*transitions, *others.values()] if isinstance(action, Action)}
    still_possible = key in offered
    conflict = {"text": conflict_text(), "typed": typed, "still_possible": still_possible}
    return _render_case(request, fresh, bound=(key, form) if still_possible else None, conflict=conflict, status=409)


def _version(form) -> int:
    return form.cleaned_data["version"]


@staff_page(permission=TRANSITION_PERMISSION)
@require_POST
def case_transition(request, reference: str, transition: str):
    if transition not in WORKFLOW:
        raise Http404

    def build(data, case):
        return TransitionForm(data, case=case, transition=transition, user=request.user)

    def perform(form, case):
        data = form.cleaned_data
        duplicate_of = None
        if data.get("duplicate_of"):
            try:
                duplicate_of = case_get_for_user(request.user, data["duplicate_of"].strip())
            except Case.DoesNotExist:
                raise ValidationError(
                    {"duplicate_of": [_("There is no case %(reference)s.") % {"reference": data["duplicate_of"]}]}
                ) from None
        services.case_transition(
            actor=request.user,
            case=case,
            transition=transition,
            reason=data.get("reason") or "",
            public_message=data.get("public_message") or "",
            duplicate_of=duplicate_of,
            handler_group=data.get("handler_group"),
            version=_version(form),
        )

    spec = WORKFLOW[transition]
    done = _("Done: %(transition)s.") % {"transition": spec.label}
    return _act(request, reference, f"transition-{transition}", build, perform, done)


@staff_page(permission=TRANSITION_PERMISSION)
@require_GET
def case_preview(request, reference: str, transition: str):
    """The e-mail the citizen would get for ``transition`` with the message typed so far; sends nothing."""
    if transition not in WORKFLOW:
        raise Http404
    case = visible_case(request, reference)
    message = request.GET.get(f"{transition}-public_message", "")[:TEXT_MAX_LENGTH]
    preview = PreviewSource(case).preview(transition, message)
    html = render_to_string("staff/cases/_email_preview.html", {"preview": preview}, request=request)
    return HttpResponse(html)


@staff_page(permission=TRANSITION_PERMISSION)
@require_POST
def case_assign(request, reference: str):
    def build(data, case):
        return AssignForm(data, case=case, choices=case_assignee_choices(request.user, case))

    def perform(form, case):
        services.case_assign(
            actor=request.user, case=case, assignee=form.cleaned_data["assignee"], version=_version(form)
        )

    return _act(request, reference, "assign", build, perform, _("The assignment was changed."))


@staff_page(permission="cases.reassign_case")
@require_POST
def case_reassign(request, reference: str):
    def build(data, case):
        return ReassignForm(data, case=case)

    def perform(form, case):
        services.case_reassign(
            actor=request.user,
            case=case,
            handler_group=form.cleaned_data["handler_group"],
            reason=form.cleaned_data["reason"],
            version=_version(form),
        )

    return _act(request, reference, "reassign", build, perform, _("The case was handed to another handler group."))


@staff_page(permission="cases.reassign_case")
@require_POST
def case_change_type(request, reference: str):
    def build(data, case):
        return ChangeTypeForm(data, case=case)

    def perform(form, case):
        services.case_change_type(
            actor=request.user,
            case=case,
            case_type=form.cleaned_data["case_type"],
            reason=form.cleaned_data["reason"],
            reroute=form.cleaned_data["reroute"],
            version=_version(form),
        )

    return _act(request, reference, "type", build, perform, _("The case type was changed."))


@staff_page(permission=TRANSITION_PERMISSION)
@require_POST
def case_merge(request, reference: str):
    def build(data, case):
        return MergeForm(data, case=case)

    def perform(form, case):
        try:
            duplicate = case_get_for_user(request.user, form.cleaned_data["duplicate"].strip())
        except Case.DoesNotExist:
            raise ValidationError(
                {"duplicate": [_("There is no case %(reference)s.") % {"reference": form.cleaned_data["duplicate"]}]}
            ) from None
        services.case_merge_duplicate(
            actor=request.user,
            survivor=case,
            duplicate=duplicate,
            reason=form.cleaned_data["reason"],
            version=_version(form),
        )

    return _act(request, reference, "merge", build, perform, _("The duplicate was merged into this case."))


@staff_page(permission=NOTE_PERMISSION)
@require_POST
def case_note(request, reference: str):
    """A note changes nothing a colleague could be overwriting: it is added whatever the case's version now."""

    def build(data, case):
        return NoteForm(data, case=case)

    def perform(form, case):
        services.case_note_add(
            actor=request.user, case=case, text=form.cleaned_data["text"], public=form.cleaned_data["public"]
        )

    return _act(request, reference, "note", build, perform, _("The note was added."))
