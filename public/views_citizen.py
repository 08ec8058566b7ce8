"""Citizens sign in with ACM/IDM (``/burger/…``) to see their own cases; pages in the citizen's language. And the
look-up of a case by reference and tracking code (``/status/``) and the citizen's answer, with files, on its status
page (``/status/<token>/antwoord/``)."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rest_framework.throttling import SimpleRateThrottle

from cases.models import Case
from cases.selectors import PUBLIC_LANGUAGES, case_for_citizen, public_language
from cases.services import CaseNotWaiting
from contacts.models import Channel, Source
from midoffice import oidc
from midoffice.throttling import client_ip
from notifications import links
from notifications.errors import StatusLinkInvalid
from notifications.views import ReplyForm, attachment_limits, render_invalid, render_status_page

from . import selectors, services
from .citizen_auth import STATES_SESSION_KEY, citizen_sign_in, citizen_sign_out, request_citizen
from .services_citizen import citizen_party_for

LANGUAGE_NAMES = {"nl": "Nederlands", "fr": "Français", "en": "English"}


class LookupThrottle(SimpleRateThrottle):
    """Look-ups per client address, at the public status API's rate for citizens (PUBLIC_STATUS_ADDRESS_RATE)."""

    scope = "status_page_lookup"

    def __init__(self):
        self.rate = settings.PUBLIC_STATUS_ADDRESS_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request) or "unknown"}


class CitizenIntakeThrottle(SimpleRateThrottle):
    """Submissions per signed-in citizen, at the intake API's rate for citizens (PUBLIC_INTAKE_CITIZEN_RATE)."""

    scope = "public_intake_citizen"

    def __init__(self, party_id: int):
        self.party_id = party_id
        self.rate = settings.PUBLIC_INTAKE_CITIZEN_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)

    def get_cache_key(self, request, view):
        # The API's CitizenThrottle counts under the same key: the form and the API share one budget.
        return self.cache_format % {"scope": self.scope, "ident": self.party_id}


class ReportForm(forms.Form):
    """A signed-in citizen's question or report; who they are comes from the login."""

    case_type = forms.ChoiceField(label=_("What is it about?"))
    description = forms.CharField(
        label=_("Your question or report"),
        max_length=services.DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    location = forms.CharField(
        label=_("Where?"), max_length=300, required=False, help_text=_("An address or a place, when it matters.")
    )
    postal_code = forms.CharField(label=_("Postal code"), max_length=10, required=False)
    # Rendered and read by hand (several files; checked by the intake service): the field carries their refusals.
    attachments = forms.FileField(label=_("Attachments"), required=False)

    def __init__(self, *args, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case_type"].choices = [
            ("", _("Choose")),
            *((case_type.code, case_type.public_name(language)) for case_type in selectors.public_case_types(language)),
        ]


class LookupForm(forms.Form):
    reference = forms.CharField(label=_("Case number"), max_length=20)
    code = forms.CharField(label=_("Code"), max_length=20, help_text=_("The tracking code in our first message."))


@method_decorator(csrf_protect, name="dispatch")
class StatusLookupView(View):
    """Public: a case found by its reference and tracking code leads to its status page. A missing case and a
    wrong code answer alike; attempts are throttled per address. Each look-up, found or not, is counted for the KPI
    "status requests per channel" (website, web form)."""

    def _language(self, request) -> str:
        chosen = request.GET.get("taal", "")
        return chosen if chosen in PUBLIC_LANGUAGES else public_language(request.headers.get("Accept-Language", ""))

    def _render(self, request, language: str, form, *, error="", status=200):
        with translation.override(language):
            return render(
                request,
                "notifications/status_lookup.html",
                {
                    "form": form,
                    "error": error,
                    "language": language,
                    "languages": [(code, LANGUAGE_NAMES[code]) for code in PUBLIC_LANGUAGES if code != language],
                    # Citizens who sign in with ACM/IDM see all their cases (my_cases below).
                    "citizen_sign_in": oidc.enabled(),
                },
                status=status,
            )

    def get(self, request):
        return self._render(request, self._language(request), LookupForm())

    def post(self, request):
        language = self._language(request)
        throttle = LookupThrottle()
        if not throttle.allow_request(request, self):
            with translation.override(language):
                error = _("Too many attempts. Try again in a minute.")
            response = self._render(request, language, LookupForm(request.POST), error=error, status=429)
            response["Retry-After"] = str(int(throttle.wait() or 60))
            return response
        form = LookupForm(request.POST)
        if not form.is_valid():
            return self._render(request, language, form, status=400)
        case = case_for_citizen(form.cleaned_data["reference"], form.cleaned_data["code"])
        services.status_lookup_record(client=None, case=case, channel=Channel.WEBSITE, source=Source.WEB_FORM)
        if case is None:
            with translation.override(language):
                error = _("We find no request with this case number and code. Check both and try again.")
            return self._render(request, language, form, error=error, status=404)
        return HttpResponseRedirect(reverse("status-page", args=[links.case_status_token(case, language)]))


def _callback_uri(request) -> str:
    return request.build_absolute_uri(reverse("citizen-callback"))


def _language(request) -> str:
    return public_language(request.headers.get("Accept-Language", ""))


@require_GET
def sign_in(request):
    if not oidc.enabled():
        raise Http404
    return oidc.authorization_redirect(request, session_key=STATES_SESSION_KEY, redirect_uri=_callback_uri(request))


@require_GET
def callback(request):
    """The provider's answer: a verified INSZ at the required level becomes the citizen's session; anything else
    is refused and nothing is written."""
    if not oidc.enabled():
        raise Http404
    try:
        claims = oidc.callback_claims(request, session_key=STATES_SESSION_KEY, redirect_uri=_callback_uri(request))
        if not claims.get("rrn"):
            raise oidc.OidcRefused(oidc.UNVERIFIED)
        party = citizen_party_for(
            national_number=str(claims["rrn"]),
            given_name=str(claims.get("given_name") or ""),
            family_name=str(claims.get("family_name") or ""),
        )
    except oidc.OidcRefused as exc:
        with translation.override(_language(request)):
            return render(request, "public/citizen_refused.html", {"message": exc.message}, status=403)
    citizen_sign_in(request, party_id=party.pk, acr=claims["acr"])
    return redirect("citizen-cases")


@require_POST
def sign_out(request):
    """Ends the citizen's session here and at the provider, which sends them back to the status page."""
    signed_in = request_citizen(request) is not None
    citizen_sign_out(request)
    if signed_in and oidc.enabled():
        lookup = request.build_absolute_uri(reverse("status-lookup"))
        return redirect(oidc.end_session_url(post_logout_redirect_uri=lookup))
    return redirect("status-lookup")


@require_GET
def my_cases(request):
    """The signed-in citizen's cases, newest first (at most 50; the API pages through all of them)."""
    citizen = request_citizen(request)
    if citizen is None:
        return redirect("citizen-sign-in" if oidc.enabled() else "status-lookup")
    language = _language(request)
    cases = [selectors.case_public_status(case, language) for case in selectors.cases_of_party(citizen.party_id)[:50]]
    with translation.override(language):
        return render(request, "public/citizen_cases.html", {"cases": cases})


@csrf_protect
@require_http_methods(["GET", "POST"])
def report(request):
    """A signed-in citizen submits a question or report (``intake_submit`` as themselves, through the website's
    form) and is told its case number, tracking code, expected date and who handles it."""
    citizen = request_citizen(request)
    if citizen is None:
        return redirect("citizen-sign-in" if oidc.enabled() else "status-lookup")
    language = _language(request)
    with translation.override(language):
        form = ReportForm(request.POST or None, language=language)
        status = 200
        if request.method == "POST":
            status = 400
            throttle = CitizenIntakeThrottle(citizen.party_id)
            if not throttle.allow_request(request, None):
                form.add_error(None, _("You sent many requests in a short time. Try again later."))
                response = render(request, "public/citizen_report.html", _form_context(form), status=429)
                response["Retry-After"] = str(int(throttle.wait() or 60))
                return response
            party = selectors.citizen_party(citizen.party_id)
            if party is None:
                citizen_sign_out(request)
                return redirect("citizen-sign-in" if oidc.enabled() else "status-lookup")
            if form.is_valid():
                case = _submit(form, party, request.FILES.getlist("attachments"))
                if case is not None:
                    done = {
                        "case": case,
                        "case_type_name": case.case_type.public_name(language),
                        "expected_date": selectors.expected_date(case),
                        "status_url": reverse("status-page", args=[links.case_status_token(case, language)]),
                    }
                    return render(request, "public/citizen_report_done.html", done, status=201)
        return render(request, "public/citizen_report.html", _form_context(form), status=status)


def _form_context(form: ReportForm) -> dict:
    return {"form": form, **attachment_limits()}


def _submit(form: ReportForm, party, files) -> Case | None:
    """The form's submission, or None with the service's refusals on the form's fields (nothing written)."""
    uploads = [services.Upload(name=f.name, content_type=f.content_type, size=f.size, file=f) for f in files]
    try:
        _contact, case, _stored = services.intake_submit(
            client=None,
            citizen_party=party,
            channel=Channel.WEBSITE,
            source=Source.WEB_FORM,
            case_type=form.cleaned_data["case_type"],
            description=form.cleaned_data["description"],
            location=form.cleaned_data["location"],
            postal_code=form.cleaned_data["postal_code"],
            attachments=uploads,
        )
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            for message in messages:
                form.add_error(field if field in form.fields else None, message)
        return None
    return case


@csrf_protect
@require_POST
def status_reply(request, token: str):
    """The citizen's answer while the case waits for them, with its files; back to the status page, or the page with
    the refusal next to its field (nothing written)."""
    try:
        link = links.status_from_token(token)
    except StatusLinkInvalid as exc:
        return render_invalid(request, exc)
    with translation.override(link.language):
        form = ReplyForm(request.POST)
        if not form.is_valid():
            return render_status_page(request, token, link, reply_form=form, status=400)
        uploads = [
            services.Upload(name=f.name, content_type=f.content_type, size=f.size, file=f)
            for f in request.FILES.getlist("attachments")
        ]
        try:
            services.citizen_reply_submit(case=link.case, text=form.cleaned_data["text"], attachments=uploads)
        except CaseNotWaiting as exc:
            link.case.refresh_from_db()
            return render_status_page(request, token, link, notice=exc.detail, status=exc.status_code)
        except ValidationError as exc:
            for field in ("text", "attachments"):
                for message in exc.message_dict.get(field, []):
                    form.add_error(field, message)
            return render_status_page(request, token, link, reply_form=form, status=400)
    return HttpResponseRedirect(reverse("status-page", args=[token]) + "?beantwoord=1")


urlpatterns = [
    path("aanmelden/", sign_in, name="citizen-sign-in"),
    path("callback/", callback, name="citizen-callback"),
    path("afmelden/", sign_out, name="citizen-sign-out"),
    path("dossiers/", my_cases, name="citizen-cases"),
    path("melden/", report, name="citizen-report"),
]
