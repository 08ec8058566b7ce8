"""The citizen's status page, reached through the link in a notification (a read receipt)."""

from django import forms
from django.shortcuts import render
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.csrf import csrf_protect

from . import selectors, services, surveys


class StatusPageView(View):
    """Public: what the city told the citizen about their case, and no personal data."""

    def get(self, request, token: str):
        notification = services.notification_from_token(token)
        if notification is None:
            return render(request, "notifications/status_invalid.html", status=404)
        services.notification_mark_read(notification=notification)
        case = notification.case
        with translation.override(notification.language or "nl"):
            return render(
                request,
                "notifications/status.html",
                {
                    "case": case,
                    "state": case.get_state_display(),
                    "messages": selectors.public_messages(case),
                },
            )


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
    comment = forms.CharField(label=_("Anything you want to tell us?"), required=False, widget=forms.Textarea)
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
