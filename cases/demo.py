"""The demo city's handler groups, case types and routing rules (used by ``seed_demo``)."""

import random
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model

from contacts.models import Channel, Party, PartyKind

from .models import FINAL_STATES, Case, CaseKind, CaseState, CaseType, HandlerGroup, NormUnit, RoutingRule
from .services import case_reassign, case_transition, contact_log_with_case

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


def seed_case_configuration(*, handler_username: str | None = None, kcc_username: str | None = None) -> None:
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
    users = get_user_model().objects
    handler = users.filter(username=handler_username).first() if handler_username else None
    if handler is not None:
        groups["Openbaar Domein"].members.add(handler)
        groups["Mobiliteit"].members.add(handler)
    kcc = users.filter(username=kcc_username).first() if kcc_username else None
    if kcc is not None:
        groups["KCC"].members.add(kcc)


# Which case type a demo contact's subject opens; the first keyword found wins, else a question.
SUBJECT_TYPES = [
    ("melding", "melding-openbaar-domein"),
    ("klacht", "klacht"),
    ("factuur", "factuur"),
    ("bouw", "bouwen-en-verbouwen"),
    ("parkeer", "parkeerkaart"),
    ("zaal", "zaalreservatie"),
    ("suggestie", "suggestie"),
    ("leefloon", "sociale-hulp"),
    ("sociale", "sociale-hulp"),
]
PUBLIC_ANSWERS = [
    "Het probleem is opgelost. Bedankt voor uw melding.",
    "U vindt het antwoord op uw vraag in de bijlage van deze e-mail.",
    "Uw aanvraag is goedgekeurd; u ontvangt de documenten per post.",
]


def case_type_for(subject: str, case_types: dict[str, CaseType]) -> CaseType:
    """The demo case type a contact's subject suggests (a question when nothing fits)."""
    lowered = subject.lower()
    for keyword, code in SUBJECT_TYPES:
        if keyword in lowered and code in case_types:
            return case_types[code]
    return case_types["vraag"]


RECENT_REPORTS = [
    ("melding-openbaar-domein", "Losliggende stoeptegel", "Stoeptegel ligt los voor huisnummer 12, struikelgevaar."),
    ("melding-openbaar-domein", "Defect verkeerslicht", "Het verkeerslicht aan het kruispunt knippert oranje."),
    ("melding-openbaar-domein", "Sluikstort", "Zakken afval achtergelaten naast de glasbol."),
    ("melding-openbaar-domein", "Fietspad beschadigd", "Diepe put in het fietspad langs de vaart."),
    ("vraag", "Vraag over huurpremie", "Kom ik in aanmerking voor de Vlaamse huurpremie?"),
    ("vraag", "Vraag over identiteitskaart", "Hoe lang duurt het om een nieuwe identiteitskaart te krijgen?"),
    ("zaalreservatie", "Zaal reserveren", "Reservatie van de polyvalente zaal voor een buurtfeest."),
    ("klacht", "Klacht over afvalophaling", "De gft-container werd al twee weken niet geledigd."),
    ("parkeerkaart", "Bewonerskaart", "Aanvraag bewonersparkeerkaart voor een tweede wagen."),
    ("factuur", "Factuur aannemer", "Factuur van de aannemer voor de herstelling van het dak van de sporthal."),
]


def _recent_intake(*, rng: random.Random, users: dict, now: datetime, case_types: dict) -> None:
    """Reports and questions of the last three weeks, logged at the counter or by phone with an inline case."""
    persons = list(Party.objects.filter(kind=PartyKind.PERSON, merged_into__isnull=True).order_by("pk")[:200])
    for _ in range(40):
        code, subject, description = rng.choice(RECENT_REPORTS)
        channel = rng.choice([Channel.PHONE, Channel.COUNTER, Channel.EMAIL])
        actor = users["balie"] if channel == Channel.COUNTER else users["kcc"]
        contact_log_with_case(
            actor=actor,
            party=rng.choice(persons),
            channel=channel,
            subject=subject,
            summary=description,
            occurred_at=now - timedelta(days=rng.randint(0, 20), hours=rng.randint(0, 6)),
            case={"case_type": case_types[code], "description": description, "postal_code": "9000"},
        )


def seed_cases(*, rng: random.Random, users: dict, now: datetime) -> int:
    """Play out the history of the demo cases (opened by the contacts that created them) and add recent intake.

    Old cases went the whole way (mostly resolved and closed, some rejected, cancelled, misdispatched or
    paused); recent ones are spread over the open states, and some are overdue. Everything goes through
    the services, at the moments it would have happened.
    """
    case_types = {t.code: t for t in CaseType.objects.filter(active=True)}
    handler, kcc, supervisor = users["behandelaar"], users["kcc"], users["supervisor"]
    _recent_intake(rng=rng, users=users, now=now, case_types=case_types)
    cases = list(Case.objects.select_related("case_type", "handler_group").order_by("registered_at", "pk"))
    for case in cases:
        moment = case.registered_at

        def act(case, transition: str, hours: float, **fields):
            nonlocal moment
            moment = min(now, moment + timedelta(hours=hours * rng.uniform(0.5, 1.5)))
            actor = handler if case.handler_group.members.filter(pk=handler.pk).exists() else supervisor
            return case_transition(actor=actor, case=case, transition=transition, now=moment, **fields)

        age_days = (now - case.registered_at).days
        fate = rng.random()
        if age_days < 3:
            continue  # still new
        if case.case_type.admissibility_step:
            case = act(case, "accept", 20)
        if fate < 0.05:
            act(
                case,
                "reject",
                10,
                reason="Geen bevoegdheid van de stad.",
                public_message="Dit behoort niet tot onze diensten.",
            )
            continue
        if fate < 0.10 and not case.handler_group.is_kcc:
            case = act(case, "return_to_kcc", 6, reason="Niet voor onze dienst.")
            target = rng.choice(list(HandlerGroup.objects.filter(is_kcc=False, active=True)))
            case = case_reassign(
                actor=kcc, case=case, handler_group=target, reason="Doorgestuurd naar de juiste dienst."
            )
        case = act(case, "start", 8)
        if age_days < 12 and fate < 0.55:
            continue  # in progress, some of them overdue by now
        if fate < 0.25:
            case = act(case, "suspend", 12, reason="Wacht op bijkomende documenten van de burger.")
            if age_days < 20:
                continue  # still waiting
            case = act(case, "resume", 24 * rng.randint(2, 8))
        case = act(
            case,
            "resolve",
            24 * rng.randint(1, case.case_type.norm_days + 2),
            public_message=rng.choice(PUBLIC_ANSWERS),
        )
        if case.state in FINAL_STATES or (now - case.resolved_at).days < 14:
            continue
        if rng.random() < 0.03:
            case = act(case, "reopen", 48, reason="De burger meldt dat het probleem terug is.")
            act(case, "resolve", 48, public_message=rng.choice(PUBLIC_ANSWERS))
            continue
        if case.state == CaseState.RESOLVED:
            act(case, "close", 24 * 14)
    return len(cases)
