"""Inbound e-mail: the city's general mailboxes read by the system instead of by people, so that no question is
lost in a group mailbox. Each mail becomes an inbound contact, a reply lands on its case, a new mail a case or a
contact for the KCC to triage. A domain of its own: mailboxes, their polling and the mails already imported.
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboundConfig(AppConfig):
    name = "inbound"
    verbose_name = _("Inbound e-mail")
