from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    """Authentic contact records (parties), their contact points and the contacts logged."""

    name = "contacts"
    verbose_name = _("Contacts")
