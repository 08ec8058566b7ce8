"""The inbox (``/dossiers/``): the cases of the user's groups, filtered, sorted and paged; taking and assigning
cases; saved filters."""

import itertools
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from cases import services
from cases.access import handler_group_ids
from cases.errors import AssignmentUnchanged, CaseActionForbidden, CaseFinal, StaleCase
from cases.selectors import EXPORT_COLUMNS, case_export_rows, case_rows, cases_for_user_by_reference
from cases.workflow import FINAL_STATES
from contacts.models import AccessLog
from contacts.services import access_log_record_shown
from midoffice.csv import csv_lines

from ... import services as staff_services
from ...access import has_permission, staff_page
from ...exports import EXPORT_HEADERS
from ...forms_cases import BulkAssignForm, InboxFilterForm, SavedFilterForm, user_label
from ...selectors import saved_filters_of
from .common import PAGE_SIZE, TRANSITION_PERMISSION, conflict_text, due_status, is_fragment, next_url, visible_case


def _page_number(value) -> int:
    try:
        return min(max(int(value), 1), 10_000)
    except (TypeError, ValueError):
        return 1


@staff_page(permission="cases.view_case")
@require_GET
def inbox(request):
    """The cases of the user's groups, filtered and sorted; pages of 25 without a total count (see _results)."""
    form = InboxFilterForm(request.GET, user=request.user)
    context = _results(request, form)
    if is_fragment(request):
        response = render(request, "staff/cases/_inbox_results.html", context)
    else:
        saved = saved_filters_of(request.user)
        response = render(request, "staff/cases/inbox.html", {**context, "saved_filters": saved})
    patch_vary_headers(response, ["HX-Request"])
    return response


def _results(request, form: InboxFilterForm) -> dict:
    """One page of ids (index-only on the inbox's partial indexes) and its rows. No COUNT: counting every open case
    of a city at each page view costs more than the page; the next page's existence is asked by reading one id
    more."""
    now = timezone.now()
    page = _page_number(request.GET.get("page"))
    offset = (page - 1) * PAGE_SIZE
    ids = list(form.cases(now).values_list("pk", flat=True)[offset : offset + PAGE_SIZE + 1])
    my_groups = handler_group_ids(request.user)
    rows = [
        {
            "case": case,
            "due": due_status(case, now),
            "may_take": case.assignee_id != request.user.pk
            and case.handler_group_id in my_groups
            and case.state not in FINAL_STATES,
        }
        for case in case_rows(ids[:PAGE_SIZE])
    ]
    shown = [row["case"].party_id for row in rows if row["case"].party_id is not None]
    access_log_record_shown(user=request.user, party_ids=shown, via=AccessLog.Via.STAFF_INBOX)
    query = form.query_string()
    here = reverse("staff:inbox") + (f"?{query}" if query else "")
    page_url = reverse("staff:inbox") + "?" + (f"{query}&" if query else "") + "page="
    return {
        "form": form,
        "rows": rows,
        "page": page,
        "previous_url": f"{page_url}{page - 1}" if page > 1 else "",
        "next_url": f"{page_url}{page + 1}" if len(ids) > PAGE_SIZE else "",
        "here": here + (f"{'&' if query else '?'}page={page}" if page > 1 else ""),
        "query": query,
        "bulk_form": BulkAssignForm(user=request.user, users=form.colleagues),
        "save_form": SavedFilterForm(user=request.user, query=query),
        "may_assign": has_permission(request.user, TRANSITION_PERMISSION),
    }


@staff_page(permission="cases.view_case")
@require_GET
def inbox_export(request):
    """The cases as filtered in the inbox, every one (not a page), as CSV streamed row by row in constant memory.
    Case data only: no citizen's name or identifier, so the export reads no personal data."""
    form = InboxFilterForm(request.GET, user=request.user)
    rows = case_export_rows(form.cases(timezone.now()))
    header = [str(EXPORT_HEADERS.get(column, column)) for column in EXPORT_COLUMNS]
    lines = csv_lines(itertools.chain([header], (_export_row(row) for row in rows)))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="dossiers-{stamp}.csv"'
    return response


def _export_row(row: tuple) -> list:
    return [timezone.localtime(value).isoformat() if isinstance(value, datetime) else value for value in row]


@staff_page(permission=TRANSITION_PERMISSION)
@require_POST
def inbox_take(request, reference: str):
    """Take the case: it becomes the user's (from the inbox's row, with the version the row showed)."""
    case = visible_case(request, reference)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = 0
    back = next_url(request, reverse("staff:inbox"))
    try:
        services.case_assign(actor=request.user, case=case, assignee=request.user, version=version)
    except StaleCase:
        messages.error(request, conflict_text() + " " + _("Look at the case again before you take it."))
        return redirect(back)
    except (AssignmentUnchanged, CaseFinal, CaseActionForbidden) as exc:
        messages.error(request, exc.detail)
        return redirect(back)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    messages.success(request, _("You took case %(reference)s.") % {"reference": case.reference})
    return redirect(back)


@staff_page(permission=TRANSITION_PERMISSION)
@require_POST
def inbox_assign(request):
    """The chosen cases to one colleague (or nobody), all or none (``cases_assign_bulk``)."""
    back = next_url(request, reverse("staff:inbox"))
    references = list(dict.fromkeys(request.POST.getlist("cases")))[: PAGE_SIZE * 4]
    form = BulkAssignForm(request.POST, user=request.user, references=references)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(back)
    cases, missing = cases_for_user_by_reference(request.user, form.cleaned_data["cases"])
    if missing:
        messages.error(request, _("There is no case %(reference)s.") % {"reference": ", ".join(missing)})
        return redirect(back)
    assignee = form.cleaned_data["assignee"]
    try:
        services.cases_assign_bulk(actor=request.user, cases=cases, assignee=assignee)
    except (CaseFinal, CaseActionForbidden) as exc:
        messages.error(request, exc.detail)
        return redirect(back)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    who = user_label(assignee) if assignee is not None else _("nobody")
    messages.success(
        request,
        ngettext("%(count)d case assigned to %(who)s.", "%(count)d cases assigned to %(who)s.", len(cases))
        % {"count": len(cases), "who": who},
    )
    return redirect(back)


@staff_page(permission="cases.view_case")
@require_POST
def saved_filter_save(request):
    # Only the inbox's own filters are kept, re-encoded: nothing else of what was posted.
    query = InboxFilterForm(_query_dict(request.POST.get("query", "")), user=request.user).query_string()
    form = SavedFilterForm(request.POST, user=request.user, query=query)
    if form.is_valid():
        saved = form.save()
        messages.success(request, _("Filter “%(name)s” saved.") % {"name": saved.name})
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(reverse("staff:inbox") + (f"?{query}" if query else ""))


@staff_page(permission="cases.view_case")
@require_POST
def saved_filter_delete(request, pk: int):
    if not staff_services.saved_filter_delete(user=request.user, pk=pk):
        raise Http404
    messages.success(request, _("Filter deleted."))
    return redirect(next_url(request, reverse("staff:inbox")))


def _query_dict(query: str) -> QueryDict:
    return QueryDict(query[:2000])
