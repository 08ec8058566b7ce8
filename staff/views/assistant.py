"""The virtual assistant's unanswered questions ("Vragen van de assistent", ``/assistent/vragen/``): the open ones
grouped on their normalised text over the last 7, 30 or 90 days, "web page updated" per group, and per month the
share of the groups asked whose web page was updated (the KPI "web pages updated from the assistant's feedback").

The action is a plain form and a redirect: it works without JavaScript, and a second click (or a colleague who was
first) only says that nothing was left to mark.
"""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from public.selectors_assistant import (
    assistant_feedback_per_month,
    assistant_question_groups,
    assistant_questions_handled_recently,
)
from public.services_assistant import QUESTION_ROLES, assistant_questions_mark_updated

from ..access import staff_page
from ..navigation import NavItem, register

PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30

register(NavItem("staff:assistant-questions", gettext_lazy("Assistant's questions"), roles=QUESTION_ROLES, order=45))


def _period(value: str | None) -> int:
    try:
        days = int(value or DEFAULT_PERIOD)
    except ValueError:
        return DEFAULT_PERIOD
    return days if days in PERIODS else DEFAULT_PERIOD


@require_GET
@staff_page(roles=QUESTION_ROLES)
def question_list(request):
    days = _period(request.GET.get("periode"))
    context = {
        "days": days,
        "periods": PERIODS,
        "groups": list(assistant_question_groups(since=timezone.now() - timedelta(days=days))),
        "per_month": list(assistant_feedback_per_month()),
        "handled": [_with_name(row) for row in assistant_questions_handled_recently()],
    }
    return render(request, "staff/assistant/questions.html", context)


def _with_name(row: dict) -> dict:
    name = f"{row['handled_by__first_name']} {row['handled_by__last_name']}".strip()
    return {**row, "handled_by": name or row["handled_by__username"]}


@require_POST
@staff_page(roles=QUESTION_ROLES)
def question_mark_updated(request):
    """ "Web page updated" on one group: its open questions leave the list."""
    days = _period(request.POST.get("periode"))
    try:
        count = assistant_questions_mark_updated(
            actor=request.user, normalised_text=request.POST.get("normalised_text", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if count:
            messages.success(
                request,
                ngettext(
                    "Web page updated: %(count)d question handled.",
                    "Web page updated: %(count)d questions handled.",
                    count,
                )
                % {"count": count},
            )
        else:
            messages.info(request, _("These questions were handled already."))
    return redirect(f"{reverse('staff:assistant-questions')}?periode={days}")


urlpatterns = [
    path("assistent/vragen/", question_list, name="assistant-questions"),
    path("assistent/vragen/webpagina-aangepast/", question_mark_updated, name="assistant-questions-updated"),
]
