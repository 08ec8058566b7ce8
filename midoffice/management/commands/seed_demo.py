"""``python manage.py seed_demo``: the same demo city on every fresh install.

Demo users for every role (passwords ``demo-<username>``), a few hundred Flemish persons,
organisations and associations with valid identifiers, some deliberate near-duplicates for the
duplicate suggestions, contacts over every channel and source in the last 18 months, and the reports'
history of the same months: calls, counter visits, the virtual assistant's sessions and status look-ups.
Everything is written through the services. Running it again changes nothing.
"""

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from faker import Faker

from cases.demo import case_type_for, seed_case_configuration, seed_cases
from cases.models import CaseType
from cases.services import contact_log_with_case
from contacts import services
from contacts.demo import association_code, enterprise_number, national_number
from contacts.models import (
    Channel,
    Contact,
    ContactPoint,
    Direction,
    Language,
    Outcome,
    Party,
    PartyKind,
    PreferredChannel,
    Source,
)
from midoffice import roles
from notifications.services import notifications_silenced
from reports.demo import seed_reports

SEED = 20240501
DEFAULT_PARTIES = 370
MIN_PARTIES = 40
HISTORY_DAYS = 548  # 18 months

# (username, role or None for the superuser, first name, last name)
DEMO_USERS = [
    ("balie", roles.FRONT_DESK, "Bart", "Baliemedewerker"),
    ("kcc", roles.KCC, "Katrien", "Contactcenter"),
    ("behandelaar", roles.HANDLER, "Bram", "Behandelaar"),
    ("supervisor", roles.SUPERVISOR, "Sara", "Supervisor"),
    ("admin", None, "Anja", "Beheerder"),
]

# Postal code, municipality, telephone zone.
MUNICIPALITIES = [
    ("2000", "Antwerpen", "3"),
    ("2018", "Antwerpen", "3"),
    ("2100", "Deurne", "3"),
    ("2140", "Borgerhout", "3"),
    ("9000", "Gent", "9"),
    ("9040", "Sint-Amandsberg", "9"),
    ("9050", "Gentbrugge", "9"),
    ("3000", "Leuven", "16"),
    ("3010", "Kessel-Lo", "16"),
    ("8000", "Brugge", "50"),
    ("8200", "Sint-Andries", "50"),
    ("2800", "Mechelen", "15"),
    ("3500", "Hasselt", "11"),
    ("9300", "Aalst", "53"),
    ("8500", "Kortrijk", "56"),
    ("2300", "Turnhout", "14"),
    ("1800", "Vilvoorde", "2"),
    ("9100", "Sint-Niklaas", "3"),
    ("8400", "Oostende", "59"),
    ("3600", "Genk", "89"),
    ("9200", "Dendermonde", "52"),
    ("8800", "Roeselare", "51"),
    ("2500", "Lier", "3"),
    ("2400", "Mol", "14"),
    ("9700", "Oudenaarde", "55"),
    ("8900", "Ieper", "57"),
]
COMMON_STREETS = [
    "Kerkstraat",
    "Stationsstraat",
    "Dorpsstraat",
    "Molenstraat",
    "Nieuwstraat",
    "Schoolstraat",
    "Kapelstraat",
    "Beekstraat",
    "Veldstraat",
    "Lindenlaan",
    "Kasteelstraat",
    "Grote Markt",
    "Brugstraat",
    "Hoogstraat",
    "Kouter",
    "Processiestraat",
    "Heirbaan",
    "Meersstraat",
]
MOBILE_PREFIXES = ["460", "468", "470", "471", "472", "473", "474", "475", "476", "477", "478", "479", "483"]
MOBILE_PREFIXES += ["484", "485", "486", "487", "488", "489", "491", "492", "493", "494", "495", "496", "497"]
MAIL_DOMAINS = ["telenet.be", "skynet.be", "proximus.be", "gmail.com", "hotmail.com", "outlook.com", "icloud.com"]

ASSOCIATION_KINDS = [
    "Jeugdhuis",
    "Buurtcomité",
    "Toneelkring",
    "Wielerclub",
    "Harmonie",
    "Schaakclub",
    "Volleybalclub",
    "Oudercomité",
    "Fanfare",
    "Zwemclub",
    "Kunstkring",
    "Wijkraad",
    "Voetbalclub",
    "Koor",
    "Petanqueclub",
    "Seniorenvereniging",
]
ASSOCIATION_NAMES = [
    "De Eendracht",
    "Ter Heide",
    "De Kring",
    "Sint-Cecilia",
    "De Ketting",
    "Vrij en Blij",
    "De Vrolijke Vrienden",
    "Ons Genoegen",
    "Het Klaverblad",
    "De Linde",
    "Moed en Volharding",
    "De Zwaluw",
    "Samen Sterk",
    "Ter Beke",
]
REPRESENTATIVE_ROLES = ["voorzitter", "secretaris", "penningmeester", "contactpersoon"]

PERSON_SUBJECTS = [
    "Vraag over afvalophaling",
    "Melding losliggende stoeptegel",
    "Aanvraag parkeerkaart",
    "Vraag over bouwvergunning",
    "Klacht over geluidsoverlast",
    "Vraag over factuur",
    "Aanvraag nieuwe identiteitskaart",
    "Adreswijziging doorgeven",
    "Melding sluikstort",
    "Vraag over premie energierenovatie",
    "Afspraak rijbewijs",
    "Vraag over openingsuren recyclagepark",
    "Melding defecte straatverlichting",
    "Aanvraag uittreksel strafregister",
    "Vraag over kinderopvang",
    "Inschrijving sportkamp",
    "Melding wateroverlast",
    "Klacht over verkeershinder door werken",
    "Aanvraag bewonerskaart",
    "Melding zwerfvuil in park",
    "Aanvraag huwelijksdatum",
    "Vraag over OCMW-steun",
    "Aanvraag attest gezinssamenstelling",
    "Vraag over huisvuilzakken",
]
ORGANISATION_SUBJECTS = [
    "Zaalreservatie",
    "Vraag over factuur",
    "Aanvraag terrasvergunning",
    "Aanvraag evenementenvergunning",
    "Inname openbaar domein voor werf",
    "Vraag over bedrijfsafval",
    "Vraag over bouwvergunning",
    "Aanvraag signalisatievergunning",
]
ASSOCIATION_SUBJECTS = [
    "Zaalreservatie",
    "Subsidieaanvraag jeugdwerking",
    "Aanvraag evenementenvergunning",
    "Ontlenen feestmateriaal",
    "Vraag over werkingssubsidie",
    "Reservatie sporthal",
    "Vraag over vrijwilligersverzekering",
]
SUMMARIES = {
    Outcome.ANSWERED: [
        "Vraag meteen beantwoord.",
        "Uitleg gegeven over de procedure en de nodige documenten.",
        "Info gegeven en de link naar de website bezorgd.",
        "Openingsuren en adres van de dienst meegedeeld.",
    ],
    Outcome.CASE_CREATED: [
        "Melding geregistreerd en doorgestuurd naar de bevoegde dienst.",
        "Dossier aangemaakt voor verdere opvolging.",
        "Aanvraag ingediend; de burger krijgt bericht over de beslissing.",
    ],
    Outcome.REFERRED: [
        "Doorverwezen naar de bevoegde dienst.",
        "Doorverwezen naar het OCMW.",
        "Doorverwezen naar de federale overheid.",
    ],
    Outcome.NO_ANSWER: ["Niet bereikt, voicemail ingesproken.", "Geen antwoord; later opnieuw proberen."],
    "": [""],
}
OUTCOME_WEIGHTS = {
    Outcome.ANSWERED: 50,
    Outcome.CASE_CREATED: 22,
    Outcome.REFERRED: 15,
    Outcome.NO_ANSWER: 5,
    "": 8,
}
# Which channels each source reaches us through; the first tour of contacts uses each pair once.
CHANNELS_BY_SOURCE = {
    Source.STAFF: [
        Channel.PHONE,
        Channel.COUNTER,
        Channel.EMAIL,
        Channel.LETTER,
        Channel.SOCIAL,
        Channel.OTHER,
        Channel.WHATSAPP,
        Channel.MESSENGER,
    ],
    Source.WEB_FORM: [Channel.WEBSITE],
    Source.VIRTUAL_ASSISTANT: [Channel.CHAT, Channel.WHATSAPP, Channel.MESSENGER, Channel.WEBSITE],
    Source.INTEGRATION: [Channel.WEBSITE, Channel.EMAIL, Channel.PHONE],
}
SOURCE_WEIGHTS = {Source.STAFF: 70, Source.WEB_FORM: 14, Source.VIRTUAL_ASSISTANT: 9, Source.INTEGRATION: 7}
STAFF_CHANNEL_WEIGHTS = [35, 28, 18, 5, 4, 2, 5, 3]


def ascii_slug(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed.lower() if c.isascii() and c.isalnum())


def typo(name: str) -> str:
    """A plausible misspelling: a doubled letter written once, or else two letters swapped."""
    for i in range(len(name) - 1):
        if name[i] == name[i + 1] and name[i].isalpha():
            return name[:i] + name[i + 1 :]
    return name[:1] + name[2] + name[1] + name[3:] if len(name) > 3 else name + "e"


def bis_number(birth_date: date, serial: int) -> str:
    """A BIS number (people not in the national register): the birth month plus 40."""
    first9 = f"{birth_date:%y}{birth_date.month + 40:02d}{birth_date:%d}{serial:03d}"
    base = int(("2" if birth_date.year >= 2000 else "") + first9)
    return f"{first9}{97 - base % 97:02d}"


@dataclass
class Demo:
    """Deterministic generator of the demo data; the order of calls fixes every value."""

    users: dict
    now: datetime
    # Contacts whose outcome is a new case open it, of the type their subject suggests.
    case_types: dict
    rng: random.Random = field(default_factory=lambda: random.Random(SEED))
    fake: Faker = field(default_factory=lambda: Faker("nl_BE"))
    persons: list = field(default_factory=list)
    web_persons: list = field(default_factory=list)
    organisations: list = field(default_factory=list)
    associations: list = field(default_factory=list)
    emails: set = field(default_factory=set)
    phones: set = field(default_factory=set)
    birth_serials: set = field(default_factory=set)
    sequences: set = field(default_factory=set)
    names: set = field(default_factory=set)
    contacts: int = 0

    def __post_init__(self):
        self.fake.seed_instance(SEED)

    # Building blocks.

    def unique_name(self, name: str) -> str:
        candidate, n = name, 1
        while candidate in self.names:
            n += 1
            candidate = f"{name} {n}"
        self.names.add(candidate)
        return candidate

    def weighted(self, weights: dict):
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def municipality(self) -> tuple[str, str, str]:
        return self.rng.choice(MUNICIPALITIES)

    def address(self, postal_code: str, city: str) -> dict:
        street = self.rng.choice(COMMON_STREETS) if self.rng.random() < 0.5 else self.fake.street_name()
        box = str(self.rng.randint(1, 12)) if self.rng.random() < 0.12 else ""
        number = str(self.rng.randint(1, 180))
        return {"street": street, "house_number": number, "box": box, "postal_code": postal_code, "city": city}

    def mobile(self) -> str:
        return self.unique_phone(lambda: f"+32{self.rng.choice(MOBILE_PREFIXES)}{self.rng.randint(0, 999999):06d}")

    def landline(self, zone: str) -> str:
        def number():
            rest = "".join(str(self.rng.randint(0, 9)) for _ in range(8 - len(zone) - 1))
            return f"+32{zone}{self.rng.choice('234')}{rest}"

        return self.unique_phone(number)

    def unique_phone(self, make) -> str:
        phone = make()
        while phone in self.phones:
            phone = make()
        self.phones.add(phone)
        return phone

    def email(self, *parts: str, domain: str | None = None) -> str:
        local = ".".join(ascii_slug(p) for p in parts if ascii_slug(p)) or "burger"
        domain = domain or self.rng.choice(MAIL_DOMAINS)
        candidate, n = f"{local}@{domain}", 1
        while candidate in self.emails:
            n += 1
            candidate = f"{local}{n}@{domain}"
        self.emails.add(candidate)
        return candidate

    def sequence(self, upper: int) -> int:
        """A fresh number for an identifier, spread out like real ones."""
        value = self.rng.randrange(1, upper)
        while value in self.sequences:
            value = self.rng.randrange(1, upper)
        self.sequences.add(value)
        return value

    def birth_date(self) -> date:
        # About one in six was born in 2000 or later: their INSZ check digits are computed differently.
        if self.rng.random() < 0.17:
            start, end = date(2000, 1, 1), date(2007, 12, 31)
        else:
            start, end = date(1935, 1, 1), date(1999, 12, 31)
        return start + timedelta(days=self.rng.randrange((end - start).days))

    def serial(self, birth_date: date, male: bool) -> int:
        """The day counter of the INSZ: odd for men, even for women, unique per birth date."""
        while True:
            serial = self.rng.randrange(1, 997)
            serial += (serial % 2 == 0) if male else (serial % 2 == 1)
            if (birth_date, serial) not in self.birth_serials:
                self.birth_serials.add((birth_date, serial))
                return serial

    def language(self) -> str:
        return self.weighted({Language.DUTCH: 88, Language.FRENCH: 6, Language.ENGLISH: 4, Language.GERMAN: 2})

    def preferred_channel(self) -> str:
        return self.weighted(
            {
                "": 40,
                PreferredChannel.EMAIL: 30,
                PreferredChannel.PHONE: 15,
                PreferredChannel.LETTER: 10,
                PreferredChannel.PROFILE: 5,
            }
        )

    def past_moment(self, *, office_hours: bool) -> datetime:
        day = self.now.date() - timedelta(days=self.rng.randint(1, HISTORY_DAYS))
        if office_hours:
            while day.weekday() >= 5:
                day -= timedelta(days=1)
            minutes = self.rng.randint(8 * 60 + 30, 16 * 60 + 30)
        else:
            minutes = self.rng.randint(0, 24 * 60 - 1)
        moment = datetime.combine(day, time(minutes // 60, minutes % 60, self.rng.randint(0, 59)))
        return timezone.make_aware(moment)

    # Parties.

    def person(self, *, bis: bool = False, **overrides) -> Party:
        male = self.rng.random() < 0.5
        given = self.fake.first_name_male() if male else self.fake.first_name_female()
        family = self.fake.last_name()
        birth_date = self.birth_date()
        serial = self.serial(birth_date, male)
        postal_code, city, zone = self.municipality()
        values = {
            "given_name": given,
            "family_name": family,
            "birth_date": birth_date,
            "national_number": (bis_number if bis else national_number)(birth_date, serial),
            "language": self.rng.choice([Language.FRENCH, Language.ENGLISH, Language.GERMAN])
            if bis
            else self.language(),
            "preferred_channel": self.preferred_channel(),
            "email": self.email(given, family) if self.rng.random() < 0.8 else None,
            "phone": (self.mobile() if self.rng.random() < 0.75 else self.landline(zone))
            if self.rng.random() < 0.85
            else None,
            "address": self.address(postal_code, city),
        } | overrides
        party = services.party_create(actor=self.users["admin"], kind=PartyKind.PERSON, **values)
        self.persons.append(party)
        return party

    def web_person(self) -> Party:
        """Somebody who only ever used a web form: known by an e-mail address or phone number, no INSZ.

        Created the way the web form creates them: by identity resolution of their first contact.
        """
        male = self.rng.random() < 0.5
        given = self.fake.first_name_male() if male else self.fake.first_name_female()
        family = self.fake.last_name()
        data = {"given_name": given, "family_name": family} if self.rng.random() < 0.7 else {}
        if self.rng.random() < 0.75:
            data["email"] = self.email(given, family)
        else:
            data["phone"] = self.mobile()
        contact = self.contact(party_data=data, source=Source.WEB_FORM, channel=Channel.WEBSITE, kind=PartyKind.PERSON)
        self.web_persons.append((contact.party, data))
        return contact.party

    def organisation(self) -> Party:
        name = self.unique_name(self.fake.company())
        postal_code, city, zone = self.municipality()
        party = services.party_create(
            actor=self.users["admin"],
            kind=PartyKind.ORGANISATION,
            name=name,
            enterprise_number=enterprise_number(self.sequence(7_999_999)),
            preferred_channel=self.rng.choice([PreferredChannel.EMAIL, ""]),
            email=self.email("info", domain=f"{ascii_slug(name.rsplit(' ', 1)[0])}.be"),
            phone=self.landline(zone),
            address=self.address(postal_code, city),
        )
        if self.rng.random() < 0.3:
            self.representatives(party, role_names=["contactpersoon"])
        self.organisations.append(party)
        return party

    def association(self) -> Party:
        name = self.unique_name(f"{self.rng.choice(ASSOCIATION_KINDS)} {self.rng.choice(ASSOCIATION_NAMES)}")
        postal_code, city, _zone = self.municipality()
        # About half are a vzw with an enterprise number as well; the others are feitelijke verenigingen.
        vzw = self.rng.random() < 0.5
        party = services.party_create(
            actor=self.users["admin"],
            kind=PartyKind.ASSOCIATION,
            name=f"{name} vzw" if vzw else name,
            association_code=association_code(self.sequence(9_999_999)),
            enterprise_number=enterprise_number(self.sequence(7_999_999)) if vzw else None,
            email=self.email(name, domain=self.rng.choice(["gmail.com", "telenet.be"])),
            address=self.address(postal_code, city),
        )
        count = self.rng.randint(1, 3)
        self.representatives(party, role_names=self.rng.sample(REPRESENTATIVE_ROLES, count))
        self.associations.append(party)
        return party

    def representatives(self, organisation: Party, *, role_names: list[str]) -> None:
        people = self.rng.sample([p for p in self.persons if p.national_number], len(role_names))
        for role, person in zip(role_names, people, strict=True):
            valid_from = date(2015, 1, 1) + timedelta(days=self.rng.randrange(365 * 9))
            ended = self.rng.random() < 0.2
            valid_until = valid_from + timedelta(days=self.rng.randrange(90, 900)) if ended else None
            services.representative_add(
                actor=self.users["admin"],
                organisation=organisation,
                person=person,
                role=role,
                valid_from=valid_from,
                valid_until=min(valid_until, self.now.date()) if valid_until else None,
            )

    def near_duplicates(self) -> None:
        """Records the duplicate suggestions should find; identity resolution would not merge them."""
        with_insz = [p for p in self.persons if p.national_number and p.birth_date]
        points = {
            (point.party_id, point.kind): point.value
            for point in ContactPoint.objects.filter(party__in=with_insz, kind__in=["email", "phone"], preferred=True)
        }
        for original in self.rng.sample(with_insz, 4):
            # The same person once more, misspelt, without INSZ, e.g. typed in at the counter.
            self.person(
                given_name=original.given_name,
                family_name=typo(original.family_name),
                birth_date=original.birth_date,
                national_number=None,
                address=None,
            )
        for original in self.rng.sample([p for p in with_insz if (p.pk, "email") in points], 3):
            # A household sharing one e-mail address.
            self.person(family_name=original.family_name, email=points[original.pk, "email"], phone=None)
        original = self.rng.choice([p for p in with_insz if (p.pk, "phone") in points])
        self.person(family_name=original.family_name, phone=points[original.pk, "phone"])

    # Contacts.

    def contact(self, *, source: str, channel: str, kind: str, party: Party | None = None, **extra):
        staff = source == Source.STAFF
        outcome = self.weighted(OUTCOME_WEIGHTS)
        occurred_at = self.past_moment(office_hours=staff)
        subjects = {
            PartyKind.PERSON: PERSON_SUBJECTS,
            PartyKind.ORGANISATION: ORGANISATION_SUBJECTS,
            PartyKind.ASSOCIATION: ASSOCIATION_SUBJECTS,
        }[kind]
        values = {
            "channel": channel,
            "source": source,
            "subject": self.rng.choice(subjects),
            "outcome": outcome,
            "summary": self.rng.choice(SUMMARIES[outcome]),
            "occurred_at": occurred_at,
            "direction": Direction.OUTBOUND
            if staff and channel in (Channel.PHONE, Channel.EMAIL, Channel.LETTER) and self.rng.random() < 0.12
            else Direction.INBOUND,
        }
        if source in (Source.WEB_FORM, Source.VIRTUAL_ASSISTANT):
            values["started_at"] = occurred_at - timedelta(minutes=self.rng.randint(2, 25))
        handler = None
        if staff:
            values["guided"] = channel == Channel.COUNTER and self.rng.random() < 0.3
            handler = self.handler(channel)
        self.contacts += 1
        if outcome != Outcome.CASE_CREATED:
            return services.contact_log(actor=handler, handled_by=handler, party=party, **values | extra)
        case = {
            "case_type": case_type_for(values["subject"], self.case_types),
            "description": f"{values['subject']}. {values['summary']}",
        }
        contact, _case = contact_log_with_case(
            actor=handler or self.users["kcc"], handled_by=handler, party=party, case=case, **values | extra
        )
        return contact

    def handler(self, channel: str):
        if channel == Channel.COUNTER:
            return self.users["balie"]
        if channel == Channel.LETTER:
            return self.users["behandelaar"]
        return self.users[self.weighted({"kcc": 70, "behandelaar": 20, "supervisor": 10})]

    def source_and_channel(self) -> tuple[str, str]:
        source = self.weighted(SOURCE_WEIGHTS)
        channels = CHANNELS_BY_SOURCE[source]
        if source == Source.STAFF:
            return source, self.rng.choices(channels, weights=STAFF_CHANNEL_WEIGHTS)[0]
        return source, self.rng.choice(channels)

    def contact_for(self, party: Party, source: str, channel: str) -> None:
        kind = party.kind
        if source == Source.STAFF:
            self.contact(party=party, source=source, channel=channel, kind=kind)
            return
        # Forms, the virtual assistant and integrations identify the citizen by what they give us.
        if party.national_number and source == Source.INTEGRATION:
            data = {"national_number": party.national_number}
        elif party.enterprise_number:
            data = {"kind": kind, "name": party.name, "enterprise_number": party.enterprise_number}
        elif party.association_code:
            data = {"kind": kind, "name": party.name, "association_code": party.association_code}
        else:
            point = party.contact_points.filter(kind__in=["email", "phone"]).order_by("kind", "-preferred").first()
            if point is not None:
                names = {"given_name": party.given_name, "family_name": party.family_name}
                data = {point.kind: point.value, **{k: v for k, v in names.items() if v}}
            elif party.national_number:
                # Logged in to the e-loket: the form passes the INSZ.
                data = {"national_number": party.national_number}
            else:
                self.contact(party=party, source=Source.STAFF, channel=Channel.COUNTER, kind=kind)
                return
        self.contact(party_data=data, source=source, channel=channel, kind=kind)

    def history(self) -> None:
        """Contacts of every party; the first ones use every source and channel at least once."""
        parties = self.persons + [p for p, _data in self.web_persons] + self.organisations + self.associations
        tour = [(source, channel) for source, channels in CHANNELS_BY_SOURCE.items() for channel in channels]
        registered = [p for p in self.persons if p.national_number]
        for source, channel in tour:
            self.contact_for(self.rng.choice(registered), source, channel)
        for party in parties:
            if party.kind == PartyKind.PERSON:
                count = self.rng.choice([0, 1, 1, 2, 2, 3, 3, 4, 5, 6, 8])
            else:
                count = self.rng.randint(1, 6)
            for _ in range(count):
                self.contact_for(party, *self.source_and_channel())
        for _ in range(max(3, len(parties) // 30)):
            channel = self.rng.choice([Channel.COUNTER, Channel.PHONE])
            self.contact(anonymous=True, source=Source.STAFF, channel=channel, kind=PartyKind.PERSON)


class Command(BaseCommand):
    help = (
        "Seed the demo data: users for every role (password demo-<username>), parties and contacts. "
        "Idempotent: does nothing when the demo data is present, nor when the database holds other parties."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--parties",
            type=int,
            default=DEFAULT_PARTIES,
            help=f"How many parties (default {DEFAULT_PARTIES}: 300 persons, 40 organisations, 30 associations).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed a database other than the embedded SQLite one (demo users have known passwords).",
        )

    @transaction.atomic
    def handle(self, *args, parties: int, force: bool = False, **options):
        if parties < MIN_PARTIES:
            raise CommandError(f"--parties must be at least {MIN_PARTIES}.")
        if connection.vendor != "sqlite" and not force:
            # Demo users with documented passwords must never land in a real database by accident.
            raise CommandError("Refusing to seed demo data into a non-SQLite database without --force.")
        user_model = get_user_model()
        usernames = [username for username, *_rest in DEMO_USERS]
        if Party.objects.exists():
            if user_model.objects.filter(username__in=usernames).exists():
                # Configuration added by later releases still reaches an existing demo database.
                seed_case_configuration(handler_username="behandelaar", kcc_username="kcc")
                self.stdout.write("Demo data already present: nothing to do.")
            else:
                self.stderr.write("The database holds parties but no demo users: not mixing demo data into real data.")
            return
        started = timezone.now()
        users, created = self.create_users()
        seed_case_configuration(handler_username="behandelaar", kcc_username="kcc")
        demo = Demo(users=users, now=started, case_types={t.code: t for t in CaseType.objects.filter(active=True)})
        organisations = round(parties * 40 / DEFAULT_PARTIES)
        associations = round(parties * 30 / DEFAULT_PARTIES)
        web_persons = round(parties * 36 / DEFAULT_PARTIES)
        near_duplicates = 8
        persons = parties - organisations - associations - web_persons - near_duplicates
        # History long past: nobody is to be told about it now.
        with notifications_silenced():
            for i in range(persons):
                demo.person(bis=i % 75 == 74)
            for _ in range(web_persons):
                demo.web_person()
            demo.near_duplicates()
            for _ in range(organisations):
                demo.organisation()
            for _ in range(associations):
                demo.association()
            demo.history()
            cases = seed_cases(rng=demo.rng, users=users, now=started)
            history = seed_reports(rng=demo.rng, now=started, days=HISTORY_DAYS, editor=users["kcc"])
        seconds = (timezone.now() - started).total_seconds()
        counts = (
            f"{Party.objects.count()} parties, {Contact.objects.count()} contacts, {cases} cases, {history['calls']} "
            f"calls, {history['visits']} counter visits and {history['sessions']} assistant sessions"
        )
        self.stdout.write(f"Seeded {counts} in {seconds:.1f} s.")
        self.stdout.write("Demo users (log in at /admin/):")
        for username, role, *_names in DEMO_USERS:
            password = f"demo-{username}" if username in created else "(existing account, password unchanged)"
            self.stdout.write(f"  {username:<12} password {password:<16} {role or 'superuser'}")

    def create_users(self) -> tuple[dict, set]:
        """The demo users, one per role, and which were created; an existing account keeps its password."""
        user_model = get_user_model()
        roles.ensure_roles()
        users, created_now = {}, set()
        for username, role, first_name, last_name in DEMO_USERS:
            user, created = user_model.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first_name,
                    "last_name": last_name,
                    "email": f"{username}@demo.midoffice.invalid",
                    "is_staff": True,
                    "is_superuser": role is None,
                },
            )
            if created:
                user.set_password(f"demo-{username}")
                user.save(update_fields=["password"])
                created_now.add(username)
            if role:
                user.groups.add(Group.objects.get(name=role))
            users[username] = user
        return users, created_now
