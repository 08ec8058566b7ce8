"""What Open311 shows: the public case types and the public side of their cases, in a fixed number of queries."""

from datetime import datetime

from django.db.models import F, OuterRef, Prefetch, QuerySet, Subquery, TextField, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, NullIf

from cases.models import Case, CaseEvent, CaseType, HandlerGroup, RoutingRule
from cases.workflow import CaseState

# The states the standard calls "closed": final ones and resolved (reopened within the reopen window, a case
# is open again). Everything else is "open".
CLOSED_STATES = (CaseState.RESOLVED, CaseState.CLOSED, CaseState.REJECTED, CaseState.CANCELLED)

# The specification's ceilings for a search: the default window and the most requests one answer lists.
DEFAULT_WINDOW_DAYS = 90
MAX_REQUESTS = 1000


def open311_status(state: str) -> str:
    return "closed" if state in CLOSED_STATES else "open"


def service_queryset() -> QuerySet[CaseType]:
    """The case types offered to citizens: public, active, not confidential."""
    return CaseType.objects.filter(public=True, active=True, confidential=False)


def service_list() -> list[CaseType]:
    """The services, by name, with their default group and the keywords of their active routing rules."""
    keyword_rules = RoutingRule.objects.filter(active=True).exclude(keyword="").order_by("order", "id")
    return list(
        service_queryset()
        .select_related("default_group")
        .prefetch_related(Prefetch("routing_rules", queryset=keyword_rules, to_attr="keyword_rules"))
        .order_by("name", "code")
    )


def service_get(code: str) -> CaseType:
    """The service with ``code``; ``CaseType.DoesNotExist`` when there is none or it is not public."""
    return service_queryset().get(code=code)


def contact_centre() -> HandlerGroup | None:
    return HandlerGroup.objects.filter(is_kcc=True).first()


def _request_queryset() -> QuerySet[Case]:
    """Cases of public case types, not confidential, with what a request shows joined in (the last public message
    as a subquery): one query, whatever the number of cases. The description is not read: see ``_request``."""
    last_public = CaseEvent.objects.filter(case=OuterRef("pk"), public=True).order_by("-created_at", "-id")
    # A public transition carries the citizen's message in its data (its text is the internal reason).
    message = Coalesce(NullIf(KT("data__public_message"), Value("")), "text", output_field=TextField())
    return (
        Case.objects.filter(case_type__in=service_queryset(), confidential=False)
        .select_related("case_type", "handler_group")
        .annotate(status_notes=Subquery(last_public.annotate(message=message).values("message")[:1]))
        .only(
            "reference",
            "state",
            "location",
            "postal_code",
            "latitude",
            "longitude",
            "registered_at",
            "updated_at",
            "due_at",
            "case_type__code",
            "case_type__name",
            "case_type__name_fr",
            "case_type__name_en",
            "handler_group__public_name",
        )
    )


def request_get(reference: str) -> Case:
    """The public request ``reference``; ``Case.DoesNotExist`` when there is none or it is not public."""
    return _request_queryset().get(reference=reference)


def request_search(
    *,
    references: list[str] | None = None,
    service_codes: list[str] | None = None,
    start: datetime,
    end: datetime,
    statuses: set[str] | None = None,
) -> list[Case]:
    """The public requests, newest first, at most ``MAX_REQUESTS``: those with ``references`` (whatever the other
    criteria), else those registered between ``start`` and ``end`` of ``service_codes`` with ``statuses``."""
    cases = _request_queryset()
    if references is not None:
        cases = cases.filter(reference__in=references)
    else:
        cases = cases.filter(registered_at__gte=start, registered_at__lte=end)
        if service_codes:
            cases = cases.filter(case_type__code__in=service_codes)
        if statuses == {"open"}:
            cases = cases.exclude(state__in=CLOSED_STATES)
        elif statuses == {"closed"}:
            cases = cases.filter(state__in=CLOSED_STATES)
    return list(cases.order_by(F("registered_at").desc(), "-pk")[:MAX_REQUESTS])
