"""The case admin: read-only lists with the chase filters, the timeline inline, and the same visibility."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.services import case_note_add, case_transition, cases_escalate
from tests.factories import CaseTypeFactory, UserFactory, case_in_state, open_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_for(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_list_filters_and_the_timeline(admin_client_for, handler, melding, django_assert_max_num_queries):
    overdue = open_case(case_type=melding, registered_at=timezone.now() - timedelta(days=14))
    on_time = open_case(case_type=melding)
    case_transition(actor=handler, case=overdue, transition="start")
    case_note_add(actor=handler, case=overdue, text="Ploeg ingepland voor dinsdag.")
    cases_escalate()
    for _ in range(10):
        case_in_state("closed", case_type=melding)
    client = admin_client_for(UserFactory(is_staff=True, is_superuser=True))
    changelist = reverse("admin:cases_case_changelist")

    with django_assert_max_num_queries(15):
        page = client.get(changelist)
    assert page.status_code == 200 and page.context["cl"].result_count == 12

    listed = client.get(changelist, {"deadline": "overdue"}).context["cl"].result_list
    assert list(listed) == [overdue]
    assert list(client.get(changelist, {"state__exact": "new"}).context["cl"].result_list) == [on_time]
    assert list(client.get(changelist, {"q": overdue.reference}).context["cl"].result_list) == [overdue]

    detail = client.get(reverse("admin:cases_case_change", args=[overdue.pk]))
    html = detail.content.decode()
    assert detail.status_code == 200
    assert "Ploeg ingepland voor dinsdag." in html and "escalation" in html.lower()
    assert 'name="_save"' not in html  # read-only: cases change through the workflow
    assert client.get(reverse("admin:cases_case_add")).status_code == 403
    assert client.post(reverse("admin:cases_case_delete", args=[overdue.pk])).status_code == 403


def test_staff_see_the_same_cases_as_in_the_api(admin_client_for, handler, melding, other_group):
    own = open_case(case_type=melding)
    foreign = open_case(case_type=CaseTypeFactory(default_group=other_group))
    handler.is_staff = True
    handler.save()
    client = admin_client_for(handler)

    assert list(client.get(reverse("admin:cases_case_changelist")).context["cl"].result_list) == [own]
    assert client.get(reverse("admin:cases_case_change", args=[foreign.pk])).status_code == 302  # "does not exist"
