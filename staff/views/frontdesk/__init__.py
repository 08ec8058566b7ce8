"""The front desk ("Nieuw contact", ``/balie/``): one screen to find or create the party, log the contact, open a case
from it and note a call-back, by keyboard alone.

A telephony system opens ``/balie/?nummer=<caller>`` on an incoming call (the screen-pop). Each part of the screen
is a fragment that htmx swaps in; every fragment is also reachable without htmx as the whole page, so the screen
works without the script too. Every party shown is access-logged (``staff_search`` for search results,
``staff_frontdesk`` for a record opened or created here).
"""

from django.urls import path

from .contact import callback_new, contact_log
from .screen import frontdesk, party_clear, party_new, party_panel, search

urlpatterns = [
    path("balie/", frontdesk, name="frontdesk"),
    path("balie/zoeken/", search, name="frontdesk-search"),
    path("balie/klant/<id:pk>/", party_panel, name="frontdesk-party"),
    path("balie/klant/geen/", party_clear, name="frontdesk-party-clear"),
    path("balie/nieuwe-klant/", party_new, name="frontdesk-party-new"),
    path("balie/contact/", contact_log, name="frontdesk-contact"),
    path("balie/terugbelnotitie/", callback_new, name="frontdesk-callback"),
]
