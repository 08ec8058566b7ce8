"""factory_boy factories shared by every test module.

Identifiers are generated with valid check digits (see ``contacts.demo`` helpers).
"""

from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from cases.models import Callback, Case, CaseKind, CaseState, CaseType, HandlerGroup, NormUnit
from cases.services import case_open
from contacts.demo import enterprise_number, national_number
from contacts.models import Contact, ContactPoint, ContactPointKind, Party, PartyKind, Representative


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@stad.example")
    password = factory.django.Password("secret-pass-123")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        """``UserFactory(role="kcc")`` puts the user in that role's group."""
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party

    kind = PartyKind.PERSON
    given_name = factory.Faker("first_name", locale="nl_BE")
    family_name = factory.Faker("last_name", locale="nl_BE")
    birth_date = factory.Faker("date_of_birth", minimum_age=18, maximum_age=90)
    national_number = factory.LazyAttributeSequence(lambda p, n: national_number(p.birth_date, n % 997 + 1))

    class Params:
        anonymous_identity = factory.Trait(national_number=None, birth_date=None)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party

    kind = PartyKind.ORGANISATION
    name = factory.Faker("company", locale="nl_BE")
    enterprise_number = factory.Sequence(lambda n: enterprise_number(n))


class AssociationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party

    kind = PartyKind.ASSOCIATION
    name = factory.Sequence(lambda n: f"Vereniging {n} vzw")
    association_code = factory.Sequence(lambda n: f"V{n:07d}")


class EmailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactPoint

    party = factory.SubFactory(PersonFactory)
    kind = ContactPointKind.EMAIL
    value = factory.Sequence(lambda n: f"burger{n}@example.be")
    preferred = True


class PhoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactPoint

    party = factory.SubFactory(PersonFactory)
    kind = ContactPointKind.PHONE
    value = factory.Sequence(lambda n: f"+3247{n:07d}")
    preferred = True


class RepresentativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Representative

    organisation = factory.SubFactory(AssociationFactory)
    person = factory.SubFactory(PersonFactory)
    role = "voorzitter"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    party = factory.SubFactory(PersonFactory)
    channel = "phone"
    source = "staff"
    subject = factory.Faker("sentence", nb_words=4, locale="nl_NL")


class HandlerGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HandlerGroup
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Dienst {n}")
    public_name = factory.LazyAttribute(lambda g: f"Stad — {g.name}")
    email = factory.Sequence(lambda n: f"dienst{n}@stad.example")

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        """``HandlerGroupFactory(members=[user, ...])``."""
        if create and extracted:
            self.members.add(*extracted)


class CaseTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseType

    code = factory.Sequence(lambda n: f"type-{n}")
    name = factory.Sequence(lambda n: f"Type {n}")
    kind = CaseKind.REPORT
    default_group = factory.SubFactory(HandlerGroupFactory)
    norm_days = 3
    norm_unit = NormUnit.WORKING_DAYS
    warning_days = 1


def open_case(*, case_type=None, party=None, actor=None, registered_at=None, **fields) -> Case:
    """A case opened through the service (routing, deadlines, event), like the API does it."""
    return case_open(
        actor=actor,
        case_type=case_type or CaseTypeFactory(),
        party=party if party is not None else PersonFactory(),
        channel=fields.pop("channel", "phone"),
        description=fields.pop("description", "Losliggende stoeptegel"),
        registered_at=registered_at,
        **fields,
    )


def case_in_state(state: str, *, case_type=None, **fields) -> Case:
    """A case put straight into ``state`` with consistent milestones, to test what may happen from there."""
    case = open_case(case_type=case_type, **fields)
    now = timezone.now()
    values = {"state": state}
    if state != CaseState.NEW:
        values["admissibility_decided_at"] = now
    if state == CaseState.WAITING:
        values["paused_at"] = now
    if state in (CaseState.RESOLVED, CaseState.CLOSED):
        values["resolved_at"] = now
    if state in (CaseState.CLOSED, CaseState.REJECTED, CaseState.CANCELLED):
        values["closed_at"] = now
    Case.objects.filter(pk=case.pk).update(**values)
    case.refresh_from_db()
    return case


class CallbackFactory(factory.django.DjangoModelFactory):
    """An open call-back request, due in two hours; ``done_at`` with ``done_by`` for a done one."""

    class Meta:
        model = Callback

    name = factory.Faker("first_name", locale="nl_BE")
    phone = factory.Sequence(lambda n: f"+3247{n:07d}")
    topic = "Vraag over de afvalophaling"
    due_by = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=2))
    handler_group = factory.SubFactory(HandlerGroupFactory)
    created_by = factory.SubFactory(UserFactory, role="front_desk")
