"""Logging the contact (and the case it opens) once per form, and the call-back request, from the front desk."""

import hashlib
import json
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.services import callback_request, contact_log_with_case
from contacts.errors import PartyMerged
from midoffice.idempotency import idempotency_claim, idempotency_record

from ...access import staff_page
from ...forms import errors_into_form
from ...forms_frontdesk import (
    CallbackForm,
    ContactForm,
)
from .screen import (
    CONTACT_ENDPOINT,
    ROLES,
    callback_form,
    errors_of,
    live_party_or_none,
    logged_contact,
    page,
)


def _fingerprint(post) -> str:
    values = sorted((key, post.getlist(key)) for key in post if key != "csrfmiddlewaretoken")
    return hashlib.sha256(json.dumps(values).encode()).hexdigest()


@require_POST
@staff_page(roles=ROLES, permission="contacts.add_contact")
def contact_log(request):
    """Log the contact (and open its case) once per form: the form's token is stored with the write, in its
    transaction, so a second submit of the same form (a double click, a retry) shows the first one's result."""
    form = ContactForm(data=request.POST, parties=live_party_or_none)
    if not form.is_valid():
        return _contact_form_response(request, form)
    token = form.cleaned_data["token"]
    try:
        with transaction.atomic():
            once = idempotency_claim(
                user=request.user, endpoint=CONTACT_ENDPOINT, key=token, fingerprint=_fingerprint(request.POST)
            )
            if once is None:
                return _confirmation_response(request, token, replayed=True)
            contact, case = contact_log_with_case(actor=request.user, **form.service_arguments())
            logged = {"contact": contact.pk, "case": case.pk if case else None}
            idempotency_record(once, status_code=201, response=logged)
    except ValidationError as exc:
        errors_into_form(form, _case_errors_on_fields(errors_of(exc)))
        return _contact_form_response(request, form)
    except PartyMerged:
        form.add_error("party", _("This party was merged into another one meanwhile; search again."))
        return _contact_form_response(request, form)
    return _confirmation_response(request, token)


def _case_errors_on_fields(errors: dict) -> dict:
    """``contact_log_with_case`` names a case's errors ``case: "<field>: message"``: put them at the field."""
    fields = {}
    for field, messages in errors.items():
        for message in messages:
            name, sep, text = message.partition(": ")
            if field == "case" and sep and name in ContactForm.base_fields:
                fields.setdefault(name, []).append(text)
            else:
                fields.setdefault(field, []).append(message)
    return fields


def _contact_form_response(request, form: ContactForm):
    if not request.htmx:
        return page(request, contact_form=form, party=form.party_obj, status=422)
    context = {"contact_form": form, "chosen_party": form.party_obj}
    return render(request, "staff/frontdesk/_contact_form.html", context)


def _confirmation_response(request, token: str, *, replayed: bool = False):
    if not request.htmx:
        return redirect(f"{reverse('staff:frontdesk')}?{urlencode({'bevestiging': token})}")
    confirmation = logged_contact(request, token) or {}
    context = {"confirmation": confirmation | {"replayed": replayed}}
    return render(request, "staff/frontdesk/_confirmation.html", context)


# Call-back requests.


@require_POST
@staff_page(roles=ROLES, permission="cases.view_case")
def callback_new(request):
    form = CallbackForm(data=request.POST, parties=live_party_or_none)
    callback = None
    if form.is_valid():
        try:
            callback = callback_request(actor=request.user, **form.service_arguments())
        except ValidationError as exc:
            errors_into_form(form, errors_of(exc))
    if callback is None:
        if not request.htmx:
            return page(request, callback_form=form, party=form.party_obj, status=422)
        context = {"callback_form": form, "chosen_party": form.party_obj}
        return render(request, "staff/frontdesk/_callback_form.html", context)
    fresh = callback_form(party=form.party_obj)
    if not request.htmx:
        return page(request, callback_form=fresh, callback_done=callback, party=form.party_obj)
    context = {"callback_form": fresh, "callback_done": callback, "chosen_party": form.party_obj}
    return render(request, "staff/frontdesk/_callback_form.html", context)
