"""The public channels: what citizens and the city's integrators reach without a staff account.

Service clients (the virtual assistant, web forms, WhatsApp and Messenger bridges, Open311 apps) with scoped
tokens; the intake of questions and reports; the status look-up of a case by its reference and tracking code;
Open311 GeoReport v2. A domain of its own: it speaks for contacts and cases to the outside world, under rules
(scopes, throttles, public data only) that staff never meet.
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    name = "public"
    verbose_name = _("Public channels")
