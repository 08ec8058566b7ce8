"""The citizen's status page, reached through the link in a notification or a look-up by reference and tracking
code, with its read receipt and the citizen's answer while the case waits for them."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.csrf import csrf_protect
from rest_framework.throttling import SimpleRateThrottle

from cases.selectors import PUBLIC_LANGUAGES, case_for_citizen, public_language
from cases.services import CaseNotWaiting, case_citizen_reply
from cases.services.replies import CITIZEN_REPLY_MAX_LENGTH
from cases.workflow import CaseState
from midoffice import oidc
from midoffice.throttling import client_ip

from . import links, selectors, services, surveys
from .errors import StatusLinkExpired, StatusLinkInvalid

LANGUAGE_NAMES = {"nl": "Nederlands", "fr": "Français", "en": "English"}


class LookupThrottle(SimpleRateThrottle):
    """Look-ups per client address, at the public status API's rate for citizens (PUBLIC_STATUS_ADDRESS_RATE)."""

    scope = "status_page_lookup"

    def __init__(self):
        self.rate = settings.PUBLIC_STATUS_ADDRESS_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request) or "unknown"}


class LookupForm(forms.Form):
    reference = forms.CharField(label=_("Case number"), max_length=20)
    code = forms.CharField(label=_("Code"), max_length=20, help_text=_("The tracking code in our first message."))


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Your answer"),
        max_length=CITIZEN_REPLY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


def _invalid(request, exc: StatusLinkInvalid):
    return render(
        request,
        "notifications/status_invalid.html",
        {"expired": isinstance(exc, StatusLinkExpired), "message": exc.detail},
        status=exc.status_code,
    )


def _status_page(request, token: str, link: links.StatusLink, *, reply_form=None, notice="", status=200):
    case = link.case
    survey = selectors.open_survey(case)
    return render(
        request,
        "notifications/status.html",
        {
            "case": case,
            "case_type_name": case.case_type.public_name(link.language),
            "state": case.get_state_display(),
            "messages": selectors.public_messages(case, with_replies=True),
            "read_url": reverse("status-read", args=[token]) if link.notification else "",
            "waiting": case.state == CaseState.WAITING,
            "reply_url": reverse("status-reply", args=[token]),
            "reply_form": reply_form or ReplyForm(),
            "notice": notice,
            "survey_url": reverse("survey-page", args=[surveys.survey_token(survey)]) if survey else "",
        },
        status=status,
    )


@method_decorator(csrf_protect, name="dispatch")
class StatusLookupView(View):
    """Public: a case found by its reference and tracking code leads to its status page. A missing case and a
    wrong code answer alike; attempts are throttled per address."""

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
                    # Citizens who sign in with ACM/IDM see all their cases (public.views_citizen).
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
        if case is None:
            with translation.override(language):
                error = _("We find no request with this case number and code. Check both and try again.")
            return self._render(request, language, form, error=error, status=404)
        return HttpResponseRedirect(reverse("status-page", args=[links.case_status_token(case, language)]))


@method_decorator(csrf_protect, name="dispatch")
class StatusPageView(View):
    """Public: what the city told the citizen about their case, and no personal data.

    Showing the page records nothing: mail scanners fetch every link in a message. The page's script
    (static/notifications/read-receipt.js) posts the read receipt once a person has the page in view.
    """

    def get(self, request, token: str):
        try:
            link = links.status_from_token(token)
        except StatusLinkInvalid as exc:
            return _invalid(request, exc)
        with translation.override(link.language):
            notice = _("Thank you: your answer was sent to the city.") if request.GET.get("beantwoord") else ""
            return _status_page(request, token, link, notice=notice)


@method_decorator(csrf_protect, name="dispatch")
class StatusReplyView(View):
    """The citizen's answer while the case waits for them; back to the status page, or the page with the refusal."""

    http_method_names = ["post"]

    def post(self, request, token: str):
        try:
            link = links.status_from_token(token)
        except StatusLinkInvalid as exc:
            return _invalid(request, exc)
        with translation.override(link.language):
            form = ReplyForm(request.POST)
            if not form.is_valid():
                return _status_page(request, token, link, reply_form=form, status=400)
            try:
                case_citizen_reply(case=link.case, text=form.cleaned_data["text"])
            except CaseNotWaiting as exc:
                link.case.refresh_from_db()
                return _status_page(request, token, link, notice=exc.detail, status=exc.status_code)
            except ValidationError as exc:
                for message in exc.message_dict.get("text", []):
                    form.add_error("text", message)
                return _status_page(request, token, link, reply_form=form, status=400)
        return HttpResponseRedirect(reverse("status-page", args=[token]) + "?beantwoord=1")


@method_decorator(csrf_protect, name="dispatch")
class StatusReadView(View):
    """The read receipt: a same-origin POST with the CSRF token of the status page; 204, or 404 for a bad link."""

    http_method_names = ["post"]

    def post(self, request, token: str):
        try:
            notification = links.notification_from_token(token)
        except StatusLinkInvalid:
            return HttpResponse(status=404)
        services.notification_mark_read(notification=notification)
        return HttpResponse(status=204)


SCORES = [(n, str(n)) for n in range(1, 6)]


class SurveyForm(forms.Form):
    answer_score = forms.TypedChoiceField(
        label=_("How satisfied are you with the answer you got?"), choices=SCORES, coerce=int, widget=forms.RadioSelect
    )
    speed_score = forms.TypedChoiceField(
        label=_("How satisfied are you with how fast we handled it?"),
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    service_score = forms.TypedChoiceField(
        label=_("How satisfied are you with how we helped you?"), choices=SCORES, coerce=int, widget=forms.RadioSelect
    )
    # Cleaned of invisible characters by the service, which also guards the length for the API.
    comment = forms.CharField(
        label=_("Anything you want to tell us?"),
        required=False,
        max_length=surveys.SURVEY_COMMENT_MAX_LENGTH,
        widget=forms.Textarea,
    )
    reopen = forms.BooleanField(label=_("My request was not solved: please reopen it."), required=False)


@method_decorator(csrf_protect, name="dispatch")
class SurveyPageView(View):
    """Public: the three questions of the satisfaction survey behind a signed, single-use link."""

    def _survey(self, request, token):
        try:
            return surveys.survey_from_token(token), None
        except surveys.SurveyInvalid as exc:
            return None, render(request, "notifications/survey_closed.html", {"message": exc.detail}, status=404)

    def get(self, request, token: str):
        survey, refusal = self._survey(request, token)
        if refusal:
            return refusal
        if survey.answered_at:
            return render(request, "notifications/survey_closed.html", {"message": surveys.SurveyAnswered().detail})
        return render(request, "notifications/survey.html", {"form": SurveyForm(), "case": survey.case})

    def post(self, request, token: str):
        survey, refusal = self._survey(request, token)
        if refusal:
            return refusal
        form = SurveyForm(request.POST)
        if not form.is_valid():
            return render(request, "notifications/survey.html", {"form": form, "case": survey.case}, status=400)
        try:
            surveys.survey_answer(survey=survey, **form.cleaned_data)
        except surveys.SurveyAnswered as exc:
            return render(request, "notifications/survey_closed.html", {"message": exc.detail}, status=409)
        return render(request, "notifications/survey_thanks.html", {"case": survey.case})
