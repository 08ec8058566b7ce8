"""The handler's inbox: what it lists (the selector decides), its filters and sorting, the due status in words,
taking and assigning cases (one and several), saved filters, the htmx fragment and the query count."""

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseEvent, EventKind, NormUnit
from cases.services import case_open
from cases.workflow import CaseState
from contacts.models import AccessLog
from staff.models import SavedFilter
from tests.factories import CaseTypeFactory, PersonFactory, UserFactory, case_in_state, open_case

pytestmark = pytest.mark.django_db

INBOX = "/dossiers/"


@pytest.fixture
def signed_in(client, handler):
    client.force_login(handler)
    return client


def references(response) -> list[str]:
    return [row["case"].reference for row in response.context["rows"]]


def test_the_inbox_is_at_dossiers_and_asks_to_sign_in(client, group):
    assert reverse("staff:inbox") == INBOX
    response = client.get(INBOX)
    assert response.status_code == 302
    assert "/aanmelden/" in response["Location"]


def test_the_inbox_lists_my_groups_open_cases_soonest_due_first(signed_in, melding, other_group):
    later = open_case(case_type=melding, registered_at=timezone.now() - timedelta(hours=1))
    sooner = open_case(case_type=melding, registered_at=timezone.now() - timedelta(days=2))
    case_in_state(CaseState.CLOSED, case_type=melding)
    other = open_case(case_type=CaseTypeFactory(default_group=other_group))
    confidential = open_case(case_type=CaseTypeFactory(default_group=other_group, confidential=True))

    response = signed_in.get(INBOX)

    assert response.status_code == 200
    assert references(response) == [sooner.reference, later.reference]
    page = response.content.decode()
    assert other.reference not in references(response)
    assert confidential.reference not in references(response)
    assert f'href="/dossiers/{sooner.reference}/"' in page
    assert "<html" in page  # the whole page


def test_the_kcc_sees_every_case_that_is_not_confidential(client, melding, other_group):
    kcc = UserFactory(role="kcc")
    client.force_login(kcc)
    mine = open_case(case_type=melding)
    other = open_case(case_type=CaseTypeFactory(default_group=other_group))
    confidential = open_case(case_type=CaseTypeFactory(default_group=other_group, confidential=True))

    found = references(client.get(INBOX))

    assert mine.reference in found and other.reference in found
    assert confidential.reference not in found


def test_filters_state_type_group_assignee_and_registration(signed_in, handler, melding, group):
    colleague = UserFactory(role="handler", first_name="Chris", last_name="Collega")
    group.members.add(colleague)
    other_type = CaseTypeFactory(default_group=group, name="Sluikstort")
    new = open_case(case_type=melding)
    waiting = case_in_state(CaseState.WAITING, case_type=melding)
    dumped = open_case(case_type=other_type, registered_at=timezone.now() - timedelta(days=20))
    Case.objects.filter(pk=new.pk).update(assignee=handler)
    Case.objects.filter(pk=waiting.pk).update(assignee=colleague)

    assert references(signed_in.get(INBOX, {"state": "waiting"})) == [waiting.reference]
    assert references(signed_in.get(INBOX, {"case_type": other_type.code})) == [dumped.reference]
    assert references(signed_in.get(INBOX, {"assignee": "me"})) == [new.reference]
    assert references(signed_in.get(INBOX, {"assignee": "none"})) == [dumped.reference]
    assert references(signed_in.get(INBOX, {"assignee": colleague.username})) == [waiting.reference]
    assert set(references(signed_in.get(INBOX, {"handler_group": group.pk}))) == {
        new.reference,
        waiting.reference,
        dumped.reference,
    }
    since = (timezone.localdate() - timedelta(days=5)).isoformat()
    assert dumped.reference not in references(signed_in.get(INBOX, {"registered_from": since}))
    until = (timezone.localdate() - timedelta(days=10)).isoformat()
    assert references(signed_in.get(INBOX, {"registered_to": until})) == [dumped.reference]


def test_the_header_link_to_my_open_cases_filters_on_me(signed_in, handler, melding):
    mine = open_case(case_type=melding)
    open_case(case_type=melding)
    Case.objects.filter(pk=mine.pk).update(assignee=handler)
    response = signed_in.get(INBOX + "?assignee=me")
    assert references(response) == [mine.reference]
    assert 'href="/dossiers/?assignee=me"' in response.content.decode()


def test_due_filters_and_the_due_status_in_words(signed_in, group):
    # Registered on Monday 2 March 2026, 3 working days: due Thursday 5 March, due soon from Wednesday 4 March.
    norm = CaseTypeFactory(default_group=group, norm_days=3, warning_days=1)
    with time_machine.travel("2026-03-02 10:00 +01:00", tick=False):
        case = open_case(case_type=norm)
    with time_machine.travel("2026-03-03 10:00 +01:00", tick=False):
        response = signed_in.get(INBOX)
        assert response.context["rows"][0]["due"].text == "2 working days left"
        assert references(signed_in.get(INBOX, {"due": "on_time"})) == [case.reference]
        assert references(signed_in.get(INBOX, {"due": "overdue"})) == []
    with time_machine.travel("2026-03-05 10:00 +01:00", tick=False):
        response = signed_in.get(INBOX, {"due": "due_soon"})
        assert references(response) == [case.reference]
        assert response.context["rows"][0]["due"].css == "soon"
        assert response.context["rows"][0]["due"].text == "Due today"
        assert 'class="due-soon"' in response.content.decode()
    # Monday 9 March: two working days after Thursday (Friday and Monday).
    with time_machine.travel("2026-03-09 10:00 +01:00", tick=False):
        response = signed_in.get(INBOX, {"due": "overdue"})
        assert references(response) == [case.reference]
        assert response.context["rows"][0]["due"].text == "2 working days late"
        assert 'class="due-late"' in response.content.decode()


def test_the_due_status_is_dutch_for_staff(signed_in, group):
    norm = CaseTypeFactory(default_group=group, norm_days=3, warning_days=1)
    late = CaseTypeFactory(default_group=group, norm_days=3, warning_days=1, norm_unit=NormUnit.CALENDAR_DAYS)
    with time_machine.travel("2026-03-02 10:00 +01:00", tick=False):
        open_case(case_type=norm)
        open_case(case_type=late)
    signed_in.cookies["django_language"] = "nl-be"
    with time_machine.travel("2026-03-03 10:00 +01:00", tick=False):
        page = signed_in.get(INBOX).content.decode()
    assert "2 werkdagen over" in page
    assert "2 dagen over" in page
    with time_machine.travel("2026-03-07 10:00 +01:00", tick=False):
        page = signed_in.get(INBOX).content.decode()
    assert "2 dagen te laat" in page  # Saturday: due Thursday (calendar days)
    assert "1 werkdag te laat" in page  # due Thursday, Friday was a working day


def test_text_search_finds_a_reference_or_words_of_the_description(signed_in, melding):
    tile = open_case(case_type=melding, description="Losliggende stoeptegel in de Veldstraat")
    lamp = open_case(case_type=melding, description="Straatlamp kapot")
    assert references(signed_in.get(INBOX, {"q": tile.reference})) == [tile.reference]
    assert references(signed_in.get(INBOX, {"q": "veldstraat"})) == [tile.reference]
    assert references(signed_in.get(INBOX, {"q": "LAMP"})) == [lamp.reference]


def test_sorting_by_registration_and_last_change(signed_in, melding):
    old = open_case(case_type=melding, registered_at=timezone.now() - timedelta(days=3))
    recent = open_case(case_type=melding, registered_at=timezone.now() - timedelta(hours=2))
    assert references(signed_in.get(INBOX, {"sort": "-registered_at"})) == [recent.reference, old.reference]
    assert references(signed_in.get(INBOX, {"sort": "registered_at"})) == [old.reference, recent.reference]
    Case.objects.filter(pk=old.pk).update(updated_at=timezone.now() + timedelta(minutes=1))
    assert references(signed_in.get(INBOX, {"sort": "-updated_at"})) == [old.reference, recent.reference]


def test_a_filter_that_is_not_valid_is_shown_and_left_out(signed_in, melding):
    case = open_case(case_type=melding)
    response = signed_in.get(INBOX, {"registered_from": "gisteren", "state": "nonsense"})
    assert response.status_code == 200
    assert references(response) == [case.reference]
    assert "These filters were not applied" in response.content.decode()


def test_pages_of_25_without_a_count(signed_in, melding):
    for _ in range(27):
        open_case(case_type=melding)
    first = signed_in.get(INBOX)
    assert len(first.context["rows"]) == 25
    assert first.context["next_url"].endswith("page=2")
    assert first.context["previous_url"] == ""
    second = signed_in.get(first.context["next_url"])
    assert len(second.context["rows"]) == 2
    assert second.context["next_url"] == ""
    assert not set(references(first)) & set(references(second))


def test_htmx_gets_the_results_fragment_only(signed_in, melding):
    case = open_case(case_type=melding)
    response = signed_in.get(INBOX, {"q": case.reference}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert "<html" not in page
    assert case.reference in page
    assert "HX-Request" in response["Vary"]
    restore = signed_in.get(INBOX, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.content.decode()


def test_the_inbox_reads_a_fixed_number_of_queries(signed_in, melding, django_assert_max_num_queries):
    for _ in range(3):
        open_case(case_type=melding)
    with django_assert_max_num_queries(16) as few:
        signed_in.get(INBOX)
    for _ in range(20):
        open_case(case_type=melding)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = signed_in.get(INBOX)
    assert len(response.context["rows"]) == 23


# Taking and assigning


def test_take_assigns_the_case_to_me(signed_in, handler, melding):
    case = open_case(case_type=melding)
    response = signed_in.post(
        f"/dossiers/{case.reference}/nemen/", {"version": case.version, "next": "/dossiers/?state=new"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/dossiers/?state=new"
    case.refresh_from_db()
    assert case.assignee == handler
    assert CaseEvent.objects.filter(case=case, kind=EventKind.ASSIGNMENT, actor=handler).count() == 1


def test_take_with_an_old_version_writes_nothing_and_says_why(signed_in, melding):
    case = open_case(case_type=melding)
    Case.objects.filter(pk=case.pk).update(version=case.version + 1)
    response = signed_in.post(f"/dossiers/{case.reference}/nemen/", {"version": case.version}, follow=True)
    case.refresh_from_db()
    assert case.assignee is None
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.ASSIGNMENT).exists()
    assert "Someone else changed this case in the meantime." in response.content.decode()


def test_take_refuses_a_foreign_next_url(signed_in, melding):
    case = open_case(case_type=melding)
    response = signed_in.post(
        f"/dossiers/{case.reference}/nemen/", {"version": case.version, "next": "https://evil.example/"}
    )
    assert response["Location"] == INBOX


def test_a_case_of_another_group_cannot_be_taken(signed_in, other_group):
    case = open_case(case_type=CaseTypeFactory(default_group=other_group))
    response = signed_in.post(f"/dossiers/{case.reference}/nemen/", {"version": case.version})
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.assignee is None


def test_the_front_desk_may_not_take_cases(client, melding):
    client.force_login(UserFactory(role="front_desk"))
    case = open_case(case_type=melding)
    assert client.post(f"/dossiers/{case.reference}/nemen/", {"version": case.version}).status_code == 403


def test_bulk_assign_gives_the_chosen_cases_to_a_colleague(signed_in, handler, group, melding):
    colleague = UserFactory(role="handler")
    group.members.add(colleague)
    first, second, untouched = (open_case(case_type=melding) for _ in range(3))
    response = signed_in.post(
        "/dossiers/toewijzen/",
        {"cases": [first.reference, second.reference], "assignee": colleague.username, "next": INBOX},
        follow=True,
    )
    assert "2 cases assigned to" in response.content.decode()
    assert set(Case.objects.filter(assignee=colleague).values_list("pk", flat=True)) == {first.pk, second.pk}
    untouched.refresh_from_db()
    assert untouched.assignee is None


def test_the_colleague_given_cases_in_bulk_gets_one_email(
    signed_in, handler, group, melding, django_capture_on_commit_callbacks, settings
):
    settings.LANGUAGE_CODE = "nl-be"  # staff e-mails are in the installation's language
    colleague = UserFactory(role="handler", first_name="Chris", last_name="Collega")
    group.members.add(colleague)
    first, second = open_case(case_type=melding), open_case(case_type=melding)
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post("/dossiers/toewijzen/", {"cases": [first.reference, second.reference], "assignee": "me"})
        signed_in.post(
            "/dossiers/toewijzen/", {"cases": [first.reference, second.reference], "assignee": colleague.username}
        )
    [sent] = mail.outbox  # taking cases oneself tells nobody
    assert sent.to == [colleague.email]
    assert sent.subject == "2 dossiers werden aan u toegewezen"
    assert first.reference in sent.body and second.reference in sent.body


def test_bulk_assign_is_all_or_nothing(signed_in, group, melding):
    colleague = UserFactory(role="handler")
    group.members.add(colleague)
    open_one = open_case(case_type=melding)
    closed = case_in_state(CaseState.CLOSED, case_type=melding)
    response = signed_in.post(
        "/dossiers/toewijzen/", {"cases": [open_one.reference, closed.reference], "assignee": colleague.username}
    )
    assert response.status_code == 302
    assert not Case.objects.filter(assignee=colleague).exists()
    assert not CaseEvent.objects.filter(kind=EventKind.ASSIGNMENT).exists()


def test_bulk_assign_needs_cases_and_an_assignee(signed_in, melding):
    case = open_case(case_type=melding)
    response = signed_in.post("/dossiers/toewijzen/", {"cases": [case.reference], "assignee": ""}, follow=True)
    assert "Choose whom to assign the cases to." in response.content.decode()
    response = signed_in.post("/dossiers/toewijzen/", {"assignee": "none"}, follow=True)
    assert "Choose at least one case." in response.content.decode()
    assert not CaseEvent.objects.filter(kind=EventKind.ASSIGNMENT).exists()


def test_bulk_assign_of_a_case_i_cannot_see_is_refused(signed_in, handler, other_group):
    hidden = open_case(case_type=CaseTypeFactory(default_group=other_group))
    signed_in.post("/dossiers/toewijzen/", {"cases": [hidden.reference], "assignee": handler.username})
    hidden.refresh_from_db()
    assert hidden.assignee is None


# Saved filters


def test_save_apply_and_delete_a_filter(signed_in, handler, melding):
    response = signed_in.post(
        "/dossiers/filters/", {"name": "Mijn wachtende", "query": "state=waiting&assignee=me&page=3&evil=1"}
    )
    assert response.status_code == 302
    saved = SavedFilter.objects.get(user=handler)
    assert saved.name == "Mijn wachtende"
    assert saved.query == "state=waiting&assignee=me"
    page = signed_in.get(INBOX).content.decode()
    assert 'href="/dossiers/?state=waiting&amp;assignee=me"' in page

    signed_in.post("/dossiers/filters/", {"name": "Mijn wachtende", "query": "state=new"})
    assert SavedFilter.objects.get(user=handler).query == "state=new"  # the same name replaces it

    other = UserFactory(role="handler")
    theirs = SavedFilter.objects.create(user=other, name="Van een ander", query="state=new")
    assert signed_in.post(f"/dossiers/filters/{theirs.pk}/verwijderen/").status_code == 404
    assert SavedFilter.objects.filter(pk=theirs.pk).exists()
    signed_in.post(f"/dossiers/filters/{saved.pk}/verwijderen/")
    assert not SavedFilter.objects.filter(user=handler).exists()


def test_a_filter_needs_a_name(signed_in, handler):
    response = signed_in.post("/dossiers/filters/", {"name": "  ", "query": "state=new"}, follow=True)
    assert "This field is required." in response.content.decode()
    assert not SavedFilter.objects.exists()


def test_the_menu_shows_cases_to_staff_who_may_see_them(signed_in, group):
    page = signed_in.get(INBOX).content.decode()
    assert 'href="/dossiers/" aria-current="page"' in page


def test_a_handler_group_member_sees_only_their_groups_in_the_group_filter(signed_in, group, other_group):
    response = signed_in.get(INBOX)
    choices = dict(response.context["form"].fields["handler_group"].choices)
    assert group.pk in choices
    assert other_group.pk not in choices


def test_bulk_assign_to_someone_outside_the_cases_group_is_refused(signed_in, melding, other_group):
    outsider = other_group.members.first()
    case = open_case(case_type=melding)
    response = signed_in.post(
        "/dossiers/toewijzen/", {"cases": [case.reference], "assignee": outsider.username}, follow=True
    )
    assert "is not an active member of the handler group Openbaar Domein" in response.content.decode()
    case.refresh_from_db()
    assert case.assignee is None


def test_the_kcc_assigns_cases_of_a_group_to_its_members(client, kcc_group, other_group):
    kcc = UserFactory(role="kcc")
    kcc_group.members.add(kcc)
    client.force_login(kcc)
    member = other_group.members.first()
    case = open_case(case_type=CaseTypeFactory(default_group=other_group))
    page = client.get(INBOX, {"handler_group": other_group.pk}).content.decode()
    assert f'value="{member.username}"' in page  # offered in the filter and the bulk form once the group is chosen
    client.post("/dossiers/toewijzen/", {"cases": [case.reference], "assignee": member.username})
    case.refresh_from_db()
    assert case.assignee == member


def test_the_inbox_logs_the_citizens_it_shows(signed_in, handler, melding):
    citizens = [PersonFactory(), PersonFactory()]
    for citizen in citizens:
        open_case(case_type=melding, party=citizen)
    case_open(
        actor=None, case_type=melding, party=None, channel="phone", description="Zwerfvuil"
    )  # anonymous: nobody to log
    signed_in.get(reverse("staff:inbox"))
    logged = AccessLog.objects.filter(user=handler, via=AccessLog.Via.STAFF_INBOX)
    assert sorted(logged.values_list("party", flat=True)) == sorted(c.pk for c in citizens)


def test_the_inbox_as_csv_holds_every_filtered_case_and_no_citizen(signed_in, handler, group, melding, other_group):
    mine = [open_case(case_type=melding) for _ in range(30)]
    open_case(case_type=CaseTypeFactory(default_group=other_group))
    response = signed_in.get("/dossiers/export.csv", {"sort": "registered_at"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Case", "Case type code", "Case type"]
    assert sorted(row[0] for row in rows[1:]) == sorted(case.reference for case in mine)
    assert all(case.party.family_name not in text for case in mine if case.party_id)
