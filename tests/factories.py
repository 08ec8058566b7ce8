"""factory_boy factories shared by every test module.

Identifiers are generated with valid check digits (see ``contacts.demo`` helpers).
"""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

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
