import unicodedata

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.signals import pre_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from midoffice.text import TEXT_MAX_LENGTH

from .history import set_actor_of_entry
from .identifiers import format_enterprise_number, format_national_number, format_phone


def normalise_name(text: str) -> str:
    """Lower case without accents or extra spaces: what name search and duplicate checks compare."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.lower().split())


def full_name(kind: str, given_name: str, family_name: str, name: str) -> str:
    if kind == PartyKind.PERSON:
        return " ".join(part for part in (given_name, family_name) if part)
    return name


def display_name(pk: int, kind: str, given_name: str, family_name: str, name: str) -> str:
    """How staff screens name a party; also used on rows read with ``values_list`` (no model instance)."""
    return full_name(kind, given_name, family_name, name) or _("Unnamed party #%(id)s") % {"id": pk}


class PartyKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANISATION = "organisation", _("Organisation")
    ASSOCIATION = "association", _("Association")


class Language(models.TextChoices):
    DUTCH = "nl", _("Dutch")
    FRENCH = "fr", _("French")
    ENGLISH = "en", _("English")
    GERMAN = "de", _("German")


class PreferredChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    LETTER = "letter", _("Letter")
    PROFILE = "profile", _("Mijn Burgerprofiel / e-loket")


# ``Party.known_preferred_email`` when it is not known.
NOT_KNOWN = object()


class Party(models.Model):
    """The authentic contact record ("contactfiche") of a person, organisation or association."""

    kind = models.CharField(_("kind"), max_length=16, choices=PartyKind.choices, default=PartyKind.PERSON)
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    family_name = models.CharField(_("family name"), max_length=100, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True, help_text=_("Organisations and associations."))
    birth_date = models.DateField(_("birth date"), null=True, blank=True, db_index=True)
    # Identifiers are NULL when absent so that the partial unique constraints ignore them.
    national_number = models.CharField(  # noqa: DJ001
        _("national number (INSZ)"), max_length=11, null=True, blank=True
    )
    enterprise_number = models.CharField(  # noqa: DJ001
        _("enterprise number (KBO)"), max_length=10, null=True, blank=True
    )
    association_code = models.CharField(  # noqa: DJ001
        _("association code (vCode)"), max_length=8, null=True, blank=True
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.DUTCH)
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=16, choices=PreferredChannel.choices, blank=True
    )
    # Derived from the names by save(): what name search and duplicate detection compare.
    search_name = models.CharField(max_length=300, blank=True, editable=False)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_parties",
    )
    merged_at = models.DateTimeField(_("merged at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # Not a column: the value of the party's preferred e-mail address (None: it has none) where the code that read
    # or wrote this instance knows it: identity resolution, for the party it found or made and the addresses it
    # added. The e-mail about the case it opens is then addressed without reading it again
    # (``contacts.selectors.preferred_email``).
    known_preferred_email = NOT_KNOWN

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        permissions = [
            ("merge_party", _("Can merge a duplicate party into another")),
            ("view_party_history", _("Can view the change history of a party")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=PartyKind.values), name="party_kind_valid"),
            models.UniqueConstraint(
                fields=["national_number"],
                condition=Q(national_number__isnull=False),
                name="party_national_number_unique",
            ),
            models.UniqueConstraint(
                fields=["enterprise_number"],
                condition=Q(enterprise_number__isnull=False),
                name="party_enterprise_number_unique",
            ),
            models.UniqueConstraint(
                fields=["association_code"],
                condition=Q(association_code__isnull=False),
                name="party_association_code_unique",
            ),
            models.CheckConstraint(
                condition=Q(national_number__isnull=True) | Q(kind=PartyKind.PERSON),
                name="party_national_number_only_person",
            ),
            models.CheckConstraint(
                condition=Q(enterprise_number__isnull=True) | ~Q(kind=PartyKind.PERSON),
                name="party_enterprise_number_not_person",
            ),
            models.CheckConstraint(
                condition=Q(association_code__isnull=True) | Q(kind=PartyKind.ASSOCIATION),
                name="party_association_code_only_association",
            ),
            # A tombstone carries no identifiers: they moved to the survivor.
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True)
                | Q(national_number__isnull=True, enterprise_number__isnull=True, association_code__isnull=True),
                name="party_tombstone_without_identifiers",
            ),
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True, merged_at__isnull=True)
                | Q(merged_into__isnull=False, merged_at__isnull=False),
                name="party_merged_at_with_merged_into",
            ),
        ]
        indexes = [models.Index(fields=["search_name"], name="party_search_name_idx")]

    def __str__(self):
        return self.display_name

    def save(self, *args, **kwargs):
        self.set_search_name()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_name", "updated_at"}
        super().save(*args, **kwargs)

    def set_search_name(self) -> None:
        """What name search matches; ``save`` sets it, a writer that does not call ``save`` calls this."""
        # Compatibility decomposition can lengthen a name (one ligature becomes several letters).
        self.search_name = normalise_name(self.full_name)[: self._meta.get_field("search_name").max_length]

    @property
    def full_name(self) -> str:
        return full_name(self.kind, self.given_name, self.family_name, self.name)

    @property
    def display_name(self) -> str:
        return display_name(self.pk, self.kind, self.given_name, self.family_name, self.name)

    @property
    def is_tombstone(self) -> bool:
        return self.merged_into_id is not None

    @property
    def history_party_id(self) -> int:
        return self.pk

    def get_additional_data(self) -> dict:
        # django-auditlog stores this with each change: a party's history is one (indexed) key.
        return {"party": self.history_party_id}

    def survivor(self) -> "Party":
        """The record this one lives on in: itself, or the end of its chain of merges."""
        party = self
        while party.merged_into_id is not None:
            party = party.merged_into
        return party

    @property
    def national_number_formatted(self) -> str:
        return format_national_number(self.national_number)

    @property
    def enterprise_number_formatted(self) -> str:
        return format_enterprise_number(self.enterprise_number)


class ContactPointKind(models.TextChoices):
    EMAIL = "email", _("E-mail address")
    PHONE = "phone", _("Phone number")
    ADDRESS = "address", _("Postal address")


class ContactPoint(models.Model):
    """An e-mail address, phone number (E.164) or postal address of a party."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="contact_points")
    kind = models.CharField(_("kind"), max_length=8, choices=ContactPointKind.choices)
    # E-mail (lower case) or phone (E.164); for an address the one-line form, derived by save(): long
    # enough for the longest address its parts allow.
    value = models.CharField(_("value"), max_length=400)
    street = models.CharField(_("street"), max_length=200, blank=True)
    house_number = models.CharField(_("house number"), max_length=20, blank=True)
    box = models.CharField(_("box"), max_length=20, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="BE", blank=True)
    label = models.CharField(_("label"), max_length=50, blank=True, help_text=_("e.g. home, work"))
    preferred = models.BooleanField(_("preferred"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")
        ordering = ["kind", "-preferred", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ContactPointKind.values), name="contactpoint_kind_valid"),
            models.CheckConstraint(condition=~Q(value=""), name="contactpoint_value_not_empty"),
            models.UniqueConstraint(fields=["party", "kind", "value"], name="contactpoint_unique_per_party"),
            models.UniqueConstraint(
                fields=["party", "kind"], condition=Q(preferred=True), name="contactpoint_one_preferred_per_kind"
            ),
        ]
        indexes = [models.Index(fields=["kind", "value"], name="contactpoint_lookup_idx")]

    def __str__(self):
        return self.display_value

    def save(self, *args, **kwargs):
        if self.kind == ContactPointKind.ADDRESS:
            self.value = self.address_line()
        super().save(*args, **kwargs)

    def address_line(self) -> str:
        number = " ".join(p for p in (self.house_number, f"bus {self.box}" if self.box else "") if p)
        street = " ".join(p for p in (self.street, number) if p)
        city = " ".join(p for p in (self.postal_code, self.city) if p)
        line = ", ".join(p for p in (street, city) if p)
        return f"{line}, {self.country}" if line and self.country and self.country != "BE" else line

    @property
    def display_value(self) -> str:
        return format_phone(self.value) if self.kind == ContactPointKind.PHONE else self.value

    @property
    def history_party_id(self) -> int:
        return self.party_id

    def get_additional_data(self) -> dict:
        return {"party": self.history_party_id}


class Representative(models.Model):
    """A person who represents an organisation or association, in a role, for a period."""

    organisation = models.ForeignKey(
        Party, on_delete=models.CASCADE, related_name="representatives", verbose_name=_("organisation")
    )
    person = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="represents", verbose_name=_("person"))
    role = models.CharField(_("role"), max_length=100)
    valid_from = models.DateField(_("from"), null=True, blank=True)
    valid_until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")
        ordering = ["organisation_id", "role", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="representative_period_ordered",
            ),
            models.CheckConstraint(condition=~Q(organisation=models.F("person")), name="representative_not_self"),
            models.UniqueConstraint(fields=["organisation", "person", "role"], name="representative_unique_role"),
        ]

    def __str__(self):
        return f"{self.person} ({self.role}) — {self.organisation}"

    @property
    def history_party_id(self) -> int:
        return self.organisation_id

    def get_additional_data(self) -> dict:
        return {"party": self.history_party_id}


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    COUNTER = "counter", _("Counter")
    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Letter")
    WEBSITE = "website", _("Website")
    WHATSAPP = "whatsapp", _("WhatsApp")
    MESSENGER = "messenger", _("Messenger")
    CHAT = "chat", _("Chat")
    SOCIAL = "social", _("Social media")
    OTHER = "other", _("Other")


CHANNEL_LABELS = dict(Channel.choices)


class Source(models.TextChoices):
    STAFF = "staff", _("Staff")
    WEB_FORM = "web_form", _("Web form")
    VIRTUAL_ASSISTANT = "virtual_assistant", _("Virtual assistant")
    INTEGRATION = "integration", _("Integration")


class Direction(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")


class Outcome(models.TextChoices):
    ANSWERED = "answered", _("Answered first-line")
    CASE_CREATED = "case_created", _("Case created")
    REFERRED = "referred", _("Referred")
    NO_ANSWER = "no_answer", _("No answer")


class MatchedOn(models.TextChoices):
    """How identity resolution found the contact's party."""

    NATIONAL_NUMBER = "national_number", _("National number")
    ENTERPRISE_NUMBER = "enterprise_number", _("Enterprise number")
    ASSOCIATION_CODE = "association_code", _("Association code")
    EMAIL = "email", _("E-mail address")
    PHONE = "phone", _("Phone number")
    CREATED = "created", _("New party created")
    GIVEN = "given", _("Party given by the caller")


class Contact(models.Model):
    """One interaction with a citizen, company or association ("klantcontact")."""

    # Indexed by contact_party_time_idx (party first): an index of its own was written by every contact for nothing.
    party = models.ForeignKey(
        Party,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contacts",
        verbose_name=_("party"),
        db_index=False,
    )
    anonymous = models.BooleanField(_("anonymous"), default=False)
    matched_on = models.CharField(_("matched on"), max_length=20, choices=MatchedOn.choices, blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.STAFF)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices, default=Direction.INBOUND)
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)
    started_at = models.DateTimeField(
        _("started at"), null=True, blank=True, help_text=_("When the citizen began the form or conversation.")
    )
    subject = models.CharField(_("subject"), max_length=200)
    summary = models.TextField(_("summary"), blank=True, max_length=TEXT_MAX_LENGTH)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    guided = models.BooleanField(
        _("guided"), default=False, help_text=_("Staff helped the citizen through a digital application.")
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts_handled",
        verbose_name=_("handled by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    # Imported from the previous system (reports.services.history): its id there, so a history sent again is not
    # counted twice. Empty for every contact logged here.
    imported_key = models.CharField(  # noqa: DJ001
        _("key in the previous system"), max_length=100, null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            # A contact is linked to a party unless it was explicitly logged as anonymous.
            models.CheckConstraint(
                condition=Q(party__isnull=True, anonymous=True) | Q(party__isnull=False, anonymous=False),
                name="contact_party_or_anonymous",
            ),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="contact_channel_valid"),
            models.CheckConstraint(condition=Q(source__in=Source.values), name="contact_source_valid"),
            models.CheckConstraint(condition=Q(direction__in=Direction.values), name="contact_direction_valid"),
            models.CheckConstraint(condition=Q(outcome__in=[*Outcome.values, ""]), name="contact_outcome_valid"),
            models.CheckConstraint(
                condition=Q(started_at__isnull=True) | Q(started_at__lte=models.F("occurred_at")),
                name="contact_started_before_occurred",
            ),
            models.UniqueConstraint(
                fields=["imported_key"], condition=Q(imported_key__isnull=False), name="contact_imported_key_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["party", "-occurred_at"], name="contact_party_time_idx"),
            models.Index(fields=["occurred_at"], name="contact_occurred_idx"),
        ]

    def __str__(self):
        # Its history entry names every new contact this way: a look-up, where get_channel_display() builds the
        # table of choices on each call.
        return f"{CHANNEL_LABELS.get(self.channel, self.channel)}: {self.subject}"

    @property
    def history_party_id(self) -> int | None:
        return self.party_id

    def get_additional_data(self) -> dict:
        return {"party": self.history_party_id}


class PartyMerge(models.Model):
    """Audit of a merge: who merged which duplicate into which survivor, and what moved."""

    survivor = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="merges_received")
    duplicate = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="merges_given")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    merged_at = models.DateTimeField(_("merged at"), default=timezone.now)
    # {"contacts": [ids], "contact_points": [ids], "representatives": [ids], "identifiers": {...}, ...}
    moved = models.JSONField(_("what moved"), default=dict)

    class Meta:
        verbose_name = _("party merge")
        verbose_name_plural = _("party merges")
        ordering = ["-merged_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(survivor=models.F("duplicate")), name="partymerge_not_self"),
            models.UniqueConstraint(fields=["duplicate"], name="partymerge_duplicate_once"),
        ]

    def __str__(self):
        return f"#{self.duplicate_id} → #{self.survivor_id}"


class AccessLog(models.Model):
    """Who opened which party's record, when, and through what (privacy: who looked at whom)."""

    class Via(models.TextChoices):
        API_DETAIL = "api_detail", _("API: record")
        API_SEARCH = "api_search", _("API: search results")
        API_CREATE = "api_create", _("API: record created")
        API_UPDATE = "api_update", _("API: record changed")
        API_CONTACT_POINTS = "api_contact_points", _("API: contact points")
        API_REPRESENTATIVES = "api_representatives", _("API: representatives")
        API_MERGE = "api_merge", _("API: merge")
        API_HISTORY = "api_history", _("API: change history")
        API_TIMELINE = "api_timeline", _("API: timeline")
        API_DUPLICATES = "api_duplicates", _("API: duplicates")
        API_CONTACTS = "api_contacts", _("API: contacts")
        ADMIN = "admin", _("Admin")
        ADMIN_LIST = "admin_list", _("Admin: list")
        ADMIN_HISTORY = "admin_history", _("Admin: change history")
        STAFF_FRONTDESK = "staff_frontdesk", _("Front desk: record")
        STAFF_SEARCH = "staff_search", _("Front desk: search results")
        STAFF_RECORD = "staff_record", _("Party page")
        STAFF_TIMELINE = "staff_timeline", _("Party page: timeline")
        STAFF_MERGE = "staff_merge", _("Party page: merge")
        STAFF_CALLBACKS = "staff_callbacks", _("Call-back list")
        STAFF_CASE = "staff_case", _("Case page")
        STAFF_INBOX = "staff_inbox", _("Case inbox")
        STAFF_BOARD = "staff_board", _("Supervision board")
        API_SUPERVISION = "api_supervision", _("API: overdue cases")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # Kept even if the user account is removed later.
    username = models.CharField(_("user name"), max_length=150)
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="access_logs")
    via = models.CharField(_("via"), max_length=20, choices=Via.choices)
    accessed_at = models.DateTimeField(_("accessed at"), default=timezone.now)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-accessed_at"]
        indexes = [
            models.Index(fields=["party", "-accessed_at"], name="accesslog_party_idx"),
            models.Index(fields=["user", "-accessed_at"], name="accesslog_user_idx"),
        ]

    def __str__(self):
        return f"{self.username} → #{self.party_id} ({self.accessed_at:%Y-%m-%d %H:%M})"


def _history_fields(model: type[models.Model], *, leave_out: tuple[str, ...] = ()) -> list[str]:
    # The table's own columns: auditlog would otherwise list every reverse relation of a new row as a change.
    return [field.name for field in model._meta.concrete_fields if field.name not in leave_out]


# The derived search name and the save time are no history of their own.
auditlog.register(Party, include_fields=_history_fields(Party, leave_out=("search_name", "updated_at")))
auditlog.register(ContactPoint, include_fields=_history_fields(ContactPoint))
auditlog.register(Representative, include_fields=_history_fields(Representative))
auditlog.register(Contact, include_fields=_history_fields(Contact))
pre_save.connect(set_actor_of_entry, sender=LogEntry, dispatch_uid="contacts.history.set_actor_of_entry")
