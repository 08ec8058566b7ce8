"""Polling a real IMAP server: what each kind of mail becomes, and that no mail is lost or imported twice."""

import pytest

from cases.models import Case, CaseState, EventKind, GroupMessage
from contacts.models import Channel, Contact, ContactPoint, Direction, Party
from inbound import services
from inbound.imap import MailServerError
from inbound.models import InboundAttachment, InboundMail, InboundMailStatus, Mailbox, ProcessedAction
from inbound.tasks import poll_mailbox, poll_mailboxes
from tests.factories import EmailFactory, PersonFactory, case_in_state, open_case

from .conftest import mail

pytestmark = pytest.mark.django_db


def poll(mailbox):
    return services.mailbox_poll(mailbox_id=mailbox.pk)


def test_a_new_mail_opens_a_case_of_the_default_type(imap_server, make_mailbox, melding):
    mailbox = make_mailbox(default_case_type=melding)
    imap_server.append(mail())

    result = poll(mailbox)

    assert (result.seen, result.recorded, result.failed) == (1, 1, 0)
    inbound = InboundMail.objects.get()
    assert inbound.status == InboundMailStatus.IMPORTED
    assert (inbound.sender, inbound.sender_name, inbound.subject) == (
        "jan.peeters@example.be",
        "Jan Peeters",
        "Losliggende stoeptegel",
    )
    contact = inbound.contact
    assert (contact.channel, contact.direction) == (Channel.EMAIL, Direction.INBOUND)
    assert contact.summary == "Aan de Kerkstraat 12 ligt een tegel los."
    assert (contact.party.given_name, contact.party.family_name) == ("Jan", "Peeters")
    case = inbound.case
    assert case.case_type == melding and case.handler_group == melding.default_group
    assert case.party == contact.party and case.channel == Channel.EMAIL
    assert "Kerkstraat 12" in case.description
    # Processed on the server: read, so not polled again.
    assert imap_server.uids("UNSEEN") == []
    assert poll(mailbox).seen == 0


def test_a_known_sender_is_found_by_address_whatever_the_display_name(imap_server, make_mailbox, melding):
    party = PersonFactory(given_name="Johannes", family_name="Peeters")
    EmailFactory(party=party, value="jan.peeters@example.be")
    mailbox = make_mailbox(default_case_type=melding)
    imap_server.append(mail(sender='"JP" <Jan.Peeters@Example.be>'))

    poll(mailbox)

    assert InboundMail.objects.get().contact.party == party
    assert Party.objects.count() == 1


def test_a_reply_naming_the_case_lands_on_its_timeline_and_tells_its_group(imap_server, make_mailbox, melding, group):
    party = PersonFactory()
    EmailFactory(party=party, value="jan.peeters@example.be")
    case = open_case(case_type=melding, party=party)
    mailbox = make_mailbox(default_case_type=melding)
    imap_server.append(mail(subject=f"RE: We registered your request {case.reference}", body="Foto in bijlage."))

    poll(mailbox)

    inbound = InboundMail.objects.get()
    assert inbound.case == case
    assert Case.objects.count() == 1
    assert list(case.contacts.all()) == [inbound.contact]
    note = case.events.get(kind=EventKind.NOTE)
    assert "Foto in bijlage." in note.text and note.data["contact"] == inbound.contact.pk
    message = GroupMessage.objects.get(handler_group=group)
    assert case.reference in message.subject and "Foto in bijlage." in message.body


def test_a_number_in_the_subject_of_another_citizens_case_is_no_reply(imap_server, make_mailbox, melding):
    someone_else = open_case(case_type=melding)
    mailbox = make_mailbox(default_case_type=melding)
    imap_server.append(mail(subject=f"Vraag over huisnummer {someone_else.reference}"))

    poll(mailbox)

    inbound = InboundMail.objects.get()
    assert inbound.case != someone_else and inbound.case.case_type == melding
    assert not someone_else.events.filter(kind=EventKind.NOTE).exists()


def test_a_reply_to_a_closed_case_opens_a_new_case_pointing_to_it(imap_server, make_mailbox, melding):
    party = PersonFactory()
    EmailFactory(party=party, value="jan.peeters@example.be")
    closed = case_in_state(CaseState.CLOSED, case_type=melding, party=party)
    mailbox = make_mailbox()
    imap_server.append(mail(subject=f"Re: Your request {closed.reference} has been handled", body="Nog steeds los!"))

    poll(mailbox)

    new = InboundMail.objects.get().case
    assert new.pk != closed.pk and new.case_type == melding and new.party == party
    assert closed.reference in new.description and "Nog steeds los!" in new.description
    assert closed.events.get(kind=EventKind.NOTE).data["follow_up"] == new.reference


def test_without_a_default_a_mail_is_a_contact_for_the_kcc_to_triage(imap_server, make_mailbox, kcc_group):
    mailbox = make_mailbox()
    imap_server.append(mail())

    poll(mailbox)

    inbound = InboundMail.objects.get()
    assert inbound.case is None and inbound.contact.outcome == ""
    assert not Case.objects.exists()
    message = GroupMessage.objects.get()
    assert message.handler_group == kcc_group and "Losliggende stoeptegel" in message.subject


def test_with_a_default_group_that_group_triages(imap_server, make_mailbox, kcc_group, other_group):
    mailbox = make_mailbox(default_group=other_group)
    imap_server.append(mail())

    poll(mailbox)

    assert GroupMessage.objects.get().handler_group == other_group


@pytest.mark.parametrize(
    ("sender", "headers", "status"),
    [
        ("Jan <jan.peeters@example.be>", {"Auto-Submitted": "auto-replied"}, InboundMailStatus.IGNORED_AUTO_REPLY),
        ("Jan <jan.peeters@example.be>", {"Precedence": "bulk"}, InboundMailStatus.IGNORED_AUTO_REPLY),
        ("Jan <jan.peeters@example.be>", {"X-Autoreply": "yes"}, InboundMailStatus.IGNORED_AUTO_REPLY),
        ("Mail Delivery System <MAILER-DAEMON@mx.example.be>", {}, InboundMailStatus.IGNORED_LOOP),
        ("Stad <midoffice@localhost>", {}, InboundMailStatus.IGNORED_LOOP),
        ("Info <info@stad.example>", {}, InboundMailStatus.IGNORED_LOOP),
        ("Jan <jan.peeters@example.be>", {"X-Midoffice-Idempotency-Key": "9b1c"}, InboundMailStatus.IGNORED_LOOP),
    ],
)
def test_auto_replies_bounces_and_our_own_mail_are_recorded_and_ignored(
    imap_server, make_mailbox, melding, sender, headers, status
):
    mailbox = make_mailbox(default_case_type=melding)
    imap_server.append(mail(sender=sender, headers=headers))

    poll(mailbox)

    inbound = InboundMail.objects.get()
    assert inbound.status == status and inbound.contact is None
    assert not Contact.objects.exists() and not Case.objects.exists() and not GroupMessage.objects.exists()
    assert imap_server.uids("UNSEEN") == []


def test_the_same_mail_polled_twice_is_imported_once(imap_server, make_mailbox, melding):
    mailbox = make_mailbox(default_case_type=melding)
    imap_server.append(mail(message_id="<once@example.be>"))
    poll(mailbox)
    # As if marking it processed had failed: it is new again on the server.
    client = imap_server.client()
    client.uid("STORE", imap_server.uids()[0], "-FLAGS", r"(\Seen)")
    client.logout()
    imap_server.append(mail(message_id="<once@example.be>"))

    result = poll(mailbox)

    assert (result.seen, result.recorded) == (2, 2)
    assert InboundMail.objects.count() == 1 and Contact.objects.count() == 1 and Case.objects.count() == 1
    assert imap_server.uids("UNSEEN") == []


def test_the_server_stopping_during_a_poll_loses_nothing(imap_server, make_mailbox, melding, monkeypatch):
    mailbox = make_mailbox(default_case_type=melding)
    first, second = mail(message_id="<first@example.be>"), mail(message_id="<second@example.be>", subject="Tweede")
    imap_server.append(first)
    imap_server.append(second)
    real_import = services.inbound_mail_import

    def import_then_stop_the_server(**kwargs):
        # The first mail is committed; the server dies before it is marked processed.
        imported = real_import(**kwargs)
        imap_server.stop()
        return imported

    monkeypatch.setattr(services, "inbound_mail_import", import_then_stop_the_server)
    with pytest.raises(MailServerError):
        poll(mailbox)
    monkeypatch.setattr(services, "inbound_mail_import", real_import)

    mailbox.refresh_from_db()
    assert mailbox.failures == 1 and mailbox.last_error and mailbox.next_poll_at > mailbox.last_polled_at
    assert InboundMail.objects.count() == 1
    # The server comes back with both mails still unprocessed (a real server keeps them; this one is restarted).
    imap_server.start()
    imap_server.append(first)
    imap_server.append(second)
    Mailbox.objects.filter(pk=mailbox.pk).update(port=imap_server.port)
    mailbox.refresh_from_db()

    poll(mailbox)

    assert sorted(InboundMail.objects.values_list("message_id", flat=True)) == [
        "<first@example.be>",
        "<second@example.be>",
    ]
    assert Contact.objects.count() == 2 and Case.objects.count() == 2
    assert imap_server.uids("UNSEEN") == []
    mailbox.refresh_from_db()
    assert (mailbox.failures, mailbox.last_error) == (0, "")


def test_bad_mails_are_recorded_and_the_poller_goes_on(imap_server, make_mailbox, melding, kcc_group, settings):
    settings.MIDOFFICE_INBOUND_MAX_MESSAGE_BYTES = 4000
    mailbox = make_mailbox(default_case_type=melding)
    malformed = (
        b"From: Jan <jan.peeters@example.be>\r\nSubject: Kapot\r\nMessage-ID: <malformed@example.be>\r\n"
        b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="nooit"\r\n\r\n'
        b"--ander\r\nContent-Type: text/plain; charset=x-onbestaand\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        b"@@@@ geen base64 @@@@\r\n"
    )
    imap_server.append(malformed)
    imap_server.append(mail(subject="", body="", message_id="<empty@example.be>"))
    imap_server.append(mail(body="x" * 5000, message_id="<large@example.be>"))
    imap_server.append(mail(sender="Jan <geen-adres>", message_id="<noaddress@example.be>"))
    imap_server.append(mail(message_id="<good@example.be>"))

    result = poll(mailbox)

    assert (result.seen, result.failed) == (5, 0)
    statuses = dict(InboundMail.objects.values_list("message_id", "status"))
    assert statuses["<empty@example.be>"] == InboundMailStatus.REFUSED_EMPTY
    assert statuses["<large@example.be>"] == InboundMailStatus.REFUSED_TOO_LARGE
    assert statuses["<noaddress@example.be>"] == InboundMailStatus.ERROR
    assert statuses["<good@example.be>"] == InboundMailStatus.IMPORTED
    # A mail the parser reads leniently still becomes a contact; one it cannot read is recorded as an error.
    assert statuses["<malformed@example.be>"] in (InboundMailStatus.IMPORTED, InboundMailStatus.ERROR)
    large = InboundMail.objects.get(message_id="<large@example.be>")
    assert large.size > 5000 and large.reason == f"{large.size} > 4000 bytes"
    assert (large.sender, large.subject) == ("jan.peeters@example.be", "Losliggende stoeptegel")
    refused = GroupMessage.objects.filter(handler_group=kcc_group)
    assert refused.count() >= 2
    assert imap_server.uids("UNSEEN") == []


def test_an_address_the_contact_records_refuse_is_an_error_that_writes_nothing_else(
    imap_server, make_mailbox, melding, kcc_group
):
    mailbox = make_mailbox(default_case_type=melding)
    imap_server.append(mail(sender="Jan <jan@[300.1.1.1]>", message_id="<bad-address@example.be>"))

    poll(mailbox)

    inbound = InboundMail.objects.get()
    assert inbound.status == InboundMailStatus.ERROR and "Invalid e-mail address." in inbound.reason
    assert not Party.objects.exists() and not Contact.objects.exists() and not ContactPoint.objects.exists()
    assert GroupMessage.objects.get().handler_group == kcc_group


def test_attachments_are_stored_within_the_limits(imap_server, make_mailbox, melding, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    settings.MEDIA_ROOT = tmp_path
    settings.MIDOFFICE_INBOUND_MAX_ATTACHMENT_BYTES = 100
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"], message["Subject"], message["Message-ID"] = "jan@example.be", "Foto", "<att@example.be>"
    message.set_content("Zie bijlage.")
    message.add_attachment(b"%PDF-1.4 klein", maintype="application", subtype="pdf", filename="brief.pdf")
    message.add_attachment(b"x" * 200, maintype="application", subtype="pdf", filename="groot.pdf")
    message.add_attachment(b"MZ", maintype="application", subtype="x-msdownload", filename="virus.exe")
    mailbox = make_mailbox(default_case_type=melding)
    imap_server.append(message.as_bytes())

    poll(mailbox)

    inbound = InboundMail.objects.get()
    attachment = InboundAttachment.objects.get()
    assert (attachment.mail, attachment.filename, attachment.size) == (inbound, "brief.pdf", 14)
    assert attachment.file.read() == b"%PDF-1.4 klein"
    assert "groot.pdf" in inbound.reason and "virus.exe" in inbound.reason


def test_processed_mail_can_be_moved_to_a_folder(imap_server, make_mailbox, melding):
    imap_server.create_folder("Verwerkt")
    mailbox = make_mailbox(
        default_case_type=melding, processed_action=ProcessedAction.MOVE, processed_folder="Verwerkt"
    )
    imap_server.append(mail())

    poll(mailbox)

    assert InboundMail.objects.get().status == InboundMailStatus.IMPORTED
    assert imap_server.uids() == [] and len(imap_server.uids(folder="Verwerkt")) == 1


def test_the_beat_task_polls_each_due_mailbox_and_a_failure_backs_off(imap_server, make_mailbox, melding):
    mailbox = make_mailbox(default_case_type=melding)
    down = make_mailbox(name="Weg", port=1)
    imap_server.append(mail())

    assert poll_mailboxes.apply().get() == 2

    assert InboundMail.objects.get().mailbox == mailbox
    down.refresh_from_db()
    assert down.failures == 1 and "Error" in down.last_error
    assert services.mailboxes_due() == [mailbox.pk]
    poll_mailbox.apply(args=(down.pk,)).get()  # a direct poll of a failing mailbox does not raise either
