"""The call-back list ("Terugbellen", ``/terugbellen/``): the call-backs of my handler groups (the KCC, front desk and
supervisors: every one), past-due ones first and marked, and "called back" with an optional note.

Marking one done swaps its row (htmx); a second click or a stale page says who did it already, never an error page.
The parties named on the page are access-logged (``callbacks``).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from cases.errors import CallbackDone
from cases.models import Callback
from cases.selectors import callback_get_for_user, callback_list_for_user
from cases.services import callback_done
from contacts.identifiers import format_phone
from contacts.models import AccessLog
from contacts.services import access_log_record_shown

from ..access import staff_page
from ..forms import errors_into_form
from ..forms_frontdesk import CallbackDoneForm
from ..navigation import NavItem, register

PERMISSION = "cases.view_case"
VIA = AccessLog.Via.STAFF_CALLBACKS
PAGE_SIZE = 50
FILTERS = {"open": True, "gedaan": False}

register(NavItem("staff:callbacks", gettext_lazy("Call-backs"), permission=PERMISSION, order=40))


def _log_shown(request, callbacks) -> None:
    party_ids = [callback.party_id for callback in callbacks if callback.party_id is not None]
    if party_ids:
        access_log_record_shown(user=request.user, party_ids=party_ids, via=VIA)


@require_GET
@staff_page(permission=PERMISSION)
def callback_list(request):
    show = request.GET.get("toon", "open")
    if show not in FILTERS:
        show = "open"
    callbacks = callback_list_for_user(request.user, open_only=FILTERS[show])
    if show == "gedaan":
        callbacks = callbacks.filter(done_at__isnull=False).order_by("-done_at", "-pk")
    page = Paginator(callbacks, PAGE_SIZE).get_page(request.GET.get("pagina"))
    rows = list(page.object_list)
    _log_shown(request, rows)
    now = timezone.now()
    context = {
        "show": show,
        "page": page,
        "rows": [_row(callback, now) for callback in rows],
    }
    return render(request, "staff/callbacks/list.html", context)


def _row(callback: Callback, now, form: CallbackDoneForm | None = None) -> dict:
    return {
        "callback": callback,
        "phone": format_phone(callback.phone),
        "late": callback.done_at is None and callback.due_by < now,
        "form": form or CallbackDoneForm(),
    }


@require_POST
@staff_page(permission=PERMISSION)
def callback_mark_done(request, pk: int):
    """ "Called back": the row comes back done; refused ones come back with the reason next to the note."""
    try:
        callback = callback_get_for_user(request.user, pk)
    except Callback.DoesNotExist:
        return _gone(request, pk)
    form = CallbackDoneForm(data=request.POST)
    notice = ""
    if form.is_valid():
        try:
            callback = callback_done(actor=request.user, callback=callback, note=form.cleaned_data["note"])
        except ValidationError as exc:
            errors_into_form(form, exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
        except CallbackDone as exc:
            callback = callback_get_for_user(request.user, pk)
            notice = _already_done_message(exc)
        except Callback.DoesNotExist:
            return _gone(request, pk)
    if not request.htmx:
        if form.errors:
            messages.error(request, " ".join(message for errors in form.errors.values() for message in errors))
        else:
            messages.success(request, notice or _("Marked as called back."))
        return redirect("staff:callbacks")
    _log_shown(request, [callback])
    context = {"row": _row(callback, timezone.now(), form), "notice": notice}
    return render(request, "staff/callbacks/_row.html", context)


def _already_done_message(exc: CallbackDone) -> str:
    done_at = parse_datetime(exc.extra["done_at"])
    return _("Already called back by %(user)s on %(when)s.") % {
        "user": exc.extra["done_by"],
        "when": timezone.localtime(done_at).strftime("%d/%m/%Y %H:%M") if done_at else "",
    }


def _gone(request, pk: int):
    message = _("This call-back no longer exists or is not yours to see.")
    if not request.htmx:
        messages.error(request, message)
        return redirect("staff:callbacks")
    return render(request, "staff/callbacks/_gone.html", {"pk": pk, "message": message})


urlpatterns = [
    path("terugbellen/", callback_list, name="callbacks"),
    path("terugbellen/<id:pk>/teruggebeld/", callback_mark_done, name="callback-done"),
]
