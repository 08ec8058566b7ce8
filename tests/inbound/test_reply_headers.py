"""A reply found by the Message-ID of our e-mail it answers (In-Reply-To, References), not only by the subject."""

import pytest

from cases.models import Case, EventKind
from inbound import services
from inbound.models import InboundMail
from notifications.backends import email_message_id
from notifications.models import Notification
from tests.factories import EmailFactory, PersonFactory, open_case

from .conftest import mail

pytestmark = pytest.mark.django_db


def notified_case(melding, address):
    """An open case of the citizen with this address, and the e-mail notification that told them of it."""
    party = PersonFactory()
    EmailFactory(party=party, value=address)
    case = open_case(case_type=melding, party=party)
    notification = Notification.objects.create(
        case=case, party=party, backend="email", kind="case_created", recipient=address, language="nl"
    )
    return case, notification


def test_a_reply_whose_subject_lost_the_reference_lands_on_the_case_by_in_reply_to(
    imap_server, make_mailbox, melding, settings
):
    settings.DEFAULT_FROM_EMAIL = "Stad <midoffice@stad.example>"
    case, notification = notified_case(melding, "jan.peeters@example.be")
    mailbox = make_mailbox(default_case_type=melding)
    parent = email_message_id(notification)
    imap_server.append(mail(subject="Re: uw vraag", body="Foto in bijlage.", headers={"In-Reply-To": parent}))

    services.mailbox_poll(mailbox_id=mailbox.pk)

    inbound = InboundMail.objects.get()
    assert inbound.case == case
    assert Case.objects.count() == 1
    assert "Foto in bijlage." in case.events.get(kind=EventKind.NOTE).text


def test_references_alone_find_the_case_too(imap_server, make_mailbox, melding):
    case, notification = notified_case(melding, "jan.peeters@example.be")
    mailbox = make_mailbox(default_case_type=melding)
    references = f"<older@example.be> {email_message_id(notification)}"
    imap_server.append(mail(subject="Nog een vraag", headers={"References": references}))

    services.mailbox_poll(mailbox_id=mailbox.pk)

    assert InboundMail.objects.get().case == case


def test_a_forged_in_reply_to_naming_another_citizens_notification_reaches_no_other_case(
    imap_server, make_mailbox, melding
):
    someone_else, notification = notified_case(melding, "an.janssens@example.be")
    mailbox = make_mailbox(default_case_type=melding)
    imap_server.append(mail(subject="Re: uw vraag", headers={"In-Reply-To": email_message_id(notification)}))

    services.mailbox_poll(mailbox_id=mailbox.pk)

    inbound = InboundMail.objects.get()
    assert inbound.case != someone_else and inbound.case.case_type == melding
    assert inbound.contact.party != someone_else.party
    assert not someone_else.events.filter(kind=EventKind.NOTE).exists()
