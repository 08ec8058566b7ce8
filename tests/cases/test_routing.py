import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cases.errors import RoutingNotConfigured
from cases.models import CaseType, HandlerGroup, RoutingRule
from cases.services import route

pytestmark = pytest.mark.django_db


@pytest.fixture
def groups():
    make = lambda name, **kw: HandlerGroup.objects.create(name=name, public_name=f"Dienst {name}", **kw)  # noqa: E731
    return {
        "kcc": make("KCC", is_kcc=True),
        "openbaar_domein": make("Openbaar Domein"),
        "mobiliteit": make("Mobiliteit"),
        "district_noord": make("District Noord"),
        "vrije_tijd": make("Vrije Tijd"),
    }


@pytest.fixture
def melding(groups):
    return CaseType.objects.create(
        code="melding-openbaar-domein",
        name="Melding openbaar domein",
        kind="report",
        default_group=groups["openbaar_domein"],
        norm_days=3,
        ipdc_product_id="ipdc-1234",
    )


def test_default_group_without_rules(melding, groups):
    assert route(case_type=melding) == groups["openbaar_domein"]


def test_first_matching_rule_in_order_wins(melding, groups):
    RoutingRule.objects.create(order=20, case_type=melding, handler_group=groups["mobiliteit"])
    RoutingRule.objects.create(order=10, case_type=melding, postal_code="2170", handler_group=groups["district_noord"])
    assert route(case_type=melding, postal_code="2170") == groups["district_noord"]
    assert route(case_type=melding, postal_code="2000") == groups["mobiliteit"]


def test_every_filled_criterion_must_match(melding, groups):
    RoutingRule.objects.create(
        order=1, keyword="Fietspad", channel="website", handler_group=groups["mobiliteit"], case_type=melding
    )
    assert (
        route(case_type=melding, description="Put in het fietspad aan de Kade", channel="website")
        == groups["mobiliteit"]
    )
    assert route(case_type=melding, description="Put in het fietspad", channel="phone") == groups["openbaar_domein"]
    assert route(case_type=melding, description="Losse stoeptegel", channel="website") == groups["openbaar_domein"]


def test_keyword_ignores_case_and_accents(melding, groups):
    RoutingRule.objects.create(order=1, keyword="Zaalreservatie café", handler_group=groups["vrije_tijd"])
    assert route(case_type=melding, description="ZAALRESERVATIE CAFE zaterdag") == groups["vrije_tijd"]


def test_rule_on_product(melding, groups):
    RoutingRule.objects.create(order=1, ipdc_product_id="ipdc-1234", handler_group=groups["mobiliteit"])
    assert route(case_type=melding) == groups["mobiliteit"]


def test_inactive_rules_and_groups_are_skipped(melding, groups):
    RoutingRule.objects.create(order=1, case_type=melding, handler_group=groups["mobiliteit"], active=False)
    groups["district_noord"].active = False
    groups["district_noord"].save()
    RoutingRule.objects.create(order=2, case_type=melding, handler_group=groups["district_noord"])
    assert route(case_type=melding) == groups["openbaar_domein"]


def test_rule_for_another_case_type_does_not_apply(melding, groups):
    other = CaseType.objects.create(code="vraag", name="Vraag", kind="question", norm_days=5)
    RoutingRule.objects.create(order=1, case_type=other, handler_group=groups["mobiliteit"])
    assert route(case_type=melding) == groups["openbaar_domein"]
    assert route(case_type=other) == groups["mobiliteit"]


def test_kcc_is_the_last_resort(groups):
    vraag = CaseType.objects.create(code="vraag", name="Vraag", kind="question", norm_days=5)
    assert route(case_type=vraag) == groups["kcc"]


def test_without_kcc_routing_is_a_configuration_error():
    vraag = CaseType.objects.create(code="vraag", name="Vraag", kind="question", norm_days=5)
    with pytest.raises(RoutingNotConfigured, match="configure a KCC"):
        route(case_type=vraag)


class TestConfigurationGuards:
    def test_case_type_without_default_group_needs_a_kcc(self):
        case_type = CaseType(code="vraag", name="Vraag", kind="question", norm_days=5)
        with pytest.raises(ValidationError, match="no KCC to fall back on"):
            case_type.full_clean()

    def test_kcc_cannot_be_unset_while_case_types_rely_on_it(self, groups):
        CaseType.objects.create(code="vraag", name="Vraag", kind="question", norm_days=5)
        kcc = groups["kcc"]
        kcc.is_kcc = False
        with pytest.raises(ValidationError, match="vraag"):
            kcc.full_clean()

    def test_warning_threshold_within_the_norm(self, groups):
        case_type = CaseType(
            code="x", name="X", kind="question", norm_days=3, warning_days=3, default_group=groups["kcc"]
        )
        with pytest.raises(ValidationError, match="shorter than the norm"):
            case_type.full_clean()
        with pytest.raises(IntegrityError), transaction.atomic():
            case_type.save()

    def test_only_one_kcc(self, groups):
        with pytest.raises(IntegrityError), transaction.atomic():
            HandlerGroup.objects.create(name="KCC 2", public_name="Tweede KCC", is_kcc=True)
        assert HandlerGroup.objects.filter(is_kcc=True).count() == 1

    def test_admin_refuses_to_deactivate_the_kcc_used_as_fallback(self, groups, admin_client):
        CaseType.objects.create(code="vraag", name="Vraag", kind="question", norm_days=5)
        kcc = groups["kcc"]
        response = admin_client.post(
            f"/admin/cases/handlergroup/{kcc.pk}/change/",
            {"name": "KCC", "public_name": "Dienst KCC", "email": "", "is_kcc": "", "active": "on"},
        )
        assert response.status_code == 200  # the form comes back with the error
        kcc.refresh_from_db()
        assert kcc.is_kcc is True
