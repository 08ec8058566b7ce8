"""The front desk's screen: finding, showing and creating the party, the screen-pop, the page and its parts."""

from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from cases.selectors import case_get, case_list_for_user
from contacts.errors import DuplicateIdentifier
from contacts.identifiers import clean_email, clean_national_number, clean_phone, format_phone
from contacts.models import AccessLog, Channel, Contact, ContactPointKind, Party, PartyKind
from contacts.selectors import (
    contact_get_for_user,
    contact_list_for_user,
    last_contact_dates,
    load_representatives,
    party_get,
    party_ids_shown,
    party_search,
)
from contacts.services import access_log_record_shown, party_create
from midoffice.idempotency import MAX_KEY_LENGTH, idempotency_first
from midoffice.permissions import roles_and_permissions
from midoffice.roles import FRONT_DESK, KCC, SUPERVISOR

from ...access import staff_page
from ...forms import errors_into_form
from ...forms_frontdesk import (
    CallbackForm,
    ContactForm,
    OrganisationForm,
    PersonForm,
    default_callback_due,
    new_form_token,
)
from ...navigation import NavItem, register

ROLES = (FRONT_DESK, KCC, SUPERVISOR)
VIA_SEARCH = AccessLog.Via.STAFF_SEARCH
VIA_RECORD = AccessLog.Via.STAFF_FRONTDESK
RESULTS_SHOWN = 10
RECENT_CONTACTS = 5
OPEN_CASES_SHOWN = 10
# The endpoint under which a contact form's one-time token is kept (midoffice.models.IdempotentRequest).
CONTACT_ENDPOINT = "staff:frontdesk-contact"
# htmx swaps only 2xx answers (its default): a fragment with errors answers 200, the whole page 422.

register(NavItem("staff:frontdesk", gettext_lazy("New contact"), roles=ROLES, order=10))


# Reading and showing parties.


def _party_or_none(pk) -> Party | None:
    try:
        return party_get(int(pk))
    except (Party.DoesNotExist, TypeError, ValueError, OverflowError):
        return None


def live_party_or_none(pk) -> Party | None:
    """A party that can still be chosen: a merged one's survivor, as the services would use."""
    party = _party_or_none(pk)
    if party is not None and party.is_tombstone:
        party = _party_or_none(party.survivor().pk)
    return party


def masked_national_number(value: str | None) -> str:
    """The birth date part of an INSZ, the rest hidden: enough to tell namesakes apart over the counter."""
    if not value:
        return ""
    return f"{value[0:2]}.{value[2:4]}.{value[4:6]}-***.**"


def _preferred(party: Party, kind: str):
    """The party's preferred contact point of ``kind`` from the prefetched ones (ordered preferred first)."""
    return next((point for point in party.contact_points.all() if point.kind == kind), None)


def _address_line(point) -> str:
    if point is None:
        return ""
    street = " ".join(p for p in (point.street, point.house_number) if p)
    city = " ".join(p for p in (point.postal_code, point.city) if p)
    return ", ".join(p for p in (street, city) if p) or point.value


def _result_rows(parties: list[Party]) -> list[dict]:
    last = last_contact_dates([party.pk for party in parties])
    return [
        {
            "party": party,
            "birth_year": party.birth_date.year if party.birth_date else None,
            "national_number": masked_national_number(party.national_number),
            "address": _address_line(_preferred(party, ContactPointKind.ADDRESS)),
            "last_contact": last.get(party.pk),
            "representatives": list(party.representatives.all()) if party.kind != PartyKind.PERSON else [],
        }
        for party in parties
    ]


def _show_results(request, parties) -> dict:
    """The first results of a search, access-logged as the API logs its search results."""
    page = load_representatives(parties[: RESULTS_SHOWN + 1])
    shown = page[:RESULTS_SHOWN]
    access_log_record_shown(user=request.user, party_ids=party_ids_shown(shown), via=VIA_SEARCH)
    return {"results": _result_rows(shown), "more": len(page) > RESULTS_SHOWN, "shown": RESULTS_SHOWN}


def _search(request, q: str) -> dict:
    q = q.strip()[:200]
    if not q:
        return {"q": ""}
    try:
        parties = party_search(q=q)
    except ValidationError:
        parties = []
    return {"q": q, "searched": True, **_show_results(request, parties), "new_party": _new_party_prefill(q)}


def _with_prefill_query(state: dict) -> dict:
    return state | {"prefill_query": _prefill_query(state.get("new_party", {}))}


def _new_party_prefill(q: str) -> dict:
    """What the clerk typed in the search box, put in the right field of a new party's form."""
    if not q:
        return {}
    for field, cleaner in (("email", clean_email), ("national_number", clean_national_number), ("phone", clean_phone)):
        if field == "email" and "@" not in q:
            continue
        try:
            cleaner(q)
        except ValidationError:
            continue
        return {field: q}
    if any(c.isdigit() for c in q):
        return {}
    given, _space, family = q.partition(" ")
    return {"given_name": given, "family_name": family, "name": q}


# The form's fields and the query parameters that prefill them (``party_new``).
PREFILL_PARAMETERS = {
    "phone": "telefoon",
    "email": "email",
    "national_number": "insz",
    "given_name": "voornaam",
    "family_name": "familienaam",
    "name": "naam",
}


def _prefill_query(prefill: dict) -> str:
    return urlencode({PREFILL_PARAMETERS[field]: value for field, value in prefill.items() if value})


def _party_panel(request, party: Party) -> dict:
    """The panel of the chosen party: who it is, its recent contacts and open cases. Access-logged."""
    contacts = list(contact_list_for_user(request.user, party=party.pk)[:RECENT_CONTACTS])
    cases = list(case_list_for_user(request.user, party=party.pk, open=True)[:OPEN_CASES_SHOWN])
    access_log_record_shown(user=request.user, party_ids=party_ids_shown([party]), via=VIA_RECORD)
    phone = _preferred(party, ContactPointKind.PHONE)
    email = _preferred(party, ContactPointKind.EMAIL)
    return {
        "party": party,
        "party_url": reverse("staff:party", args=[party.pk]),
        "phone": phone.display_value if phone else "",
        "email": email.value if email else "",
        "address": _address_line(_preferred(party, ContactPointKind.ADDRESS)),
        "representatives": list(party.representatives.all()) if party.kind != PartyKind.PERSON else [],
        "recent_contacts": contacts,
        "open_cases": cases,
    }


def _initial_channel(user, number: str) -> str:
    """The phone for the KCC (the phone staff) and a screen-pop, the counter for the front desk."""
    if number:
        return Channel.PHONE
    roles = roles_and_permissions(user)[0]
    if user.is_superuser or (roles & {KCC, SUPERVISOR} and FRONT_DESK not in roles):
        return Channel.PHONE
    return Channel.COUNTER


def _contact_form(request, *, party: Party | None = None, channel: str = Channel.COUNTER) -> ContactForm:
    return ContactForm(initial={"token": new_form_token(), "party": party.pk if party else None, "channel": channel})


def callback_form(*, party: Party | None = None, phone: str = "") -> CallbackForm:
    return CallbackForm(
        initial={"party": party.pk if party else None, "phone": phone, "due_by": default_callback_due()}
    )


def _new_party_form(kind: str, *, initial: dict | None = None, data=None):
    form_class = OrganisationForm if kind == "organisatie" else PersonForm
    return form_class(data=data, initial=initial or {})


def _screen_pop(request, number: str) -> dict:
    """``?nummer=``: the caller's party when the number is known to exactly one, else the candidates or a new person."""
    try:
        phone = clean_phone(number)
    except ValidationError:
        return {"number_error": _("The caller's number %(number)s is not a valid phone number.") % {"number": number}}
    matches = list(party_search(phone=phone)[: RESULTS_SHOWN + 1])
    if len(matches) == 1:
        return {"party": load_representatives(matches)[0], "number": format_phone(phone)}
    state = {"number": format_phone(phone), "new_party": {"phone": format_phone(phone)}, "searched": True}
    if matches:
        return state | _show_results(request, matches) | {"several": True}
    return state | {"results": [], "unknown_number": True}


def page(request, *, status: int = 200, **slots):
    """The whole screen; ``slots`` replaces a part's default (``contact_form``, ``confirmation``, ``party``,
    ``new_party_form``, ``callback_form``, ``callback_done``, search state)."""
    party = slots.get("party")
    context = {
        "q": "",
        "results": None,
        "prefill_query": _prefill_query(slots.get("new_party", {})),
        "channel": _initial_channel(request.user, slots.get("number", "")),
        **(_party_panel(request, party) if party is not None else {}),
        **slots,
    }
    if "contact_form" not in context:
        context["contact_form"] = _contact_form(request, party=party, channel=context["channel"])
        # The screen-pop found the caller: the clerk starts typing the subject.
        if party is not None and not context.get("new_party_form"):
            context["contact_form"].fields["subject"].widget.attrs["autofocus"] = True
            context["focus_subject"] = True
    context.setdefault("callback_form", callback_form(party=party, phone=slots.get("number", "")))
    context["chosen_party"] = party
    return render(request, "staff/frontdesk/page.html", context, status=status)


@require_GET
@staff_page(roles=ROLES)
def frontdesk(request):
    """The screen, fresh; ``?nummer=`` pops the caller up, ``?q=`` searches, ``?partij=`` opens a party,
    ``?nieuw=persoon|organisatie`` offers a new party, ``?bevestiging=`` shows a logged contact (after a POST)."""
    slots = {}
    if token := request.GET.get("bevestiging"):
        confirmation = logged_contact(request, token)
        if confirmation is not None:
            slots["confirmation"] = confirmation
    if number := request.GET.get("nummer", "").strip()[:40]:
        slots |= _screen_pop(request, number)
    elif q := request.GET.get("q", ""):
        slots |= _search(request, q)
    if "party" not in slots and (pk := request.GET.get("partij")):
        party = live_party_or_none(pk)
        if party is not None:
            slots["party"] = party
    if kind := request.GET.get("nieuw"):
        slots["new_party_form"] = _new_party_form(kind, initial=slots.get("new_party"))
    return page(request, **slots)


@require_GET
@staff_page(roles=ROLES)
def search(request):
    """The results fragment of the search box (as you type)."""
    if not request.htmx:
        return redirect(f"{reverse('staff:frontdesk')}?{request.GET.urlencode()}")
    state = _with_prefill_query(_search(request, request.GET.get("q", ""))) | {"oob_status": True}
    return render(request, "staff/frontdesk/_results.html", state)


def _panel_response(request, party: Party, *, status: int = 200):
    """The party panel, and the contact and call-back forms told whom they are for (out-of-band swaps)."""
    context = _party_panel(request, party) | {"chosen_party": party, "oob": True}
    return render(request, "staff/frontdesk/_party.html", context, status=status)


@require_GET
@staff_page(roles=ROLES)
def party_panel(request, pk: int):
    party = live_party_or_none(pk)
    if not request.htmx:
        return redirect(f"{reverse('staff:frontdesk')}?partij={party.pk if party else ''}")
    if party is None:
        return render(request, "staff/frontdesk/_party_gone.html")
    return _panel_response(request, party)


@require_GET
@staff_page(roles=ROLES)
def party_clear(request):
    """No party: the contact becomes anonymous."""
    if not request.htmx:
        return redirect("staff:frontdesk")
    return render(request, "staff/frontdesk/_party.html", {"chosen_party": None, "oob": True})


@require_http_methods(["GET", "POST"])
@staff_page(roles=ROLES, permission="contacts.add_party")
def party_new(request):
    """A new person or organisation (``soort``), created through ``party_create``; then its panel."""
    kind = request.POST.get("soort") or request.GET.get("soort", "persoon")
    if request.method == "GET":
        initial = {
            field: request.GET[param][:200] for field, param in PREFILL_PARAMETERS.items() if request.GET.get(param)
        }
        form = _new_party_form(kind, initial=initial)
        if not request.htmx:
            return page(request, new_party_form=form)
        return render(request, "staff/frontdesk/_party_form.html", {"new_party_form": form})
    form = _new_party_form(kind, data=request.POST)
    party = None
    if form.is_valid():
        try:
            party = party_create(actor=request.user, **form.service_arguments())
        except ValidationError as exc:
            errors_into_form(form, _address_errors_on_street(errors_of(exc)))
        except DuplicateIdentifier as exc:
            form.add_error(exc.extra["field"] if exc.extra["field"] in form.fields else None, exc.detail)
    if party is None:
        if not request.htmx:
            return page(request, new_party_form=form, status=422)
        return render(request, "staff/frontdesk/_party_form.html", {"new_party_form": form})
    party = party_get(party.pk)
    if not request.htmx:
        return redirect(f"{reverse('staff:frontdesk')}?partij={party.pk}")
    return _panel_response(request, party)


def errors_of(exc: ValidationError) -> dict:
    """A service's errors by field (those of no field under ``None``: the top of the form)."""
    return exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}


def _address_errors_on_street(errors: dict) -> dict:
    """The services name an address's errors ``address``: the form shows them at the street."""
    return {("street" if field == "address" else field): messages for field, messages in errors.items()}


def logged_contact(request, token: str) -> dict | None:
    """What the contact logged with the form ``token`` came to, for its confirmation (None if there is none)."""
    first = idempotency_first(user=request.user, endpoint=CONTACT_ENDPOINT, key=token[:MAX_KEY_LENGTH])
    if first is None or not first.response.get("contact"):
        return None
    try:
        contact = contact_get_for_user(request.user, first.response["contact"])
    except Contact.DoesNotExist:
        return None
    case = case_get(first.response["case"]) if first.response.get("case") else None
    return {"contact": contact, "case": case}
