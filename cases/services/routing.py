from django.db.models import Q

from cases.errors import RoutingNotConfigured
from cases.models import CaseType, HandlerGroup, RoutingRule
from contacts.models import normalise_name


def _matches(rule: RoutingRule, *, case_type: CaseType, postal_code: str, description: str, channel: str) -> bool:
    if rule.postal_code and rule.postal_code != postal_code:
        return False
    if rule.keyword and normalise_name(rule.keyword) not in description:
        return False
    if rule.ipdc_product_id and rule.ipdc_product_id != case_type.ipdc_product_id:
        return False
    return not rule.channel or rule.channel == channel


def route(*, case_type: CaseType, postal_code: str = "", description: str = "", channel: str = "") -> HandlerGroup:
    """The handler group a new case goes to: the first matching rule, else the default group, else the KCC."""
    rules = (
        RoutingRule.objects.filter(active=True, handler_group__active=True)
        .filter(Q(case_type__isnull=True) | Q(case_type=case_type))
        .select_related("handler_group")
        .order_by("order", "id")
    )
    description = normalise_name(description)
    for rule in rules:
        if _matches(
            rule, case_type=case_type, postal_code=postal_code.strip(), description=description, channel=channel
        ):
            return rule.handler_group
    if case_type.default_group is not None and case_type.default_group.active:
        return case_type.default_group
    kcc = HandlerGroup.objects.filter(is_kcc=True, active=True).first()
    if kcc is None:
        raise RoutingNotConfigured(case_type_code=case_type.code)
    return kcc
