"""The KCC's supervision board (``/opvolging/``): per handler group what is overdue, due soon and open; the
misdispatched cases to route; failed and dead notifications to send again; call-backs past their time.

The counts refresh themselves every 30 seconds (htmx polling of their own fragments); the lists with forms are not
polled, so nobody loses what they were choosing or typing.
"""

from urllib.parse import quote, urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from cases.errors import CaseActionForbidden, CaseFinal, StaleCase
from cases.models import Case, HandlerGroup
from cases.selectors import (
    callback_list_for_user,
    case_get_for_user,
    case_list_for_user,
    handler_group_list,
    overdue_summary,
)
from cases.services import case_reassign
from contacts.models import AccessLog
from contacts.services import access_log_record_shown
from midoffice.roles import KCC, SUPERVISOR
from notifications.errors import NotRetryable
from notifications.models import Backend, NotificationKind, Status
from notifications.selectors import notification_list_for_user
from notifications.services import notification_retry

from ..access import has_permission, staff_page
from ..forms import StaffForm, errors_into_form
from ..navigation import NavItem, register
from .parties import case_url

ROLES = (KCC, SUPERVISOR)
OLDEST_SHOWN = 3
LIST_LIMIT = 25
GROUP_LIST_ID = "actieve-behandelgroepen"

register(NavItem("staff:board", gettext_lazy("Supervision"), roles=ROLES, order=40))


def inbox_url(**params) -> str:
    """The inbox filtered by ``params``: its GET filters ``handler_group`` and ``due`` (``overdue``, ``due_soon``)."""
    return reverse("staff:inbox") + "?" + urlencode(params)


class RouteForm(StaffForm):
    """The handler group a misdispatched case goes to, typed or picked by name among the active groups (one list of
    names for the whole page: a select of every group in each case's form made the page heavy)."""

    handler_group = forms.CharField(label=gettext_lazy("Handler group"), max_length=200)
    reason = forms.CharField(label=gettext_lazy("Reason (optional)"), required=False, max_length=1000)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, case: Case, groups: list[HandlerGroup], **kwargs):
        super().__init__(*args, prefix=f"route-{case.pk}", **kwargs)
        self.case = case
        self.groups = {group.name.casefold(): group for group in groups}
        field = self.fields["handler_group"]
        field.label = _("Handler group for case %(reference)s") % {"reference": case.reference}
        field.widget.attrs.update(list=GROUP_LIST_ID, autocomplete="off")

    def clean_handler_group(self) -> HandlerGroup:
        group = self.groups.get(self.cleaned_data["handler_group"].strip().casefold())
        if group is None:
            raise ValidationError(_("Choose an active handler group from the list."))
        return group


# reverse() quotes a path argument so: the links made from CASE_PLACEHOLDER are the ones it makes.
CASE_PLACEHOLDER = "REFERENCE"
URL_SAFE = RFC3986_SUBDELIMS + "/~:@"


def _active_groups() -> list[HandlerGroup]:
    return list(handler_group_list().filter(active=True))


def _summary(user, now) -> dict:
    """The polled counts: per handler group open, due soon and overdue with the most overdue cases; the queues."""
    chase = {row.handler_group.pk: row for row in overdue_summary(user, now=now, oldest=OLDEST_SHOWN)}
    open_counts = dict(
        case_list_for_user(user, open=True, now=now)
        .order_by()
        .values_list("handler_group")
        .annotate(count=Count("pk"))
        .values_list("handler_group", "count")
    )
    groups = HandlerGroup.objects.in_bulk({*chase, *open_counts})
    inbox = reverse("staff:inbox")
    # ~900 cases listed: their links from one reversed URL, their due dates formatted without the locale machinery
    # (the same digits as date_format's "d/m/Y H:i").
    case_link = reverse("staff:case", args=[CASE_PLACEHOLDER])
    due_label = _("due %(due)s")
    rows = []
    # Labels made here, not by {% blocktranslate %} in the template: ~300 groups, three links and three cases each.
    for pk, group in groups.items():
        row = chase.get(pk)
        overdue, due_soon = (row.overdue, row.due_soon) if row else (0, 0)
        open_count = open_counts.get(pk, 0)
        names = {"group": group.name}
        rows.append(
            {
                "group": group,
                "open": open_count,
                "overdue": overdue,
                "due_soon": due_soon,
                "oldest": [
                    {
                        "reference": item.reference,
                        "url": case_link.replace(CASE_PLACEHOLDER, quote(item.reference, safe=URL_SAFE)),
                        "due": due_label % {"due": timezone.localtime(item.due_at).strftime("%d/%m/%Y %H:%M")},
                    }
                    for item in (row.oldest if row else [])
                ],
                "open_label": ngettext("%(n)s open case of %(group)s", "%(n)s open cases of %(group)s", open_count)
                % {"n": open_count, **names},
                "soon_label": ngettext(
                    "%(n)s case of %(group)s due soon", "%(n)s cases of %(group)s due soon", due_soon
                )
                % {"n": due_soon, **names},
                "overdue_label": ngettext(
                    "%(n)s overdue case of %(group)s", "%(n)s overdue cases of %(group)s", overdue
                )
                % {"n": overdue, **names},
                "overdue_url": f"{inbox}?{urlencode({'handler_group': pk, 'due': 'overdue'})}",
                "soon_url": f"{inbox}?{urlencode({'handler_group': pk, 'due': 'due_soon'})}",
                "open_url": f"{inbox}?{urlencode({'handler_group': pk})}",
            }
        )
    rows.sort(key=lambda r: (-r["overdue"], -r["due_soon"], -r["open"], r["group"].name))
    summary = {
        "groups": rows,
        "total_overdue": sum(r["overdue"] for r in rows),
        "total_due_soon": sum(r["due_soon"] for r in rows),
        "misdispatched_count": case_list_for_user(user, misdispatched=True, open=True, now=now).count(),
        "callbacks_overdue_count": callback_list_for_user(user, overdue=True, now=now).count(),
        "may_see_notifications": has_permission(user, "notifications.view_notification"),
        "now": now,
    }
    if summary["may_see_notifications"]:
        counts = dict(
            notification_list_for_user(user)
            .filter(status__in=[Status.FAILED, Status.DEAD])
            .order_by()
            .values_list("status")
            .annotate(count=Count("pk"))
            .values_list("status", "count")
        )
        summary["failed_count"], summary["dead_count"] = counts.get(Status.FAILED, 0), counts.get(Status.DEAD, 0)
    return summary


def _callbacks(user, now) -> dict:
    callbacks = list(callback_list_for_user(user, overdue=True, now=now)[:LIST_LIMIT])
    return {"callbacks": callbacks, "now": now}


def _notifications(user) -> list[dict]:
    rows = notification_list_for_user(user).filter(status__in=[Status.FAILED, Status.DEAD])[:LIST_LIMIT]
    return [
        {
            "notification": n,
            "url": case_url(n.case.reference),
            "kind": NotificationKind(n.kind).label if n.kind in NotificationKind.values else n.kind,
            "backend": Backend(n.backend).label if n.backend in Backend.values else n.backend,
            "status": Status(n.status).label,
        }
        for n in rows
    ]


def _page(request, *, bound: RouteForm | None = None, status: int = 200):
    user, now = request.user, timezone.now()
    groups = _active_groups()
    misdispatched = list(case_list_for_user(user, misdispatched=True, open=True, ordering="registered_at")[:LIST_LIMIT])
    route_forms = [
        bound
        if bound is not None and bound.case.pk == case.pk
        else RouteForm(case=case, groups=groups, initial={"version": case.version})
        for case in misdispatched
    ]
    shown = [case.party_id for case in misdispatched if case.party_id]
    access_log_record_shown(user=user, party_ids=shown, via=AccessLog.Via.STAFF_BOARD)
    context = {
        **_summary(user, now),
        **_callbacks(user, now),
        "misdispatched": [(form.case, case_url(form.case.reference), form) for form in route_forms],
        "route_groups": groups,
        "group_list_id": GROUP_LIST_ID,
        "may_route": has_permission(user, "cases.reassign_case"),
        "may_retry": has_permission(user, "notifications.retry_notification"),
    }
    if context["may_see_notifications"]:
        context["notifications"] = _notifications(user)
    return render(request, "staff/board/board.html", context, status=status)


@staff_page(roles=ROLES)
def board(request):
    return _page(request)


@staff_page(roles=ROLES)
def board_summary(request):
    """The counts, for the page's polling."""
    return render(request, "staff/board/summary.html", _summary(request.user, timezone.now()))


@staff_page(roles=ROLES)
def board_callbacks(request):
    """The call-backs past their time, for the page's polling."""
    return render(request, "staff/board/callbacks.html", _callbacks(request.user, timezone.now()))


@require_POST
@staff_page(roles=ROLES, permission="cases.reassign_case")
def board_route(request, reference: str):
    """Send a misdispatched case to the handler group chosen by name."""
    try:
        case = case_get_for_user(request.user, reference)
    except Case.DoesNotExist as exc:
        raise Http404 from exc
    form = RouteForm(request.POST, case=case, groups=_active_groups())
    if not form.is_valid():
        return _page(request, bound=form, status=400)
    group = form.cleaned_data["handler_group"]
    try:
        case_reassign(
            actor=request.user,
            case=case,
            handler_group=group,
            reason=form.cleaned_data["reason"],
            version=form.cleaned_data["version"],
        )
    except ValidationError as exc:
        errors_into_form(form, exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
        return _page(request, bound=form, status=400)
    except (StaleCase, CaseFinal, CaseActionForbidden) as exc:
        messages.error(
            request,
            _("Case %(reference)s was not sent on: %(reason)s") % {"reference": reference, "reason": exc.detail},
        )
        return redirect("staff:board")
    messages.success(
        request, _("Case %(reference)s was sent to %(group)s.") % {"reference": reference, "group": group.name}
    )
    return redirect("staff:board")


@require_POST
@staff_page(roles=ROLES, permission="notifications.retry_notification")
def board_retry(request, pk: int):
    """Send a failed or dead notification again (``notifications.services.notification_retry``)."""
    notification = get_object_or_404(notification_list_for_user(request.user), pk=pk)
    try:
        notification_retry(actor=request.user, notification=notification)
    except NotRetryable as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(
            request,
            _("The notification about case %(reference)s is being sent again.")
            % {"reference": notification.case.reference},
        )
    return redirect("staff:board")


urlpatterns = [
    path("opvolging/", board, name="board"),
    path("opvolging/tellers/", board_summary, name="board-summary"),
    path("opvolging/terugbellen/", board_callbacks, name="board-callbacks"),
    path("opvolging/dossiers/<str:reference>/doorsturen/", board_route, name="board-route"),
    path("opvolging/meldingen/<id:pk>/opnieuw/", board_retry, name="board-retry"),
]
