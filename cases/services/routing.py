from cases.configuration import Rule, configuration
from cases.errors import RoutingNotConfigured
from cases.models import CaseType, HandlerGroup
from contacts.models import normalise_name


def _matches(rule: Rule, *, case_type: CaseType, postal_code: str, description: str, channel: str) -> bool:
    if rule.case_type_id is not None and rule.case_type_id != case_type.pk:
        return False
    if rule.postal_code and rule.postal_code != postal_code:
        return False
    if rule.keyword and rule.keyword not in description:
        return False
    if rule.ipdc_product_id and rule.ipdc_product_id != case_type.ipdc_product_id:
        return False
    return not rule.channel or rule.channel == channel


def route(*, case_type: CaseType, postal_code: str = "", description: str = "", channel: str = "") -> HandlerGroup:
    """The handler group a new case goes to: the first matching rule, else the default group, else the KCC."""
    config = configuration()
    description = normalise_name(description)
    postal_code = postal_code.strip()
    for rule in config.rules:
        if _matches(rule, case_type=case_type, postal_code=postal_code, description=description, channel=channel):
            return rule.handler_group
    if case_type.default_group_id in config.groups:
        return config.groups[case_type.default_group_id]
    if config.kcc is None:
        raise RoutingNotConfigured(case_type_code=case_type.code)
    return config.kcc
