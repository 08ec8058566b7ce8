import re
import sys
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone
from stdnum.be import ssn, vat

from cases.models import Case, CaseEvent
from contacts import selectors
from contacts.models import (
    Channel,
    Contact,
    ContactPoint,
    Outcome,
    Party,
    PartyKind,
    Representative,
    Source,
)
from midoffice.management.commands.seed_demo import MUNICIPALITIES
from public.models import AssistantSession, ServiceClient, StatusLookup, UnansweredQuestion
from reports.models import CallRecord, CounterCluster, CounterVisit, Queue
from reports.periods import parse_period
from reports.selectors import kpi_reports
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

PARTIES = 60  # the smallest useful demo city keeps the test fast; the default is 370
DEMO_USERS = {"balie": "front_desk", "kcc": "kcc", "behandelaar": "handler", "supervisor": "supervisor"}


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", parties=PARTIES, force=True, stdout=out, stderr=out, **options)
    return out.getvalue()


def counts() -> dict:
    models = (Party, ContactPoint, Representative, Contact, Case, CaseEvent, get_user_model())
    return {model.__name__: model.objects.count() for model in models}


def fingerprint() -> list:
    """What must come out the same on every fresh install (ids and timestamps aside)."""
    parties = Party.objects.order_by("pk").values_list(
        "kind", "given_name", "family_name", "name", "birth_date", "national_number", "enterprise_number"
    )
    points = ContactPoint.objects.order_by("pk").values_list("kind", "value")
    contacts = Contact.objects.order_by("pk").values_list("channel", "source", "subject", "outcome", "guided")
    cases = Case.objects.order_by("pk").values_list("case_type__code", "handler_group__name", "state", "misdispatched")
    return [list(parties), list(points), list(contacts), list(cases)]


@pytest.fixture(scope="class")
def seeded(django_db_setup, django_db_blocker):
    """The demo city, seeded once for every test of the class (seeding is most of their time).

    As Django's ``TestCase.setUpTestData``: the seed runs in a transaction around the whole class, each test
    in a savepoint inside it rolled back after the test, and the class's transaction is rolled back at the end.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            output = seed()
        except BaseException:
            outer.__exit__(*sys.exc_info())
            raise
    yield output
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


class TestTheDemoCity:
    """What a fresh demo city looks like; one seed for the whole class."""

    def test_every_identifier_is_valid(self, seeded):
        parties = Party.objects.all()

        assert parties.count() == PARTIES
        for party in parties:
            if party.national_number:
                assert party.kind == PartyKind.PERSON
                assert ssn.is_valid(party.national_number), party.national_number
            if party.enterprise_number:
                assert party.kind != PartyKind.PERSON
                assert vat.is_valid(party.enterprise_number), party.enterprise_number
            if party.association_code:
                assert re.fullmatch(r"V\d{7}", party.association_code)
        assert not Party.objects.filter(kind=PartyKind.ORGANISATION, enterprise_number__isnull=True).exists()
        assert not Party.objects.filter(kind=PartyKind.ASSOCIATION, association_code__isnull=True).exists()

    def test_a_realistic_mix_of_parties(self, seeded):
        persons = Party.objects.filter(kind=PartyKind.PERSON)

        assert persons.filter(birth_date__year__lt=2000, national_number__isnull=False).exists()
        assert persons.filter(birth_date__year__gte=2000, national_number__isnull=False).exists()
        # Web-form citizens known only by an e-mail address or phone number.
        assert persons.filter(national_number__isnull=True, birth_date__isnull=True).exists()
        assert Party.objects.filter(kind=PartyKind.ORGANISATION).exists()
        flemish = {(postal_code, city) for postal_code, city, _zone in MUNICIPALITIES}
        addresses = ContactPoint.objects.filter(kind="address")
        assert addresses.exists()
        assert set(addresses.values_list("postal_code", "city")) <= flemish
        for point in ContactPoint.objects.filter(kind="phone"):
            assert re.fullmatch(r"\+32\d{8,9}", point.value)

    def test_associations_have_representatives(self, seeded):
        associations = Party.objects.filter(kind=PartyKind.ASSOCIATION)

        assert associations.exists()
        for association in associations:
            representatives = association.representatives.all()
            assert 1 <= len(representatives) <= 3
            for representative in representatives:
                assert representative.person.kind == PartyKind.PERSON
                assert representative.role in {"voorzitter", "secretaris", "penningmeester", "contactpersoon"}
        assert Representative.objects.filter(valid_from__isnull=False).exists()

    def test_contacts_cover_every_channel_source_and_outcome(self, seeded):
        contacts = Contact.objects.all()

        assert set(contacts.values_list("channel", flat=True)) == set(Channel.values)
        assert set(contacts.values_list("source", flat=True)) == set(Source.values)
        assert set(Outcome.values) <= set(contacts.values_list("outcome", flat=True))
        assert contacts.filter(guided=True).exists()
        assert contacts.filter(anonymous=True, party__isnull=True).exists()
        assert contacts.filter(source="staff", handled_by__username__in=DEMO_USERS).count() == (
            contacts.filter(source="staff").count()
        )
        assert not contacts.exclude(source="staff").filter(handled_by__isnull=False).exists()

    def test_near_duplicates_are_suggested(self, seeded):
        reasons = set()
        for party in Party.objects.filter(kind=PartyKind.PERSON):
            for suggestion in selectors.party_duplicate_suggestions(party):
                reasons |= {reason["code"] for reason in suggestion.reasons}

        assert {"same_email", "same_phone", "similar_name_same_birth_date"} <= reasons

    def test_demo_users_have_their_roles_and_documented_passwords(self, seeded):
        for username, role in DEMO_USERS.items():
            user = authenticate(username=username, password=f"demo-{username}")
            assert user is not None, username
            assert user.is_staff
            assert not user.is_superuser
            assert list(user.groups.values_list("name", flat=True)) == [role]
            assert f"{username:<12} password demo-{username}" in seeded
        admin = authenticate(username="admin", password="demo-admin")
        assert admin is not None
        assert admin.is_superuser and admin.is_staff

    def test_running_twice_changes_nothing(self, seeded):
        before = counts()

        output = seed()

        assert "already present" in output
        assert counts() == before

    def test_every_fresh_install_gets_the_same_data(self, seeded):
        first = fingerprint()
        CaseEvent.objects.all().delete()
        Case.objects.all().delete()
        Contact.objects.all().delete()
        Representative.objects.all().delete()
        Party.objects.all().delete()
        for model in (UnansweredQuestion, AssistantSession, StatusLookup, ServiceClient, CallRecord, CounterVisit):
            model.objects.all().delete()
        Queue.objects.all().delete()
        CounterCluster.objects.all().delete()
        get_user_model().objects.all().delete()

        seed()

        assert fingerprint() == first

    def test_seeds_the_reports_history(self, seeded):
        """The last full quarter and the same quarter a year earlier have figures for every kind of KPI the demo
        feeds (the notifications it does not send and the surveys nobody answered aside)."""
        today = timezone.localdate()
        quarter = (today.month - 1) // 3  # the previous quarter, 0 meaning Q4 of last year
        label = f"{today.year}-Q{quarter}" if quarter else f"{today.year - 1}-Q4"
        reports, _left_out = kpi_reports(parse_period(label))
        without = {report["code"] for report in reports if report["value"] is None}
        assert without <= {"statuses_read_share", "satisfaction"}
        earlier = {report["code"] for report in reports if report["year_earlier"]["value"] is None}
        assert earlier <= {"statuses_read_share", "satisfaction"}

    def test_seeds_cases_in_every_stage(self, seeded):
        from django.utils import timezone

        from cases.models import RUNNING_STATES

        states = set(Case.objects.values_list("state", flat=True))
        assert {"new", "in_progress", "resolved", "closed", "rejected"} <= states
        assert Case.objects.filter(state__in=RUNNING_STATES, due_at__lt=timezone.now()).exists()  # something to chase
        # Every case came from a contact and was routed; every step left an event.
        assert not Case.objects.filter(contacts__isnull=True).exists()
        for case in Case.objects.exclude(state="new")[:20]:
            assert case.events.filter(kind="transition").exists()
        # A contact whose outcome is a new case opened it.
        assert not Contact.objects.filter(outcome="case_created", cases__isnull=True).exists()

    def test_messages_nobody_about_the_invented_history(self, seeded):
        from notifications.models import Notification

        assert not Notification.objects.exists()


def test_does_not_mix_demo_data_into_a_database_with_other_parties():
    PersonFactory()

    output = seed()

    assert "not mixing demo data into real data" in output
    assert Party.objects.count() == 1
    assert not get_user_model().objects.exists()


def test_refuses_a_city_too_small_for_its_examples():
    with pytest.raises(CommandError, match="at least"):
        call_command("seed_demo", parties=5, stdout=StringIO())


def test_refuses_a_production_database_without_force(monkeypatch):
    from django.db import connection

    monkeypatch.setattr(connection, "vendor", "postgresql")
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", stdout=StringIO())
    assert not Party.objects.exists()


def test_seeds_the_case_configuration_once():
    from cases.models import CaseType, HandlerGroup, RoutingRule
    from cases.services import route

    seed()
    counts_after_first = (HandlerGroup.objects.count(), CaseType.objects.count(), RoutingRule.objects.count())
    seed()
    assert (HandlerGroup.objects.count(), CaseType.objects.count(), RoutingRule.objects.count()) == counts_after_first
    assert HandlerGroup.objects.get(is_kcc=True).name == "KCC"
    factuur = CaseType.objects.get(code="factuur")
    assert (factuur.norm_days, factuur.norm_unit) == (30, "calendar_days")
    assert CaseType.objects.get(code="zaalreservatie").norm_days == 3
    melding = CaseType.objects.get(code="melding-openbaar-domein")
    assert route(case_type=melding, description="Verkeerslicht defect").name == "Mobiliteit"
    assert route(case_type=CaseType.objects.get(code="vraag")).name == "KCC"
    for case_type in CaseType.objects.all():
        case_type.full_clean()  # the demo configuration passes its own guards
