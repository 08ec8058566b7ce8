"""The citizen's status page, reached through the link in a notification or a look-up by reference and tracking
code, with its read receipt; the look-up and the citizen's answer are in public.views_citizen."""

from django import forms
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.csrf import csrf_protect

from cases.services.replies import CITIZEN_REPLY_MAX_LENGTH
from cases.workflow import CaseState

from . import links, selectors, services, surveys
from .errors import StatusLinkExpired, StatusLinkInvalid


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Your answer"),
        max_length=CITIZEN_REPLY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    # Rendered and read by hand (several files; checked by public.services.citizen_reply_submit, as the intake is):
    # the field carries their refusals.
    attachments = forms.FileField(label=_("Attachments"), required=False)


def attachment_limits() -> dict:
    """What a citizen's form says about the files it takes."""
    return {
        "attachment_types": ", ".join(kind.split("/")[-1].upper() for kind in settings.PUBLIC_ATTACHMENT_CONTENT_TYPES),
        "attachment_max_mb": f"{settings.PUBLIC_ATTACHMENT_MAX_BYTES / 1_000_000:g}",
        "attachment_max_count": settings.PUBLIC_ATTACHMENT_MAX_COUNT,
        "attachment_accept": ",".join(settings.PUBLIC_ATTACHMENT_CONTENT_TYPES),
    }


def render_invalid(request, exc: StatusLinkInvalid):
    return render(
        request,
        "notifications/status_invalid.html",
        {"expired": isinstance(exc, StatusLinkExpired), "message": exc.detail},
        status=exc.status_code,
    )


def render_status_page(request, token: str, link: links.StatusLink, *, reply_form=None, notice="", status=200):
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
            **attachment_limits(),
            "notice": notice,
            "survey_url": reverse("survey-page", args=[surveys.survey_token(survey)]) if survey else "",
        },
        status=status,
    )


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
            return render_invalid(request, exc)
        with translation.override(link.language):
            notice = _("Thank you: your answer was sent to the city.") if request.GET.get("beantwoord") else ""
            return render_status_page(request, token, link, notice=notice)


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
