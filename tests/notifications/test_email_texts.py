"""The city's own e-mail texts: used instead of the built-in ones, and checked when saved."""

import itertools

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from notifications import backends
from notifications.backends import email_texts
from notifications.emails import OPTIONAL, STATUS_TEXTS, email_content
from notifications.models import EmailText, NotificationKind
from tests.factories import EmailFactory, PersonFactory, UserFactory, open_case

pytestmark = pytest.mark.django_db


def test_an_own_text_replaces_the_built_in_one(melding, django_capture_on_commit_callbacks):
    EmailText.objects.create(
        kind="case_created",
        language="nl",
        subject="Melding {reference} goed ontvangen",
        body="Dag {name},\n\nWe gaan aan de slag met uw melding ({case_type}).\nVolg ze op: {status_url}\n\n{sender}",
    )
    party = PersonFactory(given_name="An", family_name="Peeters", language="nl")
    EmailFactory(party=party, value="an@example.be")
    with django_capture_on_commit_callbacks(execute=True):
        case = open_case(case_type=melding, party=party)

    [message] = mail.outbox
    assert message.subject == f"Melding {case.reference} goed ontvangen"
    assert message.body.startswith("Dag An Peeters,") and "Melding openbaar domein" in message.body
    assert "http://127.0.0.1:8000/status/" in message.body
    assert '<a href="http://127.0.0.1:8000/status/' in message.alternatives[0][0]


@pytest.mark.parametrize(
    ("subject", "body", "field", "message"),
    [
        ("Dossier {referentie}", "ok", "subject", "Unknown placeholder: {referentie}."),
        ("ok", "Beste {naam}, {reference}", "body", "Unknown placeholder: {naam}."),
        ("ok", "Een { open accolade", "body", "Not a valid text"),
    ],
)
def test_unknown_placeholders_are_refused(subject, body, field, message):
    text = EmailText(kind="case_resolved", language="nl", subject=subject, body=body)
    with pytest.raises(ValidationError) as error:
        text.full_clean()
    assert message in error.value.message_dict[field][0]


def test_the_admin_refuses_and_saves_nothing(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    data = {"kind": "case_resolved", "language": "nl", "subject": "Klaar: {reference}", "body": "Beste {burger}"}
    response = client.post(reverse("admin:notifications_emailtext_add"), data)
    assert response.status_code == 200 and "Unknown placeholder: {burger}." in response.content.decode()
    assert not EmailText.objects.exists()


def test_the_texts_are_read_once_and_a_change_applies_at_once(django_assert_num_queries, monkeypatch):
    EmailText.objects.create(kind="case_created", language="nl", subject="Eerst {reference}", body="Eerst")
    with django_assert_num_queries(1):
        assert email_texts()[("case_created", "nl")].subject == "Eerst {reference}"
        assert email_texts()[("case_created", "nl")].subject == "Eerst {reference}"

    # Saved in this process: the next e-mail has it.
    text = EmailText.objects.get()
    text.subject = "Daarna {reference}"
    text.save()
    assert email_texts()[("case_created", "nl")].subject == "Daarna {reference}"

    # Changed by another process: seen here once the texts are older than EMAIL_TEXTS_TTL.
    EmailText.objects.update(subject="Elders {reference}")
    assert email_texts()[("case_created", "nl")].subject == "Daarna {reference}"
    later = backends.monotonic() + backends.EMAIL_TEXTS_TTL + 1
    monkeypatch.setattr(backends, "monotonic", lambda: later)
    assert email_texts()[("case_created", "nl")].subject == "Elders {reference}"

    EmailText.objects.all().delete()
    assert email_texts() == {}


@pytest.mark.parametrize(
    ("kind", "subject", "sentence"),
    [
        ("case_created", "We hebben uw aanvraag 4711 geregistreerd", "geregistreerd en volgen ze op."),
        ("case_suspended", "We hebben iets van u nodig voor 4711", "hebben we iets van u nodig:"),
        ("case_resolved", "Uw aanvraag 4711 is behandeld", "Uw aanvraag is behandeld."),
        ("case_started", "Nieuws over uw aanvraag 4711", "We zijn met uw aanvraag aan de slag gegaan."),
    ],
)
def test_the_built_in_e_mail_of_each_kind_has_its_subject_and_first_sentence(kind, subject, sentence):
    context = {"kind": kind, "reference": "4711", "name": "An Peeters", "status_url": "https://stad.example/s/1/"}

    built = email_content(context, language="nl", own=None)

    assert built[0] == subject
    for part in built[1:]:
        assert "An Peeters" in part and sentence in part and "https://stad.example/s/1/" in part
    assert email_content(context, language="nl", own=None, html=False) == (*built[:2], None)


@pytest.mark.parametrize("language", ["nl", "en", "fr"])
@pytest.mark.parametrize("kind", NotificationKind.values)
def test_each_e_mail_is_what_its_templates_render(kind, language):
    """The layouts rendered once (notifications.emails._layout), filled per e-mail, give exactly the templates'
    output: every optional part there or not, values escaped in the HTML as the templates escape them."""
    values = {
        "kind": kind,
        "name": "An <Peeters> & Zn",
        "reference": "4711",
        "case_type": 'Melding "openbaar" domein',
        "handler": "Team <Wegen>",
        "sender": "Stad Gent <info@stad.gent>",
        "public_message": "Lijn 1 & <b>2</b>\nLijn 3",
        "survey_url": "https://stad.example/survey/a?b=1&c=2",
        "tracking_code": "AB12-CD34",
        "status_url": "https://stad.example/s/1/?x=<y>",
    }
    for present in itertools.product([True, False], repeat=len(OPTIONAL)):
        context = {**values, **{name: "" for name, shown in zip(OPTIONAL, present, strict=True) if not shown}}
        with translation.override(language):
            expected = {**context, "status_text": STATUS_TEXTS.get(kind, "")}
            text = render_to_string("notifications/email/message.txt", expected)
            html = render_to_string("notifications/email/message.html", expected)
        assert email_content(context, language=language, own=None)[1:] == (text, html), present
