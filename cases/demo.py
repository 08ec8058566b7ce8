"""The demo city's handler groups, case types and routing rules (used by ``seed_demo``)."""

from django.contrib.auth import get_user_model

from .models import CaseKind, CaseType, HandlerGroup, NormUnit, RoutingRule

# name, public name, e-mail, is KCC
GROUPS = [
    ("KCC", "Klantencontactcentrum", "kcc@stad.example", True),
    ("Burgerzaken", "Dienst Burgerzaken", "burgerzaken@stad.example", False),
    ("Omgeving", "Dienst Omgeving", "omgeving@stad.example", False),
    ("Mobiliteit", "Dienst Mobiliteit", "mobiliteit@stad.example", False),
    ("Wonen", "Woonloket", "wonen@stad.example", False),
    ("Financiën", "Dienst Financiën", "financien@stad.example", False),
    ("Openbaar Domein", "Dienst Openbaar Domein", "openbaardomein@stad.example", False),
    ("OCMW", "Sociaal Huis", "sociaalhuis@stad.example", False),
    ("Vrije Tijd", "Dienst Vrije Tijd (zaalreservaties)", "vrijetijd@stad.example", False),
]

# code, name, kind, default group, norm days, unit, admissibility step, warning days, survey, confidential
CASE_TYPES = [
    (
        "melding-openbaar-domein",
        "Melding openbaar domein",
        CaseKind.REPORT,
        "Openbaar Domein",
        3,
        NormUnit.WORKING_DAYS,
        True,
        1,
        True,
        False,
    ),
    ("vraag", "Vraag", CaseKind.QUESTION, None, 5, NormUnit.WORKING_DAYS, False, 1, True, False),
    ("klacht", "Klacht", CaseKind.COMPLAINT, None, 20, NormUnit.WORKING_DAYS, True, 5, True, False),
    ("suggestie", "Suggestie", CaseKind.SUGGESTION, None, 20, NormUnit.WORKING_DAYS, False, 5, False, False),
    (
        "zaalreservatie",
        "Zaalreservatie",
        CaseKind.REQUEST,
        "Vrije Tijd",
        3,
        NormUnit.WORKING_DAYS,
        False,
        1,
        True,
        False,
    ),
    ("factuur", "Factuur", CaseKind.REQUEST, "Financiën", 30, NormUnit.CALENDAR_DAYS, False, 5, False, False),
    (
        "bouwen-en-verbouwen",
        "Bouwen en verbouwen",
        CaseKind.QUESTION,
        "Omgeving",
        10,
        NormUnit.WORKING_DAYS,
        False,
        2,
        True,
        False,
    ),
    (
        "parkeerkaart",
        "Aanvraag bewonersparkeerkaart",
        CaseKind.REQUEST,
        "Mobiliteit",
        5,
        NormUnit.WORKING_DAYS,
        False,
        1,
        True,
        False,
    ),
    (
        "sociale-hulp",
        "Vraag naar sociale hulpverlening",
        CaseKind.REQUEST,
        "OCMW",
        10,
        NormUnit.WORKING_DAYS,
        False,
        2,
        False,
        True,
    ),
]

# order, case type code or None, keyword, channel, group
RULES = [
    (10, "melding-openbaar-domein", "verkeerslicht", "", "Mobiliteit"),
    (20, "melding-openbaar-domein", "fietspad", "", "Mobiliteit"),
    (30, "vraag", "parkeer", "", "Mobiliteit"),
    (40, "vraag", "huur", "", "Wonen"),
    (50, "vraag", "identiteitskaart", "", "Burgerzaken"),
    (60, None, "energiepremie", "", "Wonen"),
]


def seed_case_configuration(*, handler_username: str | None = None) -> None:
    """Create the demo handler groups, case types and routing rules (idempotent)."""
    groups = {}
    for name, public_name, email, is_kcc in GROUPS:
        groups[name], _ = HandlerGroup.objects.get_or_create(
            name=name, defaults={"public_name": public_name, "email": email, "is_kcc": is_kcc}
        )
    for code, name, kind, group, norm, unit, admissibility, warning, survey, confidential in CASE_TYPES:
        CaseType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "default_group": groups.get(group),
                "norm_days": norm,
                "norm_unit": unit,
                "admissibility_step": admissibility,
                "warning_days": warning,
                "survey_enabled": survey,
                "confidential": confidential,
            },
        )
    case_types = {c.code: c for c in CaseType.objects.all()}
    for order, code, keyword, channel, group in RULES:
        RoutingRule.objects.get_or_create(
            order=order,
            case_type=case_types.get(code),
            keyword=keyword,
            channel=channel,
            defaults={"handler_group": groups[group]},
        )
    if handler_username:
        handler = get_user_model().objects.filter(username=handler_username).first()
        if handler is not None:
            groups["Openbaar Domein"].members.add(handler)
            groups["Mobiliteit"].members.add(handler)
