"""Every read of the virtual assistant's statistics: its unanswered questions grouped for the web editors."""

from datetime import datetime

from django.db.models import Count, F, FloatField, Max, Min, Q, QuerySet
from django.db.models.functions import Cast, TruncMonth

from .models import UnansweredQuestion


def assistant_question_groups(*, since: datetime, limit: int = 100) -> QuerySet:
    """The open questions asked since ``since``, one row per normalised text (``normalised_text``, ``count``,
    ``last_asked``, ``example``), the most recently asked first: one GROUP BY."""
    return (
        UnansweredQuestion.objects.filter(handled_at__isnull=True, asked_at__gte=since)
        .values("normalised_text")
        .annotate(count=Count("id"), last_asked=Max("asked_at"), example=Min("text"))
        .order_by("-last_asked", "normalised_text")[:limit]
    )


def assistant_feedback_per_month() -> QuerySet:
    """Per month the questions were asked in (local time), the latest first: the groups of questions the assistant
    could not answer (``groups``), those whose web page was updated since (``updated``), their ``share`` in percent
    and the ``questions``: the KPI "share of web pages updated from the assistant's feedback". One GROUP BY."""
    return (
        UnansweredQuestion.objects.annotate(month=TruncMonth("asked_at"))
        .values("month")
        .annotate(
            groups=Count("normalised_text", distinct=True),
            updated=Count("normalised_text", distinct=True, filter=Q(handled_at__isnull=False)),
            questions=Count("id"),
        )
        .annotate(share=Cast(F("updated"), FloatField()) * 100 / F("groups"))
        .order_by("-month")
    )


def assistant_questions_handled_recently(*, limit: int = 25) -> QuerySet:
    """The groups handled last, with who handled them and when (one row per group and "web page updated")."""
    return (
        UnansweredQuestion.objects.filter(handled_at__isnull=False)
        .values(
            "normalised_text",
            "handled_at",
            "handled_by__username",
            "handled_by__first_name",
            "handled_by__last_name",
        )
        .annotate(count=Count("id"), example=Min("text"))
        .order_by("-handled_at", "normalised_text")[:limit]
    )
