"""The cases configuration every new case reads (active case types, handler groups, routing rules), kept in memory.

They are short tables edited in the admin now and then, and read by every case opened: each process keeps them for
CONFIGURATION_TTL seconds. A change saved in this process clears them at once (signals below); other processes see
it within CONFIGURATION_TTL. The instances are shared by the requests of a process: read them, never change them.
"""

from dataclasses import dataclass
from time import monotonic

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from contacts.models import normalise_name

from .models import CaseType, HandlerGroup, RoutingRule

CONFIGURATION_TTL = 60.0


@dataclass(frozen=True)
class Rule:
    case_type_id: int | None
    postal_code: str
    keyword: str  # normalised, as descriptions are compared
    ipdc_product_id: str
    channel: str
    handler_group: HandlerGroup


@dataclass(frozen=True)
class Configuration:
    loaded_at: float
    case_types: dict[str, CaseType]  # the active ones, by code
    groups: dict[int, HandlerGroup]  # the active ones, by id
    rules: tuple[Rule, ...]  # the active rules of active groups, in order
    kcc: HandlerGroup | None


_configuration: Configuration | None = None


def _load() -> Configuration:
    groups = {group.pk: group for group in HandlerGroup.objects.filter(active=True)}
    rules = tuple(
        Rule(
            rule.case_type_id,
            rule.postal_code,
            normalise_name(rule.keyword) if rule.keyword else "",
            rule.ipdc_product_id,
            rule.channel,
            groups[rule.handler_group_id],
        )
        for rule in RoutingRule.objects.filter(active=True, handler_group__active=True).order_by("order", "id")
    )
    return Configuration(
        loaded_at=monotonic(),
        case_types={case_type.code: case_type for case_type in CaseType.objects.filter(active=True)},
        groups=groups,
        rules=rules,
        kcc=next((group for group in groups.values() if group.is_kcc), None),
    )


def configuration() -> Configuration:
    global _configuration
    if _configuration is None or monotonic() - _configuration.loaded_at > CONFIGURATION_TTL:
        _configuration = _load()
    return _configuration


@receiver([post_save, post_delete], sender=CaseType)
@receiver([post_save, post_delete], sender=HandlerGroup)
@receiver([post_save, post_delete], sender=RoutingRule)
def forget_configuration(**kwargs):
    global _configuration
    _configuration = None
